import { readFile, writeFile } from 'node:fs/promises';
import type { CallToolResult } from '@modelcontextprotocol/client';
import { describe, expect, it } from 'vitest';
import { ChangeJournal } from '../../src/journal/journal.js';
import {
  DEMO_CREDENTIALS,
  DEMO_GROUPS,
  DEMO_PERMISSIONS,
  DEMO_PROFILES,
  DEMO_USERS,
  type SandboxHandle,
} from '../../src/sandbox/index.js';
import { CONFIRM_SECRET, changeRequests, dataRequests, type E2E, e2eSuite, textOf } from '../guards/e2e-harness.js';
import { clientFor } from '../visier/harness.js';
import { changeIdOf, journals, ok } from './journal-harness.js';

// Undo round trips through an SDK client against the sandbox: for every change class the tenant after the undo
// equals the tenant before the change, exactly (a re-created object compared under its new id).

const suite = e2eSuite();
const { folderIn, freshJournal, withJournal } = journals(suite, 'journal-undo-');

/** The primary tenant, order-free, with ids renamed (a re-created object under the id it had). */
function tenant(sandbox: SandboxHandle, rename: Record<string, string> = {}) {
  const id = (x: string) => rename[x] ?? x;
  const snap = sandbox.snapshot();
  return {
    users: snap.users.map((u) => ({ ...u, userId: id(u.userId) })).sort((a, b) => a.userId.localeCompare(b.userId)),
    userGroups: snap.userGroups
      .map((g) => ({
        ...g,
        userGroupId: id(g.userGroupId),
        permissionIds: [...g.permissionIds].sort(),
        memberIds: g.memberIds.map(id).sort(),
      }))
      .sort((a, b) => a.userGroupId.localeCompare(b.userGroupId)),
    userPermissions: Object.fromEntries(
      Object.entries(snap.userPermissions)
        .map(([p, holders]) => [p, holders.map(id).sort()] as const)
        .filter(([, holders]) => holders.length > 0)
        .sort(([a], [b]) => a.localeCompare(b)),
    ),
  };
}

const dana = DEMO_USERS.dana.userId;
const mallory = DEMO_USERS.mallory.userId;
const payroll = DEMO_PERMISSIONS.payrollAuditor.permissionId;
const headcount = DEMO_PERMISSIONS.headcount.permissionId;
const sales = DEMO_GROUPS.salesAnalysts.userGroupId;

interface RoundTrip {
  tool: string;
  args: (sandbox: SandboxHandle) => Record<string, unknown>;
  /** What the undo sends, as `METHOD path` (after its reads). */
  undoSends: (result: CallToolResult) => string[];
}

const ROUND_TRIPS: Record<string, RoundTrip> = {
  'direct grant': {
    tool: 'assign_permissions_to_users',
    args: () => ({ permissionIds: [payroll], userIds: [dana] }),
    undoSends: () => ['DELETE /v1/admin/permissions/users'],
  },
  'direct revoke': {
    tool: 'remove_permissions_from_users',
    args: (s) => ({
      permissionIds: [
        Object.keys(s.snapshot().userPermissions).find((p) => s.snapshot().userPermissions[p]?.length) as string,
      ],
      userIds: [
        s.snapshot().userPermissions[
          Object.keys(s.snapshot().userPermissions).find((p) => s.snapshot().userPermissions[p]?.length) as string
        ]?.[0] as string,
      ],
    }),
    undoSends: () => ['PUT /v1/admin/permissions/users'],
  },
  'group join': {
    tool: 'add_users_to_group',
    args: () => ({ userGroupId: sales, userIds: [mallory] }),
    undoSends: () => ['PATCH /v2/admin/user-groups'],
  },
  'group leave': {
    tool: 'remove_users_from_group',
    args: () => ({ userGroupId: sales, userIds: [dana] }),
    undoSends: () => ['PATCH /v2/admin/user-groups'],
  },
  'group grant': {
    tool: 'assign_permissions_to_group',
    args: () => ({ userGroupId: sales, permissionIds: [payroll] }),
    undoSends: () => ['PATCH /v2/admin/user-groups'],
  },
  'group revoke': {
    tool: 'remove_permissions_from_group',
    args: (s) => ({
      userGroupId: sales,
      permissionIds: [s.snapshot().userGroups.find((g) => g.userGroupId === sales)?.permissionIds[0] as string],
    }),
    undoSends: () => ['PATCH /v2/admin/user-groups'],
  },
  'profile fields': {
    tool: 'update_user',
    args: () => ({ userId: dana, displayName: 'Dana W.', email: 'dw@example.com' }),
    undoSends: () => [`PUT /v1/admin/users/${dana}`],
  },
  'user created': {
    tool: 'create_user',
    args: () => ({ username: 'new.hire@wff-demo.example', displayName: 'New Hire' }),
    undoSends: (r) => [`DELETE /v1/admin/users/${(r.structuredContent as { user: { userId: string } }).user.userId}`],
  },
  'group created': {
    tool: 'create_user_groups',
    args: () => ({ userGroups: [{ displayName: 'Temp group', permissionIds: [headcount], userIds: [dana] }] }),
    undoSends: () => ['DELETE /v2/admin/user-groups'],
  },
  'group updated': {
    tool: 'update_user_groups',
    args: () => ({
      userGroups: [{ userGroupId: sales, displayName: 'Renamed', description: 'x', userIds: [mallory] }],
    }),
    undoSends: () => ['PATCH /v2/admin/user-groups'],
  },
  'users bulk-updated': {
    tool: 'bulk_update_users',
    args: () => ({
      users: [
        { userId: dana, displayName: 'Bulk Dana' },
        { userId: mallory, accountEnabled: false },
      ],
    }),
    undoSends: () => [`PUT /v1/admin/users/${dana}`, `PUT /v1/admin/users/${mallory}`],
  },
};

describe('undo_change: a round trip for every change class restores the tenant exactly', () => {
  it.each(Object.entries(ROUND_TRIPS))('%s', async (_label, trip) => {
    const path = freshJournal();
    const start = tenant(suite.sandbox);
    let changeId = '';
    let made: CallToolResult | undefined;
    await withJournal(path, async (e2e) => {
      made = ok(await e2e.call(trip.tool, trip.args(suite.sandbox)));
      changeId = changeIdOf(made);
      expect(tenant(suite.sandbox)).not.toEqual(start);
      suite.sandbox.clearRequests();
      const undone = ok(await e2e.call('undo_change', { changeId }));
      expect(
        changeRequests(suite.sandbox)
          .map((r) => `${r.method} ${r.path}`)
          .sort(),
      ).toEqual(trip.undoSends(made as CallToolResult).sort());
      expect(tenant(suite.sandbox)).toEqual(start);
      // The undo is journaled too, and links to its own audit line.
      const [undo] = new ChangeJournal(path).entries().slice(-1);
      expect(undo).toMatchObject({ tool: 'undo_change', args: { changeId }, confirmation: { method: 'elicitation' } });
      expect(textOf(undone)).toContain(`Undo of ${changeId}`);
    });
  });
});

describe('undo_change: objects deleted come back with what they held', () => {
  it('a deleted user is re-created with username, profile fields, permissions and groups; the new userId is reported', async () => {
    const path = freshJournal();
    await withJournal(path, async (e2e) => {
      const made = ok(
        await e2e.call('create_user', {
          username: 'leaver@wff-demo.example',
          displayName: 'Lee Leaver',
          email: 'lee@wff-demo.example',
          employeeId: 'E999001',
        }),
      );
      const lee = (made.structuredContent as { user: { userId: string } }).user.userId;
      ok(await e2e.call('assign_permissions_to_users', { permissionIds: [payroll], userIds: [lee] }));
      ok(await e2e.call('add_users_to_group', { userGroupId: sales, userIds: [lee] }));
      const start = tenant(suite.sandbox);
      const deleted = ok(await e2e.call('delete_user', { userId: lee }));
      suite.sandbox.clearRequests();
      const undone = ok(await e2e.call('undo_change', { changeId: changeIdOf(deleted) }));
      const steps = (undone.structuredContent as { steps: { action: string; newId?: string }[] }).steps;
      const newId = steps.find((s) => s.action === 're-create')?.newId as string;
      expect(newId).toMatch(/^[0-9a-f-]{36}$/);
      expect(newId).not.toBe(lee);
      expect(textOf(undone)).toContain(`-> new id ${newId}`);
      expect(tenant(suite.sandbox, { [newId]: lee })).toEqual(start);
      // Reads (one user each): preview and re-preview after the answer (each with the permission catalogue),
      // journal before, the plan, the new user's holdings, and the journal after (the old id and the new).
      expect(changeRequests(suite.sandbox).map((r) => `${r.method} ${r.path}`)).toEqual([
        'POST /v1/admin/users',
        'PUT /v1/admin/permissions/users',
        'PUT /v1/admin/user-groups/users',
      ]);
      expect(dataRequests(suite.sandbox).filter((r) => r.method === 'GET')).toHaveLength(9);

      // Undoing the undo deletes the re-created user again (destructive: the name is typed).
      const again = ok(await e2e.call('undo_change', { changeId: changeIdOf(undone) }));
      expect(textOf(again)).toContain('delete');
      expect(suite.sandbox.snapshot().users.some((u) => u.userId === newId)).toBe(false);
      // And the undo of that brings Lee back once more.
      const back = ok(await e2e.call('undo_change', { changeId: changeIdOf(again) }));
      const restoredId = (back.structuredContent as { steps: { newId?: string }[] }).steps.find((s) => s.newId)
        ?.newId as string;
      expect(tenant(suite.sandbox, { [restoredId]: lee })).toEqual(start);
      ok(await e2e.call('delete_user', { userId: restoredId }));
    });
  });

  it('bulk-deleted users are re-created', async () => {
    const path = freshJournal();
    await withJournal(path, async (e2e) => {
      const created = ok(
        await e2e.call('bulk_create_users', {
          users: [
            { username: 'a.one@wff-demo.example', displayName: 'A One' },
            { username: 'b.two@wff-demo.example', displayName: 'B Two' },
          ],
        }),
      );
      const ids = (created.structuredContent as { items: { userId: string }[] }).items.map((i) => i.userId);
      const start = tenant(suite.sandbox);
      const deleted = ok(await e2e.call('bulk_delete_users', { userIds: ids }));
      const undone = ok(await e2e.call('undo_change', { changeId: changeIdOf(deleted) }));
      const steps = (undone.structuredContent as { steps: { id: string; newId?: string }[] }).steps;
      const rename = Object.fromEntries(steps.filter((s) => s.newId).map((s) => [s.newId as string, s.id]));
      expect(Object.keys(rename)).toHaveLength(2);
      expect(tenant(suite.sandbox, rename)).toEqual(start);
      // The creation cannot be undone now: those userIds are gone (their accounts live on under new ids).
      const stale = await e2e.call('undo_change', { changeId: changeIdOf(created) });
      expect(textOf(stale)).toContain('existed after the change, no longer exists now');
      ok(await e2e.call('bulk_delete_users', { userIds: Object.keys(rename) }));
    });
  });

  it('a deleted group is re-created with its definition, permissions and members', async () => {
    const path = freshJournal();
    await withJournal(path, async (e2e) => {
      const created = ok(
        await e2e.call('create_user_groups', {
          userGroups: [
            { displayName: 'Doomed', description: 'd', permissionIds: [headcount], userIds: [dana, mallory] },
          ],
        }),
      );
      const groupId = (created.structuredContent as { successes: { userGroupId: string }[] }).successes[0]
        ?.userGroupId as string;
      const start = tenant(suite.sandbox);
      const deleted = ok(await e2e.call('delete_user_groups', { userGroupIds: [groupId] }));
      const undone = ok(await e2e.call('undo_change', { changeId: changeIdOf(deleted) }));
      const newId = (undone.structuredContent as { steps: { newId?: string }[] }).steps[0]?.newId as string;
      expect(tenant(suite.sandbox, { [newId]: groupId })).toEqual(start);
      ok(await e2e.call('delete_user_groups', { userGroupIds: [newId] }));
    });
  });
});

describe('undo_change: profiles', () => {
  const profilesOf = async (e2e: E2E, userId: string) =>
    (ok(await e2e.call('list_user_profiles', { userId })).structuredContent as { profiles: unknown[] }).profiles;
  const manager = DEMO_PROFILES.manager.profileId;
  const VALIDITY = { validityStartTime: '2026-01-01', validityEndTime: '2026-07-01T00:00:00Z' };

  it('an assignment undone is removed; a removal undone is assigned again with its validity', async () => {
    await withJournal(freshJournal(), async (e2e) => {
      const start = await profilesOf(e2e, mallory);
      const assigned = ok(await e2e.call('assign_profile', { profileId: manager, userIds: [mallory], ...VALIDITY }));
      const given = await profilesOf(e2e, mallory);
      expect(given).not.toEqual(start);
      suite.sandbox.clearRequests();
      ok(await e2e.call('undo_change', { changeId: changeIdOf(assigned) }));
      expect(changeRequests(suite.sandbox).map((r) => `${r.method} ${r.path}`)).toEqual([
        `DELETE /v1/admin/profiles/${manager}/remove`,
      ]);
      expect(await profilesOf(e2e, mallory)).toEqual(start);

      ok(await e2e.call('assign_profile', { profileId: manager, userIds: [mallory], ...VALIDITY }));
      const removed = ok(await e2e.call('remove_profile', { profileId: manager, userIds: [mallory] }));
      expect(await profilesOf(e2e, mallory)).toEqual(start);
      suite.sandbox.clearRequests();
      ok(await e2e.call('undo_change', { changeId: changeIdOf(removed) }));
      expect(changeRequests(suite.sandbox).map((r) => `${r.method} ${r.path}`)).toEqual([
        `PUT /v1/admin/profiles/${manager}/assign`,
      ]);
      expect(await profilesOf(e2e, mallory)).toEqual(given);
      ok(await e2e.call('remove_profile', { profileId: manager, userIds: [mallory] }));
    });
  });
});

describe('undo_change previews', () => {
  it('a privileged permission given back is flagged to the person who approves', async () => {
    const admin = DEMO_PERMISSIONS.admin.permissionId;
    await withJournal(freshJournal(), async (e2e) => {
      ok(await e2e.call('assign_permissions_to_users', { permissionIds: [admin], userIds: [mallory] }));
      const revoked = ok(
        await e2e.call('remove_permissions_from_users', { permissionIds: [admin], userIds: [mallory] }),
      );
      ok(await e2e.call('undo_change', { changeId: changeIdOf(revoked) }));
      const asked = e2e.elicited.at(-1)?.message ?? '';
      expect(asked).toContain('grants privileged "Admin (Full Access)" again');
      expect(asked).toContain(`permissionIds: "Admin (Full Access)" (${admin})`);
      ok(await e2e.call('remove_permissions_from_users', { permissionIds: [admin], userIds: [mallory] }));
    });
  });
});

describe('undo_change refuses', () => {
  it('when the object changed since the change, saying what differs; nothing is sent and no one is asked', async () => {
    const path = freshJournal();
    await withJournal(path, async (e2e) => {
      const made = ok(await e2e.call('update_user', { userId: dana, displayName: 'First' }));
      const later = ok(await e2e.call('update_user', { userId: dana, displayName: 'Second' }));
      const asked = e2e.elicited.length;
      suite.sandbox.clearRequests();
      const refused = await e2e.call('undo_change', { changeId: changeIdOf(made) });
      expect(refused.isError).toBe(true);
      expect(textOf(refused)).toContain(`user ${dana}: displayName was "First", now "Second"`);
      expect(textOf(refused)).toContain('Nothing was sent.');
      expect(changeRequests(suite.sandbox)).toEqual([]);
      expect(dataRequests(suite.sandbox)).toHaveLength(1);
      expect(e2e.elicited).toHaveLength(asked);
      const audit = (await e2e.auditLines()).at(-1);
      expect(audit).toMatchObject({ tool: 'undo_change', decision: 'refused', reason: 'changed-since' });
      // The later change undone first, the first one may be.
      ok(await e2e.call('undo_change', { changeId: changeIdOf(later) }));
      ok(await e2e.call('undo_change', { changeId: changeIdOf(made) }));
      expect(suite.sandbox.snapshot().users.find((u) => u.userId === dana)?.displayName).toBe(
        DEMO_USERS.dana.displayName,
      );
    });
  });

  it('an unknown change id, and a change made on another tenant', async () => {
    const path = freshJournal();
    await withJournal(path, async (e2e) => {
      const unknown = await e2e.call('undo_change', { changeId: 'chg_0123456789abcdef' });
      expect(textOf(unknown)).toContain('No change chg_0123456789abcdef in the journal');
      const made = ok(await e2e.call('update_user', { userId: dana, displayName: 'Elsewhere' }));
      const wrong = await e2e.call('undo_change', {
        changeId: changeIdOf(made),
        tenantCode: suite.sandbox.tenants.secondary,
      });
      expect(textOf(wrong)).toContain(`was made on tenant "${suite.sandbox.tenants.primary}", production`);
      ok(await e2e.call('undo_change', { changeId: changeIdOf(made) }));
    });
  });
});

describe('the journal', () => {
  it('survives a restart: a new server on the same file lists the change and undoes it', async () => {
    const path = freshJournal();
    // A restarted server keeps its audit log and so its audit key, which signs and checks journal entries.
    const auditDir = await folderIn('restart-audit-');
    const start = tenant(suite.sandbox);
    let changeId = '';
    await withJournal(
      path,
      async (e2e) => {
        changeId = changeIdOf(
          ok(await e2e.call('assign_permissions_to_users', { permissionIds: [payroll], userIds: [dana] })),
        );
      },
      auditDir,
    );
    await withJournal(
      path,
      async (e2e) => {
        const listed = ok(await e2e.call('list_recent_changes', {}));
        expect(textOf(listed)).toContain(`${changeId} `);
        expect(textOf(listed)).toContain('assign_permissions_to_users on WFF_demo~c01, confirmed by elicitation');
        expect(textOf(listed)).toContain(`user ${dana} permissionIds`);
        const [entry] = (listed.structuredContent as { changes: Record<string, unknown>[] }).changes;
        const auditLine = (await e2e.auditLines()).length;
        expect(entry).toMatchObject({ id: changeId, tool: 'assign_permissions_to_users', partial: false });
        expect(auditLine).toBeGreaterThan(0);
        ok(await e2e.call('undo_change', { changeId }));
        expect(tenant(suite.sandbox)).toEqual(start);
      },
      auditDir,
    );
  });

  it('an entry edited by hand, or signed with another audit key, is refused and nothing is sent', async () => {
    const path = freshJournal();
    let changeId = '';
    await withJournal(path, async (e2e) => {
      changeId = changeIdOf(ok(await e2e.call('update_user', { userId: dana, displayName: 'Signed' })));
      // The line edited by hand: its signature no longer covers what it says.
      const text = await readFile(path, 'utf8');
      await writeFile(path, text.replace('"Signed"', '"Edited"'));
      suite.sandbox.clearRequests();
      const edited = await e2e.call('undo_change', { changeId });
      expect(edited.isError).toBe(true);
      expect(textOf(edited)).toContain('does not verify');
      expect(changeRequests(suite.sandbox)).toEqual([]);
      await writeFile(path, text);
      const listed = ok(await e2e.call('list_recent_changes', {}));
      expect((listed.structuredContent as { changes: { verified: boolean }[] }).changes[0]?.verified).toBe(true);
    });
    // Another server, with another audit key, does not take this one's entries for its own.
    await withJournal(path, async (e2e) => {
      const other = await e2e.call('undo_change', { changeId });
      expect(other.isError).toBe(true);
      expect(textOf(other)).toContain('does not verify');
      expect(textOf(ok(await e2e.call('list_recent_changes', {})))).toContain('UNVERIFIED');
    });
    const c = clientFor(suite.sandbox);
    await c.updateUser(dana, { displayName: DEMO_USERS.dana.displayName });
    c.close();
  });

  it('links each entry to its audit line and holds no secret', async () => {
    const path = freshJournal();
    await withJournal(path, async (e2e) => {
      ok(await e2e.call('update_user', { userId: dana, displayName: 'Linked' }));
      const [entry] = new ChangeJournal(path).entries();
      const lines = await e2e.auditLines();
      const line = lines.find((l) => l.seq === entry?.audit?.seq);
      expect(line).toMatchObject({ tool: 'update_user', decision: 'allowed', hash: entry?.audit?.hash });
      expect(entry).toMatchObject({ decision: 'allowed', partial: false });
      expect(entry?.confirmation).toBeUndefined();
      ok(await e2e.call('undo_change', { changeId: entry?.id as string }));
    });
    const text = await readFile(path, 'utf8');
    for (const secret of [
      DEMO_CREDENTIALS.password,
      DEMO_CREDENTIALS.apiKey,
      DEMO_CREDENTIALS.clientSecret,
      CONFIRM_SECRET,
    ]) {
      expect(text).not.toContain(secret);
    }
  });

  it('pages newest first with a cursor that stays put while changes are added', async () => {
    const path = freshJournal();
    await withJournal(path, async (e2e) => {
      const ids: string[] = [];
      for (const name of ['P1', 'P2', 'P3'])
        ids.push(changeIdOf(ok(await e2e.call('update_user', { userId: dana, displayName: name }))));
      const first = ok(await e2e.call('list_recent_changes', { limit: 2 }));
      const page = first.structuredContent as { changes: { id: string }[]; nextCursor: string };
      expect(page.changes.map((c) => c.id)).toEqual([ids[2], ids[1]]);
      ids.push(changeIdOf(ok(await e2e.call('update_user', { userId: dana, displayName: 'P4' }))));
      const second = ok(await e2e.call('list_recent_changes', { limit: 2, cursor: page.nextCursor }));
      expect((second.structuredContent as { changes: { id: string }[] }).changes.map((c) => c.id)).toEqual([ids[0]]);
      for (const id of [...ids].reverse()) ok(await e2e.call('undo_change', { changeId: id }));
    });
  });
});
