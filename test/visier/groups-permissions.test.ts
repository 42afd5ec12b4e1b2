import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VisierClient } from '../../src/providers/visier/client.js';
import type { SandboxHandle } from '../../src/sandbox/handle.js';
import { clientFor, countRequests, groupAndNewcomers, startTestSandbox } from './harness.js';

let handle: SandboxHandle;
let client: VisierClient;

beforeAll(async () => {
  handle = await startTestSandbox({ users: 300 });
  client = clientFor(handle);
});
afterAll(async () => {
  await client.close();
  await handle.close();
});

const sorted = (xs: readonly string[]) => [...xs].sort();

describe('permissions', () => {
  it('lists permissions with id, name and description', async () => {
    const permissions = await client.listPermissions();
    expect(permissions).toEqual(handle.snapshot().permissions);
    const detailed = await client.listPermissions({ includeDetails: true });
    expect(detailed.map((p) => p.permissionId)).toEqual(permissions.map((p) => p.permissionId));
    expect(detailed[0]?.details?.permissionId).toBe(permissions[0]?.permissionId);
  });

  it('assigns and removes permissions, visible in the holders list and in the user', async () => {
    const snap = handle.snapshot();
    const permission =
      snap.permissions.find((p) => (snap.userPermissions[p.permissionId] ?? []).length === 0) ?? snap.permissions[0]!;
    const before = snap.userPermissions[permission.permissionId] ?? [];
    const newcomers = snap.users
      .map((u) => u.userId)
      .filter((id) => !before.includes(id))
      .slice(0, 3);

    const assigned = await client.assignPermissionsToUsers([
      { permissionId: permission.permissionId, userIds: newcomers },
    ]);
    expect(assigned.requests).toBe(1);
    expect(assigned.tenants.map((t) => t.status)).toEqual(['Succeed']);
    expect(assigned.tenants[0]?.changes[0]?.id).toBe(permission.permissionId);
    expect(sorted(assigned.tenants[0]?.changes[0]?.users.map((u) => u.userId) ?? [])).toEqual(sorted(newcomers));
    expect(sorted(handle.snapshot().userPermissions[permission.permissionId] ?? [])).toEqual(
      sorted([...before, ...newcomers]),
    );

    const holders = await client.listUsersWithPermission(permission.permissionId);
    const primary = holders.items.find((t) => t.tenantCode === handle.tenants.primary);
    expect(sorted(primary?.users.map((u) => u.userId) ?? [])).toEqual(sorted([...before, ...newcomers]));
    expect(primary?.users.find((u) => u.userId === newcomers[0])?.permissionFrom).toBe('User');

    const user = await client.getUser(newcomers[0]!, { permissions: true });
    expect(user.permissions?.map((p) => p.permissionId)).toContain(permission.permissionId);

    const removed = await client.removePermissionsFromUsers([
      { permissionId: permission.permissionId, userIds: newcomers },
    ]);
    expect(removed.tenants.map((t) => t.status)).toEqual(['Succeed']);
    expect(sorted(handle.snapshot().userPermissions[permission.permissionId] ?? [])).toEqual(sorted(before));
  });
});

describe('user groups', () => {
  it('lists V1 groups and V2 definitions matching the tenant', async () => {
    const snap = handle.snapshot();
    const v1 = await client.listUserGroups();
    expect(v1.items.map((g) => [g.userGroupId, g.displayName])).toEqual(
      snap.userGroups.map((g) => [g.userGroupId, g.displayName]),
    );
    expect(v1.items.map((g) => sorted(g.permissions?.map((p) => p.permissionId) ?? []))).toEqual(
      snap.userGroups.map((g) => sorted(g.permissionIds)),
    );
    const v2 = await client.listUserGroupsV2({ with: 'permissions' });
    expect(v2.items.map((g) => [g.userGroupId, g.displayName, sorted(g.permissionIds ?? [])])).toEqual(
      snap.userGroups.map((g) => [g.userGroupId, g.displayName, sorted(g.permissionIds)]),
    );
    const one = await client.getUserGroup(snap.userGroups[0]!.userGroupId);
    expect(one.userGroupId).toBe(snap.userGroups[0]!.userGroupId);
    expect(one.displayName).toBe(snap.userGroups[0]!.displayName);
    expect(one.description).toBe(snap.userGroups[0]!.description);
    expect(sorted(one.permissionIds ?? [])).toEqual(sorted(snap.userGroups[0]!.permissionIds));
  });

  it('creates, patches and deletes a group through V2', async () => {
    const snap = handle.snapshot();
    const [p1, p2] = snap.permissions;
    const members = snap.users.slice(0, 2).map((u) => u.userId);
    const created = await client.createUserGroups([
      {
        displayName: 'Client test group',
        description: 'made by the client test',
        permissionIds: [p1!.permissionId],
        users: { manuallyIncludedIds: members },
      },
    ]);
    expect(created.failures).toEqual([]);
    expect(created.successes.map((s) => s.displayName)).toEqual(['Client test group']);
    const id = created.successes[0]!.userGroupId!;
    const stored = () => handle.snapshot().userGroups.find((g) => g.userGroupId === id);
    const asCreated = {
      userGroupId: id,
      displayName: 'Client test group',
      description: 'made by the client test',
      permissionIds: [p1!.permissionId],
      memberIds: members,
    };
    expect(stored()).toEqual(asCreated);
    const read = await client.getUserGroup(id);
    expect(read.users?.manuallyIncludedIds).toEqual(members);
    expect(read.permissionIds).toEqual([p1!.permissionId]);

    const patched = await client.updateUserGroups([{ userGroupId: id, description: 'patched' }]);
    expect(patched.failures).toEqual([]);
    expect(stored()).toEqual({ ...asCreated, description: 'patched' });

    const withPermission = await client.assignPermissionsToGroups([
      { userGroupId: id, permissionIds: [p2!.permissionId] },
    ]);
    expect(withPermission.status).toBe('Succeed');
    expect(sorted(stored()?.permissionIds ?? [])).toEqual(sorted([p1!.permissionId, p2!.permissionId]));
    const without = await client.removePermissionsFromGroups([{ userGroupId: id, permissionIds: [p1!.permissionId] }]);
    expect(without.status).toBe('Succeed');
    expect(stored()?.permissionIds).toEqual([p2!.permissionId]);

    const deleted = await client.deleteUserGroups([{ userGroupId: id }]);
    expect(deleted).toEqual({ successes: [{ userGroupId: id, tenantCode: handle.tenants.primary }], failures: [] });
    expect(stored()).toBeUndefined();
  });

  it('adds and removes members in chunks of 100 userIds per group, visible in the member list', async () => {
    const { group, newcomers } = groupAndNewcomers(handle, 230);
    expect(newcomers.length).toBe(230);
    handle.clearRequests();
    const added = await client.addUsersToGroups([{ userGroupId: group.userGroupId, userIds: newcomers }]);
    expect(added.requests).toBe(3);
    expect(countRequests(handle, 'PUT', '/v1/admin/user-groups/users')).toBe(3);
    expect(added.tenants.map((t) => t.status)).toEqual(['Succeed', 'Succeed', 'Succeed']);
    const stored = () => handle.snapshot().userGroups.find((g) => g.userGroupId === group.userGroupId)!;
    expect(sorted(stored().memberIds)).toEqual(sorted([...group.memberIds, ...newcomers]));

    const members = await client.listUserGroupMembers(group.userGroupId);
    const primary = members.items.find((t) => t.tenantCode === handle.tenants.primary);
    expect(sorted(primary?.users.map((u) => u.userId) ?? [])).toEqual(sorted([...group.memberIds, ...newcomers]));

    const removed = await client.removeUsersFromGroups([{ userGroupId: group.userGroupId, userIds: newcomers }]);
    expect(removed.requests).toBe(3);
    expect(sorted(stored().memberIds)).toEqual(sorted(group.memberIds));
  });

  it('a group deletion whose answer was lost is a success with a note, not a failure', async () => {
    const created = await client.createUserGroups([{ displayName: 'Lost answer group' }]);
    const id = created.successes[0]!.userGroupId!;
    handle.clearRequests();
    handle.faults.set({
      rules: [{ kind: 'lost-response', method: 'DELETE', path: '^/v2/admin/user-groups$', count: 1 }],
    });
    try {
      const deleted = await client.deleteUserGroups([{ userGroupId: id }]);
      expect(handle.requests.map((r) => `${r.method} ${r.status}`)).toEqual(['DELETE 0', 'DELETE 200', 'GET 404']);
      expect(deleted).toEqual({
        successes: [
          { userGroupId: id, tenantCode: handle.tenants.primary, note: expect.stringMatching(/answer was lost/) },
        ],
        failures: [],
      });
      expect(handle.snapshot().userGroups.some((g) => g.userGroupId === id)).toBe(false);
    } finally {
      handle.faults.clear();
    }
  });

  it('without a lost answer, deleting a group that does not exist stays a failure', async () => {
    const deleted = await client.deleteUserGroups([{ userGroupId: 'no-such-group' }]);
    expect(deleted.successes).toEqual([]);
    expect(deleted.failures.map((f) => f.userGroupId)).toEqual(['no-such-group']);
  });

  it('a membership change that fails at its second request reports the first as done and the rest as not', async () => {
    const { group, newcomers } = groupAndNewcomers(handle, 230);
    const path = '/v1/admin/user-groups/users';
    handle.faults.set({ rules: [{ kind: '500', method: 'PUT', path: `^${path}$`, skip: 1, count: 1 }] });
    handle.clearRequests();
    try {
      const added = await client.addUsersToGroups([{ userGroupId: group.userGroupId, userIds: newcomers }]);
      expect(countRequests(handle, 'PUT', path)).toBe(2);
      expect(added.requests).toBe(2);
      expect(added.tenants.map((t) => t.status)).toEqual(['Succeed']);
      expect(added.tenants[0]?.changes[0]?.users.map((u) => u.userId)).toEqual(newcomers.slice(0, 100));
      expect(added.incomplete).toMatchObject({
        failedRequest: 2,
        requestsPlanned: 3,
        outcome: 'unknown',
        failed: [{ id: group.userGroupId, userIds: newcomers.slice(100, 200) }],
        notSent: [{ id: group.userGroupId, userIds: newcomers.slice(200) }],
      });
      expect(added.incomplete?.rci).toMatch(/.+/);
      const stored = handle.snapshot().userGroups.find((g) => g.userGroupId === group.userGroupId)!;
      expect(sorted(stored.memberIds)).toEqual(sorted([...group.memberIds, ...newcomers.slice(0, 100)]));
    } finally {
      handle.faults.clear();
      await client.removeUsersFromGroups([{ userGroupId: group.userGroupId, userIds: newcomers }]);
    }
  });

  it('a failure of the first request is thrown: nothing changed', async () => {
    const group = handle.snapshot().userGroups[0]!;
    handle.faults.set({ rules: [{ kind: '500', method: 'PUT', path: '^/v1/admin/user-groups/users$', count: 1 }] });
    try {
      await expect(
        client.addUsersToGroups([{ userGroupId: group.userGroupId, userIds: [handle.snapshot().users[0]!.userId] }]),
      ).rejects.toMatchObject({ status: 500 });
    } finally {
      handle.faults.clear();
    }
  });
});
