import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_GROUPS, DEMO_PERMISSIONS, DEMO_USERS } from '../../src/sandbox/index.js';
import { type Harness, startHarness } from './harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ users: 250 });
});
afterAll(() => h.close());

const jsonOf = async (uri: string) => {
  const r = await h.client.readResource({ uri });
  const [c] = r.contents;
  expect(c?.mimeType).toBe('application/json');
  return JSON.parse((c as { text: string }).text) as Record<string, unknown>;
};

describe('resources', () => {
  it('resources/list names the collections in one page and asks Visier nothing; users are read by template', async () => {
    h.sandbox.clearRequests();
    const page = await h.client.request({ method: 'resources/list', params: {} });
    expect(page.resources.map((r) => r.uri)).toEqual([
      'visier://users',
      'visier://user-groups',
      'visier://permissions',
    ]);
    expect(page.nextCursor).toBeUndefined();
    expect(h.sandbox.requests).toEqual([]);
  });

  it('an invalid resources/list cursor is -32602', async () => {
    await expect(h.client.listResources({ cursor: 'bogus' })).rejects.toMatchObject({ code: -32602 });
  });

  it('lists the templates', async () => {
    const { resourceTemplates } = await h.client.listResourceTemplates();
    expect(resourceTemplates.map((t) => t.uriTemplate).sort()).toEqual([
      'visier://permissions/{permissionId}/users',
      'visier://user-groups/{userGroupId}',
      'visier://user-groups/{userGroupId}/members',
      'visier://users/{userId}',
    ]);
  });

  it('reads every resource with the sandbox data', async () => {
    const snap = h.sandbox.snapshot();
    expect(((await jsonOf('visier://users')).users as { userId: string }[]).map((u) => u.userId)).toEqual(
      snap.users.map((u) => u.userId),
    );
    expect(
      ((await jsonOf('visier://user-groups')).userGroups as { userGroupId: string }[]).map((g) => g.userGroupId),
    ).toEqual(snap.userGroups.map((g) => g.userGroupId));
    expect(
      ((await jsonOf('visier://permissions')).permissions as { permissionId: string }[]).map((p) => p.permissionId),
    ).toEqual(snap.permissions.map((p) => p.permissionId));
    expect((await jsonOf(`visier://users/${DEMO_USERS.dana.userId}`)).username).toBe(DEMO_USERS.dana.username);
    const gid = DEMO_GROUPS.salesAnalysts.userGroupId;
    expect((await jsonOf(`visier://user-groups/${gid}`)).displayName).toBe('Sales Analysts');
    const members = (await jsonOf(`visier://user-groups/${gid}/members`)).tenants as { users: { userId: string }[] }[];
    expect(members.flatMap((t) => t.users.map((u) => u.userId)).sort()).toEqual(
      [...snap.userGroups.find((g) => g.userGroupId === gid)!.memberIds].sort(),
    );
    const pid = DEMO_PERMISSIONS.compensation.permissionId;
    const holders = (await jsonOf(`visier://permissions/${pid}/users`)).tenants as { users: { userId: string }[] }[];
    expect(holders.flatMap((t) => t.users.map((u) => u.userId))).toEqual(
      expect.arrayContaining(snap.userPermissions[pid] ?? []),
    );
  });

  // SDK v2 answers resource-not-found as -32602 carrying the URI in every era (the 2026-07-28 rule; clients
  // also accept the -32002 that 2025-11-25 suggested).
  it('a missing user is resource-not-found (-32602 with the uri)', async () => {
    await expect(h.client.readResource({ uri: 'visier://users/no-such-user' })).rejects.toMatchObject({
      code: -32602,
      data: { uri: 'visier://users/no-such-user' },
    });
  });

  it('completes ids by id or name prefix', async () => {
    const complete = async (uri: string, name: string, value: string) =>
      (await h.client.complete({ ref: { type: 'ref/resource', uri }, argument: { name, value } })).completion.values;
    expect(await complete('visier://users/{userId}', 'userId', 'dana')).toEqual([DEMO_USERS.dana.userId]);
    expect(await complete('visier://user-groups/{userGroupId}', 'userGroupId', 'Sales')).toEqual([
      DEMO_GROUPS.salesAnalysts.userGroupId,
    ]);
    expect(await complete('visier://permissions/{permissionId}/users', 'permissionId', 'payroll')).toEqual([
      DEMO_PERMISSIONS.payrollAuditor.permissionId,
    ]);
    expect(await complete('visier://users/{userId}', 'userId', '')).toHaveLength(100);
  });

  it('a completion that stops at its cap says there is more; one that does not, says there is not', async () => {
    const all = await h.client.complete({
      ref: { type: 'ref/resource', uri: 'visier://users/{userId}' },
      argument: { name: 'userId', value: '' },
    });
    expect(all.completion).toMatchObject({ hasMore: true });
    expect(all.completion.values).toHaveLength(100);
    const one = await h.client.complete({
      ref: { type: 'ref/resource', uri: 'visier://users/{userId}' },
      argument: { name: 'userId', value: 'dana' },
    });
    expect(one.completion).toMatchObject({ values: [DEMO_USERS.dana.userId], hasMore: false });
  });
});

describe('completion on a directory larger than one keystroke may scan', () => {
  let big: Harness;
  beforeAll(async () => {
    big = await startHarness({ users: 6_000 });
  });
  afterAll(() => big.close());

  it('says there may be more when its scan stopped at the page cap with fewer values than it shows', async () => {
    // No user starts with this: the scan reads its 5 pages of 1,000, finds nothing, and cannot know the rest.
    const none = await big.client.complete({
      ref: { type: 'ref/resource', uri: 'visier://users/{userId}' },
      argument: { name: 'userId', value: 'zzz-nobody' },
    });
    expect(none.completion).toMatchObject({ values: [], hasMore: true });
  });
});
