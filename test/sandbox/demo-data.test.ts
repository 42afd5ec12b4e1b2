import { afterAll, describe, expect, it } from 'vitest';
import {
  DEMO_GROUPS,
  DEMO_PERMISSIONS,
  DEMO_USERS,
  INJECTION_TEXT,
  type SandboxHandle,
  startSandbox,
} from '../../src/sandbox/index.js';
import { Session } from './session.js';

const started: SandboxHandle[] = [];
afterAll(() => Promise.all(started.map((s) => s.close())));
const start = async (options: Parameters<typeof startSandbox>[0]) => {
  const sandbox = await startSandbox({ rateLimit: false, ...options });
  started.push(sandbox);
  return sandbox;
};

describe('seeded demo tenant', () => {
  it('the same seed gives identical data; another seed differs outside the fixed users', async () => {
    const a = await start({ users: 300, seed: 11 });
    const b = await start({ users: 300, seed: 11 });
    const c = await start({ users: 300, seed: 12 });
    expect(b.snapshot()).toEqual(a.snapshot());
    expect(b.snapshot(a.tenants.secondary)).toEqual(a.snapshot(a.tenants.secondary));
    expect(c.snapshot().users.slice(0, 3)).toEqual(a.snapshot().users.slice(0, 3));
    expect(c.snapshot().users.slice(3, 10)).not.toEqual(a.snapshot().users.slice(3, 10));
  });

  it('has the documented fixed entities: Dana without compensation access, injection text, 12 permissions, 8 groups', async () => {
    const sandbox = await start({ users: 200 });
    const snap = sandbox.snapshot();
    expect(snap.users).toHaveLength(200);
    expect(snap.permissions).toHaveLength(12);
    expect(snap.userGroups.map((g) => g.userGroupId)).toEqual(Object.values(DEMO_GROUPS).map((g) => g.userGroupId));
    expect(snap.users[1]).toEqual({
      userId: DEMO_USERS.dana.userId,
      username: 'dana.whitfield@wff-demo.example',
      displayName: 'Dana Whitfield',
      employeeId: 'E000002',
      email: 'dana.whitfield@wff-demo.example',
      accountEnabled: true,
    });
    const compensation = DEMO_PERMISSIONS.compensation.permissionId;
    expect(snap.userPermissions[compensation]).not.toContain(DEMO_USERS.dana.userId);
    const viaGroups = snap.userGroups.filter(
      (g) => g.permissionIds.includes(compensation) && g.memberIds.includes(DEMO_USERS.dana.userId),
    );
    expect(viaGroups).toEqual([]);
    expect(snap.users.find((u) => u.userId === DEMO_USERS.mallory.userId)?.displayName).toBe(INJECTION_TEXT);
    expect(snap.userGroups.find((g) => g.displayName === 'Contractors')?.description).toContain(INJECTION_TEXT);
    expect(snap.userPermissions[DEMO_PERMISSIONS.admin.permissionId]).toEqual([DEMO_USERS.admin.userId]);
    const usernames = new Set(snap.users.map((u) => u.username.toLowerCase()));
    expect(usernames.size).toBe(200);
    expect(snap.users.every((u) => /^[a-z.0-9]+@[a-z.-]+\.example$/.test(u.username))).toBe(true);
  });

  it('100,000 users: the last page of 1000 is served with the right offset and size', async () => {
    const big = await start({ users: 100_000 });
    const session = await Session.login(big);
    const last = await session.get('/v1/admin/users', { limit: 1000, start: 99_000 });
    const body = last.json as { users: { employeeId: string }[]; start: number };
    expect(body.start).toBe(99_000);
    expect(body.users).toHaveLength(1000);
    expect(body.users[0]?.employeeId).toBe('E099001');
    expect(body.users[999]?.employeeId).toBe('E100000');
    const beyond = (await session.get('/v1/admin/users', { limit: 1000, start: 100_000 })).json as { users: unknown[] };
    expect(beyond.users).toEqual([]);
  });

  it('users: 1 is just the administrator; the secondary tenant keeps its fixed 25', async () => {
    const tiny = await start({ users: 1 });
    expect(tiny.snapshot().users.map((u) => u.userId)).toEqual([DEMO_USERS.admin.userId]);
    expect(
      tiny.snapshot().userGroups.find((g) => g.userGroupId === DEMO_GROUPS.salesAnalysts.userGroupId)?.memberIds,
    ).toEqual([]);
    expect(tiny.snapshot(tiny.tenants.secondary).users).toHaveLength(25);
  });

  it('refuses a user count outside 1..100,000', async () => {
    await expect(startSandbox({ users: 100_001 })).rejects.toThrow('users must be an integer from 1 to 100000');
    await expect(startSandbox({ users: 0 })).rejects.toThrow(RangeError);
  });
});
