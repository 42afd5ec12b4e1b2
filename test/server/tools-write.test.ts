import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_GROUPS, DEMO_PERMISSIONS, DEMO_USERS } from '../../src/sandbox/index.js';
import { CONFIRMATION_META_KEY, DIRECTORY_TEXT_NOTICE } from '../../src/server.js';
import { type Harness, startHarness, textOf } from './harness.js';

// Mode full, a client that elicits and approves: every change tool acts, and the sandbox shows the effect.

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ elicit: true, users: 60 });
});
afterAll(() => h.close());

const userIn = (id: string) => h.sandbox.snapshot().users.find((u) => u.userId === id);
const groupIn = (id: string) => h.sandbox.snapshot().userGroups.find((g) => g.userGroupId === id);

describe('change tools against the sandbox', () => {
  it('create_user, update_user and delete_user change exactly that user', async () => {
    const created = await h.call('create_user', {
      username: 'new.person@wff-demo.example',
      displayName: 'New Person',
      employeeId: 'E999',
      accountEnabled: true,
    });
    expect(created.isError).toBeFalsy();
    const { user } = created.structuredContent as { user: { userId: string; username: string } };
    expect(user.username).toBe('new.person@wff-demo.example');
    expect(userIn(user.userId)).toMatchObject({
      username: 'new.person@wff-demo.example',
      displayName: 'New Person',
      employeeId: 'E999',
      accountEnabled: true,
    });

    const updated = await h.call('update_user', {
      userId: user.userId,
      displayName: 'Renamed Person',
      accountEnabled: false,
    });
    expect(updated.isError).toBeFalsy();
    expect(userIn(user.userId)).toMatchObject({
      displayName: 'Renamed Person',
      accountEnabled: false,
      employeeId: 'E999',
    });

    const before = h.elicitations.length;
    const deleted = await h.call('delete_user', { userId: user.userId });
    expect(deleted.structuredContent).toEqual({
      userId: user.userId,
      deleted: true,
      directoryText: DIRECTORY_TEXT_NOTICE,
    });
    expect(userIn(user.userId)).toBeUndefined();
    // Destructive: the human saw the preview and had to type the name.
    expect(h.elicitations.length).toBe(before + 1);
    expect(h.elicitations.at(-1)).toContain('Renamed Person');
  });

  it('assign_permissions_to_users and remove_permissions_from_users', async () => {
    const pid = DEMO_PERMISSIONS.payrollAuditor.permissionId;
    const uid = DEMO_USERS.dana.userId;
    const granted = await h.call('assign_permissions_to_users', { permissionIds: [pid], userIds: [uid] });
    expect(granted.isError).toBeFalsy();
    expect((granted.structuredContent as { tenants: { status: string }[] }).tenants.map((t) => t.status)).toEqual([
      'Succeed',
    ]);
    expect(h.sandbox.snapshot().userPermissions[pid]).toContain(uid);
    expect(h.elicitations.at(-1)).toContain('Payroll Auditor');

    const revoked = await h.call('remove_permissions_from_users', { permissionIds: [pid], userIds: [uid] });
    expect(revoked.isError).toBeFalsy();
    expect(h.sandbox.snapshot().userPermissions[pid] ?? []).not.toContain(uid);
  });

  it('add_users_to_group and remove_users_from_group', async () => {
    const gid = DEMO_GROUPS.contractors.userGroupId;
    const uid = DEMO_USERS.dana.userId;
    const added = await h.call('add_users_to_group', { userGroupId: gid, userIds: [uid] });
    expect(added.isError).toBeFalsy();
    expect(groupIn(gid)?.memberIds).toContain(uid);
    const removed = await h.call('remove_users_from_group', { userGroupId: gid, userIds: [uid] });
    expect(removed.isError).toBeFalsy();
    expect(groupIn(gid)?.memberIds).not.toContain(uid);
  });

  it('assign_permissions_to_group and remove_permissions_from_group', async () => {
    const gid = DEMO_GROUPS.contractors.userGroupId;
    const pid = DEMO_PERMISSIONS.headcount.permissionId;
    const start = [...(groupIn(gid)?.permissionIds ?? [])];
    const granted = await h.call('assign_permissions_to_group', { userGroupId: gid, permissionIds: [pid] });
    expect(granted.isError).toBeFalsy();
    expect([...(groupIn(gid)?.permissionIds ?? [])].sort()).toEqual([...new Set([...start, pid])].sort());
    const revoked = await h.call('remove_permissions_from_group', { userGroupId: gid, permissionIds: [pid] });
    expect(revoked.isError).toBeFalsy();
    expect([...(groupIn(gid)?.permissionIds ?? [])].sort()).toEqual(start.filter((p) => p !== pid).sort());
  });

  it('create_user_groups, update_user_groups and delete_user_groups', async () => {
    const created = await h.call('create_user_groups', {
      userGroups: [
        {
          displayName: 'Audit Team',
          description: 'Quarterly audit',
          permissionIds: [DEMO_PERMISSIONS.payrollAuditor.permissionId],
        },
      ],
    });
    expect(created.isError).toBeFalsy();
    const { successes, failures } = created.structuredContent as {
      successes: { userGroupId: string }[];
      failures: unknown[];
    };
    expect(failures).toEqual([]);
    const gid = successes[0]!.userGroupId;
    expect(groupIn(gid)).toMatchObject({
      displayName: 'Audit Team',
      description: 'Quarterly audit',
      permissionIds: [DEMO_PERMISSIONS.payrollAuditor.permissionId],
    });

    const updated = await h.call('update_user_groups', {
      userGroups: [{ userGroupId: gid, description: 'Yearly audit' }],
    });
    expect(updated.isError).toBeFalsy();
    expect(groupIn(gid)).toMatchObject({ displayName: 'Audit Team', description: 'Yearly audit' });

    const deleted = await h.call('delete_user_groups', { userGroupIds: [gid] });
    expect(deleted.isError).toBeFalsy();
    expect(groupIn(gid)).toBeUndefined();
  });

  it('bulk_create_users, bulk_update_users and bulk_delete_users account for every item', async () => {
    const users = Array.from({ length: 12 }, (_, i) => ({
      username: `bulk.${i}@wff-demo.example`,
      displayName: `Bulk ${i}`,
    }));
    const created = await h.call('bulk_create_users', { users });
    const c = created.structuredContent as {
      succeeded: number;
      failed: number;
      notAttempted: number;
      items: { userId: string; status: string }[];
    };
    expect([c.succeeded, c.failed, c.notAttempted]).toEqual([12, 0, 0]);
    const ids = c.items.map((i) => i.userId);
    expect(ids.map((id) => userIn(id)?.displayName)).toEqual(users.map((u) => u.displayName));

    const updated = await h.call('bulk_update_users', {
      users: ids.map((userId) => ({ userId, accountEnabled: false })),
    });
    expect((updated.structuredContent as { succeeded: number }).succeeded).toBe(12);
    expect(ids.map((id) => userIn(id)?.accountEnabled)).toEqual(ids.map(() => false));

    const deleted = await h.call('bulk_delete_users', { userIds: ids });
    expect((deleted.structuredContent as { succeeded: number }).succeeded).toBe(12);
    expect(ids.map(userIn)).toEqual(ids.map(() => undefined));
    expect(textOf(deleted)).toContain('Delete users: 12 succeeded, 0 failed, 0 not attempted.');
  });
});

describe('confirmation by token when the client cannot elicit', () => {
  it('the preview names every tenant the change reaches and the projects it lands in', async () => {
    const t = await startHarness({ users: 20 });
    try {
      const { primary, secondary } = t.sandbox.tenants;
      const made = await t.call('create_project', { name: 'Grants', tenantCode: secondary });
      const project = (made.structuredContent as { project: { projectId: string } }).project.projectId;
      const first = await t.call('assign_permissions_to_users', {
        permissionIds: [DEMO_PERMISSIONS.payrollAuditor.permissionId],
        userIds: [DEMO_USERS.dana.userId],
        targetProjectForTenants: [{ tenantCode: secondary, projectId: project }],
      });
      expect(first.isError).toBe(true);
      const { preview } = first._meta![CONFIRMATION_META_KEY] as { preview: { summary: string } };
      expect(preview.summary).toBe(
        // Read where the grant lands: Dana is a user of the primary tenant only.
        `Grant "Payroll Auditor" (${DEMO_PERMISSIONS.payrollAuditor.permissionId}) to 1 user (1 not found), inside tenant "${secondary}" project "${project}"` +
          ` (read there) [tenants ${primary}, ${secondary}, production]`,
      );
      expect(textOf(first)).toContain(`[tenants ${primary}, ${secondary}, production]`);
    } finally {
      await t.close();
    }
  });

  it('the first call returns a preview and token; the same call with the token acts', async () => {
    const t = await startHarness({ users: 20 });
    try {
      const gid = DEMO_GROUPS.executives.userGroupId;
      const args = { userGroupId: gid, userIds: [DEMO_USERS.dana.userId] };
      const first = await t.call('add_users_to_group', args);
      expect(first.isError).toBe(true);
      expect(first.structuredContent).toBeUndefined();
      const s = first._meta?.[CONFIRMATION_META_KEY] as {
        confirmationToken: string;
        preview: { summary: string; targets: { kind: string; before?: string[]; after?: string[] }[] };
      };
      // The model reads the token in the text (clients may show it only that); _meta carries it for programs.
      expect(textOf(first)).toContain(s.confirmationToken);
      expect(s.preview.summary).toBe(
        `Add 1 user to group "Executives" [tenant ${t.sandbox.tenants.primary}, production]`,
      );
      // What joining grants, in the words the approving human reads: permission names, not just ids.
      const snapshot = t.sandbox.snapshot();
      const grants = snapshot.userGroups
        .find((g) => g.userGroupId === gid)!
        .permissionIds.map((pid) => {
          const name = snapshot.permissions.find((p) => p.permissionId === pid)!.displayName;
          return `"${name}" (${pid})`;
        });
      expect(grants.length).toBeGreaterThan(0);
      expect(s.preview.targets.find((x) => x.kind === 'user-group')?.before).toEqual([
        expect.stringMatching(/^group: "Executives"/),
        `permissions: ${grants.join(', ')}`,
        expect.stringMatching(/^members added by hand: /),
      ]);
      // What joining newly gives Dana: the group's permissions she holds no other way.
      const dana = DEMO_USERS.dana.userId;
      const held = new Set([
        ...Object.entries(snapshot.userPermissions).flatMap(([pid, holders]) => (holders.includes(dana) ? [pid] : [])),
        ...snapshot.userGroups.filter((g) => g.memberIds.includes(dana)).flatMap((g) => g.permissionIds),
      ]);
      const newly = snapshot.userGroups
        .find((g) => g.userGroupId === gid)!
        .permissionIds.filter((pid) => !held.has(pid))
        .sort()
        .map((pid) => `"${snapshot.permissions.find((p) => p.permissionId === pid)!.displayName}" (${pid})`);
      expect(newly.length).toBeGreaterThan(0);
      expect(s.preview.targets.find((x) => x.kind === 'user')?.after).toEqual([`can newly use ${newly.join(', ')}`]);
      expect(t.sandbox.snapshot().userGroups.find((g) => g.userGroupId === gid)?.memberIds).not.toContain(
        DEMO_USERS.dana.userId,
      );

      const second = await t.call('add_users_to_group', { ...args, confirmationToken: s.confirmationToken });
      expect(second.isError).toBeFalsy();
      expect(t.sandbox.snapshot().userGroups.find((g) => g.userGroupId === gid)?.memberIds).toContain(
        DEMO_USERS.dana.userId,
      );
    } finally {
      await t.close();
    }
  });

  it('a deletion preview shows what the user holds now, and nothing is deleted without the token', async () => {
    const t = await startHarness({ users: 20 });
    try {
      const r = await t.call('delete_user', { userId: DEMO_USERS.dana.userId });
      expect(r.isError).toBe(true);
      const { preview } = r._meta![CONFIRMATION_META_KEY] as {
        preview: { summary: string; targets: { id: string; before: string[]; after: string[] }[] };
      };
      expect(preview.summary).toBe(
        `Delete user "${DEMO_USERS.dana.username}" (${DEMO_USERS.dana.userId}) [tenant ${t.sandbox.tenants.primary}, production]`,
      );
      const [target] = preview.targets;
      expect(target?.after).toEqual(['deleted']);
      expect(target?.before.filter((l) => /^(permissions|user groups|profiles): /.test(l))).toHaveLength(3);
      const groups = t.sandbox.snapshot().userGroups.filter((g) => g.memberIds.includes(DEMO_USERS.dana.userId));
      expect(groups.length).toBeGreaterThan(0);
      const groupLine = target?.before.find((l) => l.startsWith('user groups: '));
      for (const g of groups) expect(groupLine).toContain(`"${g.displayName}" (${g.userGroupId})`);
      expect(t.sandbox.snapshot().users.some((u) => u.userId === DEMO_USERS.dana.userId)).toBe(true);
    } finally {
      await t.close();
    }
  });
});

describe('get_report saving', () => {
  it('saves the XLSX under the operator-set directory with a server-chosen name', async () => {
    const { mkdtempSync, statSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join, dirname, basename } = await import('node:path');
    const dir = mkdtempSync(join(tmpdir(), 'vam-reports-'));
    const t = await startHarness({ users: 20, reportDir: dir });
    try {
      const r = await t.call('get_report', { report: 'permission-assignments', maxRows: 1, save: true });
      const { savedTo } = r.structuredContent as { savedTo: string };
      expect(dirname(savedTo)).toBe(dir);
      expect(basename(savedTo)).toMatch(/^permission-assignments-[\dT-]+Z\.xlsx$/);
      expect(statSync(savedTo).size).toBeGreaterThan(0);
    } finally {
      await t.close();
    }
  });
});
