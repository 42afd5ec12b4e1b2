import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_GROUPS, DEMO_PERMISSIONS, DEMO_USERS, INJECTION_TEXT } from '../../src/sandbox/index.js';
import { DIRECTORY_TEXT_KEY, DIRECTORY_TEXT_NOTICE, ERROR_META_KEY } from '../../src/server.js';
import { type Harness, SANDBOX_LINE, startHarness, textOf } from './harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

describe('read tools against the sandbox', () => {
  it('list_users returns the first page with the chosen fields and a cursor that resumes exactly', async () => {
    const all = h.sandbox.snapshot().users;
    const first = await h.call('list_users', { limit: 3, fields: ['username', 'displayName'] });
    expect(first.isError).toBeFalsy();
    const s = first.structuredContent as { users: unknown[]; returned: number; nextCursor: string };
    expect(s.users).toEqual(
      all.slice(0, 3).map((u) => ({ userId: u.userId, username: u.username, displayName: u.displayName })),
    );
    expect(s.returned).toBe(3);
    const text = textOf(first);
    expect(text.split('\n')[0]).toBe(SANDBOX_LINE);
    expect(text).toContain(`${DEMO_USERS.dana.userId} ${DEMO_USERS.dana.username} "Dana Whitfield"`);
    expect(first._meta).toEqual({ 'visier-admin-mcp/sandbox': true });

    const second = await h.call('list_users', { limit: 3, cursor: s.nextCursor });
    const s2 = second.structuredContent as { users: { userId: string }[] };
    expect(s2.users.map((u) => u.userId)).toEqual(all.slice(3, 6).map((u) => u.userId));
  });

  it('list_users pages through the whole directory with no gap or repeat', async () => {
    const all = h.sandbox.snapshot().users.map((u) => u.userId);
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const r = await h.call('list_users', { limit: 100, fields: ['userId'], ...(cursor ? { cursor } : {}) });
      const s = r.structuredContent as { users: { userId: string }[]; nextCursor?: string };
      seen.push(...s.users.map((u) => u.userId));
      cursor = s.nextCursor;
    } while (cursor);
    expect(seen).toEqual(all);
  });

  it('list_users stops early under the size cap and says so', async () => {
    const small = await startHarness({ maxResultChars: 2000, users: 50 });
    try {
      const r = await small.call('list_users', { limit: 50 });
      const s = r.structuredContent as { users: { userId: string }[]; nextCursor?: string; returned: number };
      expect(s.returned).toBeLessThan(50);
      expect(s.returned).toBeGreaterThan(0);
      expect(textOf(r).length).toBeLessThanOrEqual(2000);
      expect(textOf(r)).toContain('page cut short');
      const next = await small.call('list_users', { limit: 1, fields: ['userId'], cursor: s.nextCursor });
      const all = small.sandbox.snapshot().users;
      expect((next.structuredContent as { users: { userId: string }[] }).users[0]?.userId).toBe(
        all[s.returned]?.userId,
      );
    } finally {
      await small.close();
    }
  });

  it('list_users search finds by name, and fences directory text', async () => {
    const r = await h.call('list_users', { search: 'whitfield' });
    const s = r.structuredContent as { users: unknown[] };
    const dana = h.sandbox.snapshot().users.find((u) => u.userId === DEMO_USERS.dana.userId)!;
    // A listing shows the default fields; get_user has the rest.
    expect(s.users).toEqual([
      { userId: dana.userId, username: dana.username, displayName: dana.displayName, accountEnabled: true },
    ]);
    const text = textOf(r);
    expect(text).toMatch(/<directory-data id="[0-9a-f]{12}">/);
    expect(text).toContain(`${dana.userId} ${dana.username} "Dana Whitfield"\n`);
  });

  it('an invalid cursor is a clear error', async () => {
    const r = await h.call('list_users', { cursor: 'not-a-cursor' });
    expect(r.isError).toBe(true);
    expect(textOf(r)).toContain('cursor: not a cursor this server issued');
  });

  it('get_user returns the user with permissions, groups and profiles; injection text stays fenced data', async () => {
    const r = await h.call('get_user', { userId: DEMO_USERS.mallory.userId });
    const user = (r.structuredContent as { user: { userId: string; displayName: string; permissions?: unknown[] } })
      .user;
    expect(user.userId).toBe(DEMO_USERS.mallory.userId);
    expect(user.displayName).toBe(INJECTION_TEXT);
    // Structured output cannot be fenced; it carries the label in the data itself.
    expect((r.structuredContent as Record<string, unknown>)[DIRECTORY_TEXT_KEY]).toBe(DIRECTORY_TEXT_NOTICE);
    const text = textOf(r);
    const open = text.indexOf('<directory-data');
    expect(open).toBeGreaterThan(0);
    expect(text.indexOf(INJECTION_TEXT)).toBeGreaterThan(open);
  });

  it('get_user on an unknown id says what to do next', async () => {
    const r = await h.call('get_user', { userId: 'no-such-user' });
    expect(r.isError).toBe(true);
    expect(textOf(r)).toMatch(
      /^\[sandbox tenant: demo data\]\nVisier error \(HTTP 404, code NotFound, rci [\w-]+\)\. Next: no user has this userId \(list_users finds ids by name\)\. Visier's message:\n<directory-data id="[0-9a-f]+">[^\n]*\n[^\n]*no-such-user[^\n]*\n<\/directory-data id="[0-9a-f]+">$/,
    );
    expect(r.structuredContent).toBeUndefined();
    expect((r._meta![ERROR_META_KEY] as { status: number }).status).toBe(404);
  });

  it('list_permissions lists every permission and filters by search', async () => {
    const all = h.sandbox.snapshot().permissions;
    const r = await h.call('list_permissions', {});
    expect((r.structuredContent as { permissions: unknown[] }).permissions).toEqual(all);
    const found = await h.call('list_permissions', { search: 'payroll' });
    expect(
      (found.structuredContent as { permissions: { permissionId: string }[] }).permissions.map((p) => p.permissionId),
    ).toEqual([DEMO_PERMISSIONS.payrollAuditor.permissionId]);
  });

  it('list_permissions pages with cursors', async () => {
    const all = h.sandbox.snapshot().permissions.map((p) => p.permissionId);
    const a = await h.call('list_permissions', { limit: 5 });
    const sa = a.structuredContent as { permissions: { permissionId: string }[]; nextCursor: string };
    const b = await h.call('list_permissions', { limit: 100, cursor: sa.nextCursor });
    const sb = b.structuredContent as { permissions: { permissionId: string }[]; nextCursor?: string };
    expect([...sa.permissions, ...sb.permissions].map((p) => p.permissionId)).toEqual(all);
    expect(sb.nextCursor).toBeUndefined();
  });

  it('list_users_with_permission matches the sandbox assignments', async () => {
    const snap = h.sandbox.snapshot();
    const pid = DEMO_PERMISSIONS.compensation.permissionId;
    const r = await h.call('list_users_with_permission', { permissionId: pid });
    const s = r.structuredContent as { users: { userId: string; tenantCode: string }[]; permissionId: string };
    expect(s.permissionId).toBe(pid);
    expect(s.users.map((u) => u.userId).sort()).toEqual([...(snap.userPermissions[pid] ?? [])].sort());
    expect(new Set(s.users.map((u) => u.tenantCode))).toEqual(new Set([h.sandbox.tenants.primary]));
  });

  it('list_user_groups, get_user_group and list_user_group_members agree with the sandbox', async () => {
    const snap = h.sandbox.snapshot();
    const groups = await h.call('list_user_groups', {});
    const listed = (groups.structuredContent as { userGroups: { userGroupId: string; displayName: string }[] })
      .userGroups;
    expect(listed.map((g) => [g.userGroupId, g.displayName])).toEqual(
      snap.userGroups.map((g) => [g.userGroupId, g.displayName]),
    );

    const gid = DEMO_GROUPS.salesAnalysts.userGroupId;
    const expected = snap.userGroups.find((g) => g.userGroupId === gid)!;
    const one = await h.call('get_user_group', { userGroupId: gid });
    const def = (one.structuredContent as { userGroup: { displayName: string; permissionIds?: string[] } }).userGroup;
    expect(def.displayName).toBe('Sales Analysts');
    expect([...(def.permissionIds ?? [])].sort()).toEqual([...expected.permissionIds].sort());

    const members = await h.call('list_user_group_members', { userGroupId: gid });
    const ids = (members.structuredContent as { users: { userId: string }[] }).users.map((u) => u.userId);
    expect(ids.sort()).toEqual([...expected.memberIds].sort());
  });

  it('get_user shows lastLogin as an ISO date-time and keeps Visier epoch milliseconds beside it', async () => {
    const r = await h.call('get_user', { userId: DEMO_USERS.dana.userId });
    const user = (r.structuredContent as { user: { lastLogin?: string; lastLoginIso?: string } }).user;
    // Dana signed in two hours before the demo epoch (2026-11-01T00:00Z); Visier sends that as epoch ms.
    expect(user.lastLogin).toBe(String(Date.UTC(2026, 9, 31, 22)));
    expect(user.lastLoginIso).toBe('2026-10-31T22:00:00.000Z');
    expect(textOf(r)).toContain(
      `${DEMO_USERS.dana.userId} ${DEMO_USERS.dana.username} "Dana Whitfield" emp:E000002 lastLogin:2026-10-31T22:00:00.000Z`,
    );
    const listed = await h.call('list_users', { search: 'whitfield', fields: ['lastLogin'] });
    expect((listed.structuredContent as { users: unknown[] }).users).toEqual([
      { userId: DEMO_USERS.dana.userId, lastLogin: user.lastLogin, lastLoginIso: '2026-10-31T22:00:00.000Z' },
    ]);
    expect(textOf(listed)).toContain(`${DEMO_USERS.dana.userId} lastLogin:2026-10-31T22:00:00.000Z`);
  });

  it('get_user says which permissions are direct and which each group grants, with one read of the groups', async () => {
    const snap = h.sandbox.snapshot();
    h.sandbox.clearRequests();
    const r = await h.call('get_user', { userId: DEMO_USERS.dana.userId });
    const groupReads = h.sandbox.requests.filter((q) => q.path === '/v1/admin/user-groups');
    expect(groupReads).toHaveLength(1);
    const user = (
      r.structuredContent as {
        user: {
          permissions: { permissionId: string }[];
          userGroups: { userGroupId: string; permissions: { permissionId: string }[] }[];
        };
      }
    ).user;
    expect(user.permissions.map((p) => p.permissionId)).toEqual([DEMO_PERMISSIONS.headcount.permissionId]);
    const danaGroups = snap.userGroups.filter((g) => g.memberIds.includes(DEMO_USERS.dana.userId));
    expect(user.userGroups.map((g) => [g.userGroupId, g.permissions.map((p) => p.permissionId).sort()])).toEqual(
      danaGroups.map((g) => [g.userGroupId, [...g.permissionIds].sort()]),
    );
    const text = textOf(r);
    expect(text).toContain(
      `permissions held directly: "Headcount Viewer" (${DEMO_PERMISSIONS.headcount.permissionId})`,
    );
    expect(text).toContain(
      `permissions through group "Sales Analysts" (${DEMO_GROUPS.salesAnalysts.userGroupId}): "Sales Performance Analyst" (${DEMO_PERMISSIONS.salesPerformance.permissionId}), "Headcount Viewer" (${DEMO_PERMISSIONS.headcount.permissionId})`,
    );
  });

  it('list_users_with_permission names the groups a holder holds it through (via)', async () => {
    const snap = h.sandbox.snapshot();
    const pid = DEMO_PERMISSIONS.headcount.permissionId;
    const granting = snap.userGroups.filter((g) => g.permissionIds.includes(pid));
    expect(granting.length).toBeGreaterThan(1);
    h.sandbox.clearRequests();
    const r = await h.call('list_users_with_permission', { permissionId: pid, includeUserGroups: true, limit: 1000 });
    const users = (
      r.structuredContent as {
        users: { userId: string; permissionFrom?: string; via?: { userGroupId: string; displayName?: string }[] }[];
      }
    ).users;
    expect(users.length).toBeGreaterThan(0);
    for (const u of users) {
      const expected = granting
        .filter((g) => g.memberIds.includes(u.userId))
        .map((g) => ({ userGroupId: g.userGroupId, displayName: g.displayName }));
      expect(u.via ?? [], u.userId).toEqual(u.permissionFrom === 'User' ? [] : expected);
    }
    const dana = users.find((u) => u.userId === DEMO_USERS.dana.userId);
    expect(dana?.permissionFrom).toBe('UserAndUserGroup');
    expect(textOf(r)).toContain(
      `${DEMO_USERS.dana.userId} ${DEMO_USERS.dana.username} direct and via group "Sales Analysts" (${DEMO_GROUPS.salesAnalysts.userGroupId}), "All Employees" (${DEMO_GROUPS.allEmployees.userGroupId}) tenant:`,
    );
    // One read of the groups; the holders' groups in one directory scan (250 users fit one page).
    expect(h.sandbox.requests.filter((q) => q.path === '/v1/admin/user-groups')).toHaveLength(1);
    expect(h.sandbox.requests.filter((q) => q.path === '/v1/admin/users')).toHaveLength(1);
  });

  it('list_users_with_permission names the only granting group without reading any user', async () => {
    const pid = DEMO_PERMISSIONS.salesPerformance.permissionId;
    h.sandbox.clearRequests();
    const r = await h.call('list_users_with_permission', { permissionId: pid, includeUserGroups: true });
    const users = (r.structuredContent as { users: { via?: { userGroupId: string }[] }[] }).users;
    expect(users.length).toBeGreaterThan(0);
    expect(users.map((u) => u.via)).toEqual(
      users.map(() => [{ userGroupId: DEMO_GROUPS.salesAnalysts.userGroupId, displayName: 'Sales Analysts' }]),
    );
    expect(h.sandbox.requests.filter((q) => q.path.startsWith('/v1/admin/users'))).toEqual([]);
  });

  it('group listings name the permissions next to their ids, reading the catalogue at most once', async () => {
    const salesPerf = DEMO_PERMISSIONS.salesPerformance;
    const catalogueReads = () => h.sandbox.requests.filter((q) => q.path === '/v1/admin/permissions').length;
    h.sandbox.clearRequests();
    const listed = await h.call('list_user_groups', {});
    expect(textOf(listed)).toContain(
      `${DEMO_GROUPS.salesAnalysts.userGroupId} "Sales Analysts" permissions: "${salesPerf.displayName}" (${salesPerf.permissionId})`,
    );
    // Visier's group list names them itself.
    expect(catalogueReads()).toBe(0);
    h.sandbox.clearRequests();
    const one = await h.call('get_user_group', { userGroupId: DEMO_GROUPS.salesAnalysts.userGroupId });
    expect(textOf(one)).toContain(`"${salesPerf.displayName}" (${salesPerf.permissionId})`);
    expect(catalogueReads()).toBe(1);
  });

  it('get_report returns parsed rows capped at maxRows, with the total', async () => {
    const r = await h.call('get_report', { report: 'permissions-list', maxRows: 2 });
    expect(r.isError).toBeFalsy();
    const s = r.structuredContent as { rows: unknown[]; totalRows: number; truncated: boolean; columns: string[] };
    expect(s.rows).toHaveLength(2);
    expect(s.totalRows).toBe(h.sandbox.snapshot().permissions.length);
    expect(s.truncated).toBe(true);
  });

  it('get_report refuses to save without an operator-set directory, and needs userId for data-security', async () => {
    const save = await h.call('get_report', { report: 'permissions-list', save: true });
    expect(save.isError).toBe(true);
    expect(textOf(save)).toContain('save: no report directory is configured');
    const ds = await h.call('get_report', { report: 'data-security' });
    expect(ds.isError).toBe(true);
    expect(textOf(ds)).toContain('userId: required for the data-security report');
  });

  it('get_report refuses a date that only looks like one, before anything reaches Visier', async () => {
    h.sandbox.clearRequests();
    const bad = await h.call('get_report', { report: 'application-logs', startTime: '2024-13-01' });
    expect(bad.isError).toBe(true);
    expect(textOf(bad)).toContain('startTime');
    expect(textOf(bad)).toContain('not a real date');
    expect(h.sandbox.requests.filter((r) => r.path.includes('/reports/'))).toEqual([]);
  });
});
