import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VisierClient } from '../../src/providers/visier/client.js';
import {
  DEMO_GROUPS,
  DEMO_PERMISSIONS,
  DEMO_USERS,
  type SandboxHandle,
  startSandbox,
} from '../../src/sandbox/index.js';
import { clientFor } from '../visier/harness.js';
import { expectRefusedAsChanged, preview, targetOf, withE2E } from './token-flow.js';

// Attacks on what a human approves: a preview that hides an elevated change among harmless ones, and an
// approval that outlives a change of who or what it names. Every case goes through an SDK client, the guard
// and the real Visier client to the sandbox; the preview read is the one the token flow returns in _meta.

const ADMIN = DEMO_PERMISSIONS.admin;
const EXECUTIVES = DEMO_GROUPS.executives.userGroupId;
/** The sandbox's default directory: Executives then has exactly 3 members added by hand. */
const USERS = 200;

let sandbox: SandboxHandle;
let outsider: VisierClient;

beforeAll(async () => {
  sandbox = await startSandbox({ rateLimit: false, users: USERS });
  // Someone changing the directory outside this server, between the preview and the approval.
  outsider = clientFor(sandbox);
});

afterAll(async () => {
  await outsider.close();
  await sandbox.close();
});

const adminHolders = () => sandbox.snapshot().userPermissions[ADMIN.permissionId] ?? [];
const userAt = (index: number) =>
  sandbox.snapshot().users[index] as { userId: string; username: string; employeeId: string };

describe('hostile: an approval stays bound to who and what it names', () => {
  it('a token to grant Admin to one user is refused once that user is renamed to an outsider', async () => {
    const victim = userAt(10);
    await withE2E(sandbox, async (e2e) => {
      const grant = { permissionIds: [ADMIN.permissionId], userIds: [victim.userId] };
      const issued = await preview(sandbox, e2e, 'assign_permissions_to_users', grant);
      expect(issued.preview.privilegedGrants).toEqual([ADMIN.displayName]);
      expect(targetOf(issued.preview, victim.userId)?.elevated).toEqual([`gains privileged "${ADMIN.displayName}"`]);
      // One directory snapshot: a page of groups, the permission catalogue, the two assignment reports.
      expect(issued.reads.length).toBe(4);

      await outsider.updateUser(victim.userId, {
        username: 'mallory@evil.example',
        displayName: 'Mallory Outsider',
      });
      sandbox.clearRequests();
      expectRefusedAsChanged(
        sandbox,
        await e2e.call('assign_permissions_to_users', { ...grant, confirmationToken: issued.token }),
        'mallory@evil.example',
      );
      expect(adminHolders()).not.toContain(victim.userId);

      // A fresh preview shows the human what changed, in the target's "now" lines.
      const again = await preview(sandbox, e2e, 'assign_permissions_to_users', grant);
      expect(targetOf(again.preview, victim.userId)?.before?.[0]).toBe(
        `identity: "mallory@evil.example" email "${victim.username}" name "Mallory Outsider" employee "${victim.employeeId}" enabled`,
      );
      expect(targetOf(issued.preview, victim.userId)?.before?.[0]).not.toEqual(
        targetOf(again.preview, victim.userId)?.before?.[0],
      );
    });
  });

  it('a token to grant Admin to Executives (3 members) is refused once Executives includes all users', async () => {
    await withE2E(sandbox, async (e2e) => {
      const grant = { userGroupId: EXECUTIVES, permissionIds: [ADMIN.permissionId] };
      const issued = await preview(sandbox, e2e, 'assign_permissions_to_group', grant);
      expect(issued.preview.peopleReached).toBe(3);
      expect(issued.preview.privilegedGrants).toEqual([ADMIN.displayName]);
      expect(targetOf(issued.preview, EXECUTIVES)?.elevated).toEqual([
        `grants privileged "${ADMIN.displayName}" to 3 users`,
      ]);
      // One directory snapshot (a page of groups, the catalogue, the two assignment reports), its members' effects included.
      expect(issued.reads.length).toBe(4);

      await outsider.updateUserGroups([{ userGroupId: EXECUTIVES, users: { includeAllUsers: true } }]);
      try {
        sandbox.clearRequests();
        expectRefusedAsChanged(
          sandbox,
          await e2e.call('assign_permissions_to_group', { ...grant, confirmationToken: issued.token }),
          'all users',
        );
        const group = sandbox.snapshot().userGroups.find((g) => g.userGroupId === EXECUTIVES);
        expect(group?.permissionIds).not.toContain(ADMIN.permissionId);

        const again = await preview(sandbox, e2e, 'assign_permissions_to_group', grant);
        expect(targetOf(again.preview, EXECUTIVES)?.before).toContain('members: all users');
        expect(again.preview.peopleReached).toBe(USERS);
        // Counting all users costs nothing more: the same snapshot has them.
        expect(again.reads.length).toBe(4);
      } finally {
        await outsider.updateUserGroups([{ userGroupId: EXECUTIVES, users: { includeAllUsers: false } }]);
      }
    });
  });
});

describe('hostile: an elevated change hidden among harmless ones is marked', () => {
  it('50 group description edits and 1 group made includeAllUsers that grants Admin', async () => {
    const created = await outsider.createUserGroups([
      ...Array.from({ length: 50 }, (_, i) => ({ displayName: `Desk ${i}`, description: 'a desk' })),
      {
        displayName: 'Night Shift',
        permissionIds: [ADMIN.permissionId],
        users: { manuallyIncludedIds: [userAt(20).userId, userAt(21).userId] },
      },
    ]);
    const ids = created.successes.map((s) => s.userGroupId as string);
    const nightShift = ids[50] as string;
    expect(ids).toHaveLength(51);
    await withE2E(sandbox, async (e2e) => {
      const issued = await preview(sandbox, e2e, 'update_user_groups', {
        userGroups: [
          ...ids.slice(0, 50).map((userGroupId) => ({ userGroupId, description: 'the same desk, reworded' })),
          { userGroupId: nightShift, includeAllUsers: true },
        ],
      });
      expect(issued.preview.privilegedGrants).toEqual([ADMIN.displayName]);
      expect(targetOf(issued.preview, nightShift)?.elevated).toEqual([
        'includeAllUsers turned on: every user becomes a member',
        `members it gains get privileged "${ADMIN.displayName}"`,
      ]);
      expect(issued.preview.targets.filter((t) => t.elevated)).toHaveLength(1);
      // Permissions by name in a group preview, not bare ids.
      expect(targetOf(issued.preview, nightShift)?.before).toContain(
        `permissions: "${ADMIN.displayName}" (${ADMIN.permissionId})`,
      );
      // Description edits reach no one; the group turned all-users reaches everyone.
      expect(issued.preview.peopleReached).toBe(USERS);
      // One directory snapshot (a page of groups, the catalogue, the two assignment reports), not a read per group.
      expect(issued.reads.length).toBe(4);
    });
  });

  it('50 no-op bulk_update_users entries and a username change of an Admin holder', async () => {
    const snapshot = sandbox.snapshot();
    const harmless = snapshot.users.slice(40, 90).map((u) => ({ userId: u.userId, displayName: u.displayName }));
    expect(adminHolders()).toContain(DEMO_USERS.admin.userId);
    await withE2E(sandbox, async (e2e) => {
      const issued = await preview(sandbox, e2e, 'bulk_update_users', {
        users: [...harmless, { userId: DEMO_USERS.admin.userId, username: 'root@evil.example' }],
      });
      expect(issued.preview.classification).toBe('access');
      expect(targetOf(issued.preview, DEMO_USERS.admin.userId)?.elevated).toEqual([
        'username change of a user holding permissions, groups or profiles',
      ]);
      expect(issued.preview.targets.filter((t) => t.elevated)).toHaveLength(1);
      // Holdings come with the directory snapshot: a page of groups, the catalogue, the two assignment reports.
      expect(issued.reads.length).toBe(4);
    });
  });
});
