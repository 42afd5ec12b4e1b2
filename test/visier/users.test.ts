import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VisierApiError } from '../../src/providers/http/errors.js';
import type { User } from '../../src/providers/visier/api.js';
import type { VisierClient } from '../../src/providers/visier/client.js';
import type { SandboxHandle } from '../../src/sandbox/handle.js';
import { clientFor, startTestSandbox } from './harness.js';

let handle: SandboxHandle;
let client: VisierClient;

beforeAll(async () => {
  handle = await startTestSandbox({ users: 60 });
  client = clientFor(handle);
});
afterAll(async () => {
  await client.close();
  await handle.close();
});

function basics(u: User) {
  return {
    userId: u.userId,
    username: u.username,
    displayName: u.displayName,
    employeeId: u.employeeId,
    email: u.email,
    accountEnabled: u.accountEnabled,
  };
}

function snapshotUser(userId: string, tenant?: string) {
  return handle.snapshot(tenant).users.find((u) => u.userId === userId);
}

describe('reading users', () => {
  it('lists a page exactly as the tenant holds it', async () => {
    const expected = handle.snapshot().users.slice(5, 15);
    const page = await client.listUsers({ limit: 10, start: 5 });
    expect(page.limit).toBe(10);
    expect(page.start).toBe(5);
    expect(page.items.map(basics)).toEqual(expected);
  });

  it('streams every user through userPages, stopping on the short page', async () => {
    const all = handle.snapshot().users;
    handle.clearRequests();
    const sizes: number[] = [];
    const ids: string[] = [];
    for await (const page of client.userPages({ pageSize: 7 })) {
      sizes.push(page.length);
      ids.push(...page.map((u) => u.userId));
    }
    expect(all.length).toBe(60);
    expect(sizes).toEqual([7, 7, 7, 7, 7, 7, 7, 7, 4]);
    expect(ids).toEqual(all.map((u) => u.userId));
    expect(handle.requests.filter((r) => r.path === '/v1/admin/users').map((r) => r.query.start)).toEqual([
      '0',
      '7',
      '14',
      '21',
      '28',
      '35',
      '42',
      '49',
      '56',
    ]);
  });

  it('reads one user with their groups and permissions', async () => {
    const snap = handle.snapshot();
    const member = snap.userGroups.find((g) => g.memberIds.length > 0)!;
    const userId = member.memberIds[0]!;
    const user = await client.getUser(userId, { userGroups: true, permissions: true });
    expect(basics(user)).toEqual(snapshotUser(userId));
    expect(user.userGroups?.map((g) => g.userGroupId).sort()).toEqual(
      snap.userGroups
        .filter((g) => g.memberIds.includes(userId))
        .map((g) => g.userGroupId)
        .sort(),
    );
    expect(user.permissions?.map((p) => p.permissionId).sort()).toEqual(
      Object.entries(snap.userPermissions)
        .filter(([, users]) => users.includes(userId))
        .map(([permissionId]) => permissionId)
        .sort(),
    );
    const plain = await client.getUser(userId);
    expect(plain.userGroups).toBeUndefined();
    expect(plain.permissions).toBeUndefined();
  });

  it('reads the secondary tenant when tenantCode says so', async () => {
    const expected = handle.snapshot(handle.tenants.secondary).users;
    const page = await client.listUsers({ limit: 1000 }, { tenantCode: handle.tenants.secondary });
    expect(page.items.map(basics)).toEqual(expected);
    const last = handle.requests.at(-1)!;
    expect(last.query.tenantCode).toBe(handle.tenants.secondary);
  });

  it('reports an unknown user as a 404 VisierApiError with Visier message', async () => {
    const error = await client.getUser('no-such-user').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VisierApiError);
    const e = error as VisierApiError;
    expect(e.kind).toBe('http');
    expect(e.status).toBe(404);
    expect(e.retryable).toBe(false);
    expect(e.method).toBe('GET');
    expect(e.path).toBe('/v1/admin/users/no-such-user');
    expect(e.localizedMessage?.length ?? 0).toBeGreaterThan(0);
    expect(e.message).toContain(e.localizedMessage!);
    expect(e.message).toContain('HTTP 404');
  });
});

describe('changing users one at a time', () => {
  it('creates, updates (keeping omitted fields) and deletes a user', async () => {
    const created = await client.createUser({
      username: 'casey.new@wff-demo.example',
      displayName: 'Casey New',
      employeeId: 'E900001',
      email: 'casey@wff-demo.example',
      accountEnabled: false,
    });
    expect(created.userId).toMatch(/\S/);
    const expected = {
      userId: created.userId,
      username: 'casey.new@wff-demo.example',
      displayName: 'Casey New',
      employeeId: 'E900001',
      email: 'casey@wff-demo.example',
      accountEnabled: false,
    };
    expect(basics(created)).toEqual(expected);
    expect(basics(await client.getUser(created.userId))).toEqual(expected);
    expect(snapshotUser(created.userId)).toEqual(expected);

    const updated = await client.updateUser(created.userId, { displayName: 'Casey Renamed', accountEnabled: true });
    const afterUpdate = { ...expected, displayName: 'Casey Renamed', accountEnabled: true };
    expect(basics(updated)).toEqual(afterUpdate);
    expect(snapshotUser(created.userId)).toEqual(afterUpdate);

    await client.deleteUser(created.userId);
    expect(snapshotUser(created.userId)).toBeUndefined();
    await expect(client.getUser(created.userId)).rejects.toMatchObject({ status: 404 });
  });
});

describe('bulk changes through Users V2', () => {
  it('creates, updates and deletes users in bulk, with every item reported', async () => {
    const inputs = [1, 2, 3].map((n) => ({
      username: `bulk.${n}@wff-demo.example`,
      displayName: `Bulk ${n}`,
      employeeId: `E95000${n}`,
      email: `bulk.${n}@wff-demo.example`,
      accountEnabled: n !== 2,
    }));
    const progress: [number, number | undefined][] = [];
    const created = await client.bulkCreateUsers(inputs, { onProgress: (d, t) => progress.push([d, t]) });
    expect(progress).toEqual([[3, 3]]);
    expect(created.succeeded).toBe(3);
    expect(created.failed).toBe(0);
    expect(created.notAttempted).toBe(0);
    expect(created.requests).toBe(1);
    expect(created.items.map((i) => [i.index, i.status, i.username])).toEqual([
      [0, 'succeeded', 'bulk.1@wff-demo.example'],
      [1, 'succeeded', 'bulk.2@wff-demo.example'],
      [2, 'succeeded', 'bulk.3@wff-demo.example'],
    ]);
    const ids = created.items.map((i) => i.userId!);
    expect(ids.map((id) => snapshotUser(id))).toEqual(inputs.map((input, i) => ({ userId: ids[i], ...input })));

    const updates = ids.map((userId, i) => ({ ...inputs[i]!, userId, displayName: `Bulk renamed ${i}` }));
    const updated = await client.bulkUpdateUsers(updates);
    expect(updated.items.map((i) => [i.index, i.status, i.userId])).toEqual(ids.map((id, i) => [i, 'succeeded', id]));
    expect(ids.map((id) => snapshotUser(id)?.displayName)).toEqual([
      'Bulk renamed 0',
      'Bulk renamed 1',
      'Bulk renamed 2',
    ]);

    const deleted = await client.bulkDeleteUsers(ids);
    expect(deleted.items.map((i) => [i.index, i.status, i.userId])).toEqual(ids.map((id, i) => [i, 'succeeded', id]));
    expect(ids.map((id) => snapshotUser(id))).toEqual([undefined, undefined, undefined]);
  });

  it('reports a failed delete of an unknown user with Visier message and rci', async () => {
    const result = await client.bulkDeleteUsers(['no-such-user']);
    expect(result.failed).toBe(1);
    const [item] = result.items;
    expect(item?.status).toBe('failed');
    expect(item?.userId).toBe('no-such-user');
    expect(item?.message?.length ?? 0).toBeGreaterThan(0);
  });
});
