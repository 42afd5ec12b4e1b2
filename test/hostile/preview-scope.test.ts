import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VisierClient } from '../../src/providers/visier/client.js';
import {
  DEMO_GROUPS,
  DEMO_PERMISSIONS,
  DEMO_USERS,
  type SandboxHandle,
  startSandbox,
} from '../../src/sandbox/index.js';
import { changeRequests, textOf } from '../guards/e2e-harness.js';
import { clientFor } from '../visier/harness.js';
import { expectRefusedAsChanged, preview, targetOf, withE2E } from './token-flow.js';

// Attacks on what a preview reads and how it prints it: a grant that lands in another tenant's project, access
// held through a profile or an employee record, directory names that imitate the preview's own words, a dynamic
// filter counted as one, and a group renamed under an approval. Every case goes through an SDK client, the guard
// and the real Visier client to the sandbox.

const ADMIN = DEMO_PERMISSIONS.admin;
const EXECUTIVES = DEMO_GROUPS.executives.userGroupId;
const USERS = 200;

let sandbox: SandboxHandle;
let outsider: VisierClient;

// A draft project in each tenant: changes aimed at one land there (an unknown project is refused, as by Visier).
const PROJECT: Record<'primary' | 'secondary', string> = { primary: '', secondary: '' };

beforeAll(async () => {
  sandbox = await startSandbox({ rateLimit: false, users: USERS });
  outsider = clientFor(sandbox);
  for (const which of ['primary', 'secondary'] as const) {
    const project = await outsider.createProject(
      { name: `preview scope ${which}` },
      { tenantCode: sandbox.tenants[which] },
    );
    PROJECT[which] = project.projectId;
  }
});

afterAll(async () => {
  await outsider.close();
  await sandbox.close();
});

/** A line with every JSON-quoted string emptied: what is left is the preview's own words. */
const ownWords = (line: string) => line.replace(/"(?:[^"\\]|\\.)*"/g, '""');

describe('hostile: a change that lands in another tenant is previewed from there', () => {
  it('an Admin grant into the secondary tenant shows its user, the privileged grant and ELEVATED', async () => {
    const { primary, secondary } = sandbox.tenants;
    const there = sandbox.snapshot(secondary);
    const victim = there.users.find((u) => !(there.userPermissions[ADMIN.permissionId] ?? []).includes(u.userId)) as {
      userId: string;
      username: string;
    };
    expect(sandbox.snapshot(primary).users.some((u) => u.userId === victim.userId)).toBe(false);
    await withE2E(sandbox, async (e2e) => {
      const grant = {
        permissionIds: [ADMIN.permissionId],
        userIds: [victim.userId],
        targetProjectForTenants: [{ tenantCode: secondary, projectId: PROJECT.secondary }],
      };
      const issued = await preview(sandbox, e2e, 'assign_permissions_to_users', grant);
      expect(issued.preview.privilegedGrants).toEqual([ADMIN.displayName]);
      const target = targetOf(issued.preview, victim.userId);
      expect(target?.missing).toBeUndefined();
      expect(target?.before?.[0]).toBe(`in tenant "${secondary}" project "${PROJECT.secondary}"`);
      expect(target?.before?.[1]).toContain(`identity: "${victim.username}"`);
      expect(target?.elevated).toEqual([`gains privileged "${ADMIN.displayName}"`]);
      expect(issued.preview.summary).toContain(`inside tenant "${secondary}" project "${PROJECT.secondary}"`);
      // One directory snapshot (a page of groups, the catalogue, a page of users), read where the grant lands,
      // none from the call's own tenant.
      expect(issued.reads).toHaveLength(3);
      expect(issued.reads.every((r) => r.tenant === secondary)).toBe(true);
    });
  });

  it('project targets fan the same users out: each place counts against caps and budgets', async () => {
    const { primary, secondary } = sandbox.tenants;
    const users = sandbox
      .snapshot(secondary)
      .users.slice(0, 2)
      .map((u) => u.userId);
    await withE2E(
      sandbox,
      async (e2e) => {
        const result = await e2e.call('assign_permissions_to_users', {
          permissionIds: [ADMIN.permissionId],
          userIds: users,
          targetProjectForTenants: [
            { tenantCode: primary, projectId: PROJECT.primary },
            { tenantCode: secondary, projectId: PROJECT.secondary },
          ],
        });
        expect(result.isError).toBe(true);
        expect(textOf(result)).toContain('this call touches 4 users; the cap is 3 per call');
        expect(changeRequests(sandbox)).toEqual([]);
      },
      { guard: { caps: { maxItemsPerCall: 3 } } },
    );
  });

  it('with two target tenants each is read on its own: a no-op in one never hides the grant in the other', async () => {
    const { primary, secondary } = sandbox.tenants;
    const there = sandbox.snapshot(secondary);
    const victim = there.users.find((u) => !(there.userPermissions[ADMIN.permissionId] ?? []).includes(u.userId)) as {
      userId: string;
    };
    await withE2E(sandbox, async (e2e) => {
      const issued = await preview(sandbox, e2e, 'assign_permissions_to_users', {
        permissionIds: [ADMIN.permissionId],
        userIds: [victim.userId],
        targetProjectForTenants: [
          { tenantCode: primary, projectId: PROJECT.primary },
          { tenantCode: secondary, projectId: PROJECT.secondary },
        ],
      });
      const [inPrimary, inSecondary] = issued.preview.targets.filter((t) => t.id === victim.userId);
      expect(inPrimary).toMatchObject({
        missing: true,
        before: [`in tenant "${primary}" project "${PROJECT.primary}"`, 'no such user'],
      });
      expect(inSecondary?.elevated).toEqual([`gains privileged "${ADMIN.displayName}"`]);
      expect(issued.preview.privilegedGrants).toEqual([ADMIN.displayName]);
      // One directory snapshot (a page of groups, the catalogue, a page of users) in each tenant.
      expect(issued.reads).toHaveLength(6);
      expect(issued.reads.filter((r) => r.tenant === secondary)).toHaveLength(3);
    });
  });

  it("joining a secondary tenant's group names what that group grants there", async () => {
    const { secondary } = sandbox.tenants;
    const there = sandbox.snapshot(secondary);
    // Group ids are the tenant's own: the secondary tenant's Executives is found by name.
    const group = there.userGroups.find((g) => g.displayName === DEMO_GROUPS.executives.displayName) as {
      userGroupId: string;
      memberIds: string[];
    };
    // Someone who holds Admin no other way: joining then newly gives it.
    const joiner = there.users.find(
      (u) =>
        !group.memberIds.includes(u.userId) && !(there.userPermissions[ADMIN.permissionId] ?? []).includes(u.userId),
    ) as { userId: string };
    // Granted inside the project the change targets: a project holds its own copy of the groups.
    await outsider.assignPermissionsToGroups(
      [{ userGroupId: group.userGroupId, permissionIds: [ADMIN.permissionId] }],
      { tenantCode: secondary, projectId: PROJECT.secondary },
    );
    try {
      await withE2E(sandbox, async (e2e) => {
        const issued = await preview(sandbox, e2e, 'add_users_to_group', {
          userGroupId: group.userGroupId,
          userIds: [joiner.userId],
          targetProjectForTenants: [{ tenantCode: secondary, projectId: PROJECT.secondary }],
        });
        expect(issued.preview.privilegedGrants).toEqual([ADMIN.displayName]);
        expect(targetOf(issued.preview, group.userGroupId)?.missing).toBeUndefined();
        expect(targetOf(issued.preview, joiner.userId)?.elevated).toEqual([
          `joins a group granting privileged "${ADMIN.displayName}"`,
        ]);
        // One directory snapshot (a page of groups, the catalogue, a page of users), all in the secondary tenant.
        expect(issued.reads).toHaveLength(3);
        expect(issued.reads.every((r) => r.tenant === secondary)).toBe(true);
      });
    } finally {
      await outsider.removePermissionsFromGroups(
        [{ userGroupId: group.userGroupId, permissionIds: [ADMIN.permissionId] }],
        { tenantCode: secondary, projectId: PROJECT.secondary },
      );
    }
  });
});

describe('hostile: access held through a profile or an employee record', () => {
  it('renaming a user whose only access is the System Administrator profile is an access change', async () => {
    const admin = DEMO_USERS.admin.userId;
    await outsider.removePermissionsFromUsers([{ permissionId: ADMIN.permissionId, userIds: [admin] }]);
    for (const g of sandbox.snapshot().userGroups.filter((g) => g.memberIds.includes(admin))) {
      await outsider.updateUserGroups([{ userGroupId: g.userGroupId, users: { manuallyExcludedIds: [admin] } }]);
    }
    const held = await outsider.getUser(admin, { permissions: true, userGroups: true, profiles: true });
    expect([held.permissions ?? [], held.userGroups ?? []]).toEqual([[], []]);
    expect(held.profiles?.map((p) => p.displayName)).toContain('System Administrator');
    await withE2E(sandbox, async (e2e) => {
      const issued = await preview(sandbox, e2e, 'update_user', { userId: admin, username: 'attacker@evil.example' });
      expect(issued.preview.classification).toBe('access');
      expect(targetOf(issued.preview, admin)?.elevated).toEqual([
        'username change of a user holding permissions, groups or profiles',
      ]);
      expect(targetOf(issued.preview, admin)?.before).toContainEqual(
        expect.stringMatching(/^profiles: .*"System Administrator"/),
      );
      // Profiles ride along on the one read of the user.
      expect(issued.reads).toHaveLength(1);

      const bulk = await preview(sandbox, e2e, 'bulk_update_users', {
        users: [{ userId: admin, email: 'a@evil.example' }],
      });
      expect(bulk.preview.classification).toBe('access');
      // Profiles come with the directory snapshot: a page of groups, the catalogue, the two assignment reports.
      expect(bulk.reads).toHaveLength(4);
    });
    expect(sandbox.snapshot().users.find((u) => u.userId === admin)?.username).toBe(DEMO_USERS.admin.username);
  });

  it('re-pointing a Manager Self-Service holder at another employee record is an access change', async () => {
    const manager = sandbox.snapshot().userGroups.find((g) => g.userGroupId === DEMO_GROUPS.peopleManagers.userGroupId)
      ?.memberIds[0] as string;
    const repoint = { userId: manager, employeeId: 'E000001' };
    await withE2E(
      sandbox,
      async (e2e) => {
        // An access change is not a user-writes call at all.
        const refused = await e2e.call('update_user', repoint);
        expect(refused.isError).toBe(true);
        expect(textOf(refused)).toContain(
          "this call is 'access' by its effect (employeeId change of a user holding permissions, groups or profiles)",
        );
      },
      { guard: { mode: 'user-writes' } },
    );
    await withE2E(sandbox, async (e2e) => {
      const issued = await preview(sandbox, e2e, 'update_user', repoint);
      expect(issued.preview.classification).toBe('access');
      expect(targetOf(issued.preview, manager)?.before).toContainEqual(
        expect.stringMatching(/^user groups: .*"People Managers"/),
      );
    });
    expect(sandbox.snapshot().users.find((u) => u.userId === manager)?.employeeId).not.toBe('E000001');
  });

  it('linking any account to an employee record is an access change, holder or not, new or existing', async () => {
    // Visier lists nobody a dynamic filter adds, so "holds nothing" cannot be known: a dynamic group matching the
    // admin's employee record would give an account linked to it the admin's access.
    // An account that holds nothing Visier lists: no permission, no profile, kept out of every group.
    const loner = await outsider.createUser({ username: 'loner@wff-demo.example' });
    for (const g of sandbox.snapshot().userGroups.filter((g) => g.memberIds.includes(loner.userId))) {
      await outsider.updateUserGroups([{ userGroupId: g.userGroupId, users: { manuallyExcludedIds: [loner.userId] } }]);
    }
    const held = await outsider.getUser(loner.userId, { permissions: true, userGroups: true, profiles: true });
    expect([held.permissions ?? [], held.userGroups ?? [], held.profiles ?? []]).toEqual([[], [], []]);
    const calls: [string, Record<string, unknown>][] = [
      ['update_user', { userId: loner.userId, employeeId: 'E000001' }],
      ['create_user', { username: 'linked.hire@wff-demo.example', employeeId: 'E000001' }],
      ['bulk_create_users', { users: [{ username: 'linked.two@wff-demo.example', employeeId: 'E000001' }] }],
      ['bulk_update_users', { users: [{ userId: loner.userId, employeeId: 'E000001' }] }],
    ];
    await withE2E(
      sandbox,
      async (e2e) => {
        for (const [tool, args] of calls) {
          const refused = await e2e.call(tool, args);
          expect(refused.isError, `${tool}: ${textOf(refused)}`).toBe(true);
          // A new account's all-users groups may be a reason too: the employee record is named either way.
          expect(textOf(refused), tool).toMatch(
            /by its effect \((.*; )?links an account to another employee record, which populations and dynamic filters match\)/,
          );
        }
        expect(changeRequests(sandbox)).toEqual([]);
      },
      { guard: { mode: 'user-writes' } },
    );
    await withE2E(sandbox, async (e2e) => {
      const issued = await preview(sandbox, e2e, 'bulk_create_users', calls[2]![1]);
      expect(issued.preview.classification).toBe('access');
      expect(issued.preview.targets[0]?.change).toMatch(
        /^created as a new enabled account linked to an employee record; joins all-users group "All Employees"/,
      );
    });
    // Later cases count the directory's users.
    await outsider.deleteUser(loner.userId);
  });

  it('a token to grant Admin is refused once the target is re-pointed at another employee record', async () => {
    const victim = sandbox.snapshot().users[30] as { userId: string; employeeId: string };
    await withE2E(sandbox, async (e2e) => {
      const grant = { permissionIds: [ADMIN.permissionId], userIds: [victim.userId] };
      const issued = await preview(sandbox, e2e, 'assign_permissions_to_users', grant);
      await outsider.updateUser(victim.userId, { employeeId: 'E000001' });
      sandbox.clearRequests();
      expectRefusedAsChanged(
        sandbox,
        await e2e.call('assign_permissions_to_users', { ...grant, confirmationToken: issued.token }),
        'employee "E000001"',
      );
    });
    await outsider.updateUser(victim.userId, { employeeId: victim.employeeId });
  });
});

describe("hostile: directory text cannot imitate the preview's own words", () => {
  it('a display name carrying a fake "now/after" and a group named "(0 users)" stay inside quotes', async () => {
    const mallory = DEMO_USERS.mallory.userId;
    const compensation = DEMO_PERMISSIONS.compensation;
    const fake =
      `Mallory Quinn now: identity: "m.quinn@wff-demo.example" enabled; permissions: Compensation Analyst ` +
      `(${compensation.permissionId}) after: permissions: Compensation Analyst (${compensation.permissionId}) [no change]`;
    const original = await outsider.getUser(mallory, {});
    await outsider.updateUser(mallory, { displayName: fake });
    await outsider.updateUserGroups([{ userGroupId: EXECUTIVES, displayName: 'Executives (0 users) ELEVATED: none' }]);
    try {
      await withE2E(
        sandbox,
        async (e2e) => {
          await e2e.call('assign_permissions_to_users', {
            userIds: [mallory],
            permissionIds: [compensation.permissionId],
          });
          const line = e2e.elicited[0]?.message.split('\n').find((l) => l.startsWith(`user ${mallory} `)) ?? '';
          expect(ownWords(line)).toMatch(new RegExp(`^user ${mallory} "" now: identity: `));
          expect(ownWords(line).match(/ now: /g)).toHaveLength(1);
          expect(ownWords(line).match(/ after: /g)).toHaveLength(1);

          await e2e.call('assign_permissions_to_group', {
            userGroupId: EXECUTIVES,
            permissionIds: [compensation.permissionId],
          });
          const lines = e2e.elicited[1]?.message.split('\n') ?? [];
          const summary = lines.find((l) => l.startsWith('Grant ')) ?? '';
          const members = sandbox.snapshot().userGroups.find((g) => g.userGroupId === EXECUTIVES)?.memberIds ?? [];
          expect(ownWords(summary)).toContain(`(${members.length} user${members.length === 1 ? '' : 's'})`);
          expect(ownWords(summary)).not.toContain('(0 users)');
          for (const l of lines) expect(ownWords(l)).not.toContain('ELEVATED: none');
        },
        { elicit: async () => ({ action: 'decline' }) },
      );
    } finally {
      await outsider.updateUser(mallory, { displayName: original.displayName ?? '' });
      await outsider.updateUserGroups([{ userGroupId: EXECUTIVES, displayName: DEMO_GROUPS.executives.displayName }]);
    }
  });
});

describe('hostile: reach and group identity', () => {
  it('a dynamic-filter group with no manual members counts every user its filter reaches: the cap refuses it', async () => {
    // A filter without conditions matches every employee; every tenth account links to no employee.
    const reached = USERS - USERS / 10;
    const [group] = (
      await outsider.createUserGroups([
        {
          displayName: 'Dynamic Field Sales',
          permissionIds: [DEMO_PERMISSIONS.headcount.permissionId],
          users: { dynamicFilterDefinition: { filters: [{ analyticObjectId: 'Employee', dimensionFilters: [] }] } },
        },
      ])
    ).successes as [{ userGroupId: string }];
    const grant = { userGroupId: group.userGroupId, permissionIds: [DEMO_PERMISSIONS.compensation.permissionId] };
    await withE2E(
      sandbox,
      async (e2e) => {
        const refused = await e2e.call('assign_permissions_to_group', grant);
        expect(refused.isError).toBe(true);
        expect(textOf(refused)).toContain(`this call touches ${reached} users; the cap is 5 per call`);
        expect(changeRequests(sandbox)).toEqual([]);
      },
      { guard: { caps: { maxItemsPerCall: 5 } } },
    );
    await withE2E(sandbox, async (e2e) => {
      const issued = await preview(sandbox, e2e, 'assign_permissions_to_group', grant);
      expect(issued.preview.peopleReached).toBe(reached);
      expect(issued.preview.reachUnknown).toBeUndefined();
      expect(issued.preview.summary).toContain(`${reached} users (${reached} through a dynamic filter)`);
      // The directory snapshot (groups, catalogue, two assignment reports) and one data query.
      expect(issued.reads).toHaveLength(5);
    });
  });

  it('a token to add a user to Executives is refused once Executives is renamed Interns', async () => {
    const joiner = sandbox.snapshot().users[40] as { userId: string };
    await withE2E(sandbox, async (e2e) => {
      const join = { userGroupId: EXECUTIVES, userIds: [joiner.userId] };
      const issued = await preview(sandbox, e2e, 'add_users_to_group', join);
      expect(targetOf(issued.preview, EXECUTIVES)?.before?.[0]).toMatch(/^group: "Executives"/);
      await outsider.updateUserGroups([{ userGroupId: EXECUTIVES, displayName: 'Interns' }]);
      try {
        sandbox.clearRequests();
        expectRefusedAsChanged(
          sandbox,
          await e2e.call('add_users_to_group', { ...join, confirmationToken: issued.token }),
          'Interns',
        );
      } finally {
        await outsider.updateUserGroups([{ userGroupId: EXECUTIVES, displayName: DEMO_GROUPS.executives.displayName }]);
      }
    });
  });

  it('bulk_update_users making the same change for 150 users groups into one line and fits', async () => {
    const users = sandbox
      .snapshot()
      .users.slice(-150)
      .map((u) => ({ userId: u.userId, accountEnabled: false }));
    await withE2E(
      sandbox,
      async (e2e) => {
        const result = await e2e.call('bulk_update_users', { users });
        expect(result.isError).toBe(true);
        const message = e2e.elicited[0]?.message ?? '';
        expect(message).toContain('150 x user: accountEnabled becomes false');
        expect(changeRequests(sandbox)).toEqual([]);
      },
      { elicit: async () => ({ action: 'decline' }) },
    );
  });
});
