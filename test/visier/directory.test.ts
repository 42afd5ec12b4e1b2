import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VisierClient } from '../../src/providers/visier/client.js';
import { type DirectorySnapshot, grantsOf, loadDirectory } from '../../src/providers/visier/directory.js';
import type { SandboxHandle } from '../../src/sandbox/handle.js';
import { DEMO_PERMISSIONS } from '../../src/sandbox/index.js';
import { clientFor, startTestSandbox } from './harness.js';

let handle: SandboxHandle;
let client: VisierClient;

beforeAll(async () => {
  handle = await startTestSandbox({ users: 1000 });
  client = clientFor(handle);
});
afterAll(async () => {
  await client.close();
  await handle.close();
});

const sorted = (xs: Iterable<string>) => [...xs].sort();
const visierReads = (h: SandboxHandle, from: number) =>
  h.requests.slice(from).filter((r) => !r.path.endsWith('visierSecureToken'));

/** Everything a snapshot says about people, in a form two fills can be compared by. */
function people(directory: DirectorySnapshot) {
  const byUser = <T>(map: ReadonlyMap<string, readonly T[]>, key: (t: T) => string) =>
    Object.fromEntries([...map].map(([userId, list]) => [userId, sorted(list.map(key))]));
  return {
    users: Object.fromEntries([...directory.users].sort(([a], [b]) => (a < b ? -1 : 1))),
    direct: byUser(directory.directPermissions, (p) => p),
    memberships: byUser(directory.memberships, (m) => `${m.userGroupId}/${m.kind}`),
    members: Object.fromEntries([...directory.members].map(([g, ids]) => [g, sorted(ids)])),
    profiles: byUser(directory.profiles, (p) => JSON.stringify(p)),
  };
}

describe('loadDirectory', () => {
  it('reads every user, group, membership and direct grant, as the sandbox holds them, from the two reports', async () => {
    const before = handle.requests.length;
    const directory = await loadDirectory(client);
    const truth = handle.snapshot();

    expect(directory.source).toEqual({ kind: 'reports' });
    expect(sorted(directory.users.keys())).toEqual(sorted(truth.users.map((u) => u.userId)));
    for (const user of truth.users) expect(directory.users.get(user.userId)).toMatchObject(user);
    for (const group of truth.userGroups) {
      expect(sorted(directory.members.get(group.userGroupId) ?? [])).toEqual(sorted(group.memberIds));
      expect(sorted(directory.groups.get(group.userGroupId)?.permissionIds ?? [])).toEqual(sorted(group.permissionIds));
    }
    for (const [permissionId, holders] of Object.entries(truth.userPermissions)) {
      for (const userId of holders) expect(directory.directPermissions.get(userId)).toContain(permissionId);
    }
    // 1 group page, 1 permission catalogue, the permission-assignments and the profile-assignments reports.
    expect(visierReads(handle, before).map((r) => r.path)).toEqual([
      '/v2/admin/user-groups',
      '/v1/admin/permissions',
      '/v1/admin/users/reports/permission-assignments',
      '/v1/admin/users/reports/profile-assignments',
    ]);
    expect(directory.requests).toBe(4);
  });

  it('gives the same snapshot from the reports as from the list pages, and says which it used and why', async () => {
    const fromReports = await loadDirectory(client);
    handle.faults.set({ rules: [{ kind: 'malformed', path: 'reports/permission-assignments', count: 1 }] });
    const before = handle.requests.length;
    const fromPages = await loadDirectory(client);
    handle.faults.clear();

    expect(fromPages.source).toMatchObject({ kind: 'list-pages', reason: expect.stringContaining('a report failed') });
    expect(people(fromReports)).toEqual(people(fromPages));
    // The refused report, then 1,000 users on a page of 1,000 and the empty page that ends them.
    expect(fromPages.requests).toBe(1 + 1 + 1 + 2);
    expect(visierReads(handle, before).length).toBe(5);
  });

  it('reads a project from the list pages: the reports take no ProjectID and would show production', async () => {
    const { projectId } = await client.createProject({ name: 'directory test' });
    const before = handle.requests.length;
    const directory = await loadDirectory(client, { projectId });
    expect(directory.source).toEqual({
      kind: 'list-pages',
      reason: "Visier's reports read production only, and this reads a project",
    });
    expect(directory.projectId).toBe(projectId);
    expect(visierReads(handle, before).some((r) => r.path.includes('/reports/'))).toBe(false);
  });

  it('reads the list pages when a dynamic group grants nothing, since no report would name its members', async () => {
    const created = await client.createUserGroups([
      {
        displayName: 'Directory test dynamic',
        users: {
          dynamicFilterDefinition: {
            filters: [
              { dimensionFilters: [{ dimensionId: 'Location', memberSelections: [{ namePath: ['Europe'] }] }] },
            ],
          },
        },
      },
    ]);
    const userGroupId = created.successes[0]?.userGroupId as string;
    try {
      const directory = await loadDirectory(client);
      expect(directory.source).toEqual({
        kind: 'list-pages',
        reason: `dynamic group ${userGroupId} grants no permission, so no report names its members`,
      });
      await client.assignPermissionsToGroups([
        { userGroupId, permissionIds: [DEMO_PERMISSIONS.headcount.permissionId] },
      ]);
      expect((await loadDirectory(client)).source).toEqual({ kind: 'reports' });
    } finally {
      await client.deleteUserGroups([{ userGroupId }]);
    }
  });

  it('reads the list pages when a name holds text a workbook cannot carry, rather than a mangled copy', async () => {
    const user = await client.createUser({ username: 'lone.surrogate@wff-demo.example', displayName: 'Lone \uD800 S' });
    try {
      const directory = await loadDirectory(client);
      expect(directory.source).toEqual({
        kind: 'list-pages',
        reason: 'a report cell holds text an XLSX workbook cannot carry (shown as U+FFFD)',
      });
      expect(directory.users.get(user.userId)?.displayName).toBe('Lone \uD800 S');
    } finally {
      await client.deleteUser(user.userId);
    }
  });

  it('names every path to a permission: direct and each group', async () => {
    const directory = await loadDirectory(client);
    const truth = handle.snapshot();
    const holder = truth.users.find((u) => (directory.memberships.get(u.userId)?.length ?? 0) > 0)!;
    const grants = grantsOf(directory, holder.userId);
    for (const { userGroupId } of directory.memberships.get(holder.userId) ?? []) {
      for (const permissionId of directory.groups.get(userGroupId)?.permissionIds ?? []) {
        expect(grants.get(permissionId)).toContainEqual(expect.objectContaining({ via: 'group', userGroupId }));
      }
    }
  });
});

describe('loadDirectory on large directories', () => {
  // The user pages would cost ceil((n+1)/1000) + 2: 13 and 103.
  it.each([10_000, 100_000])(
    'costs the same 4 requests for %i users',
    async (users) => {
      const big = await startTestSandbox({ users });
      const bigClient = clientFor(big);
      try {
        const directory = await loadDirectory(bigClient);
        expect(directory.users.size).toBe(users);
        expect(directory.source).toEqual({ kind: 'reports' });
        expect(directory.requests).toBe(4);
        expect(visierReads(big, 0).length).toBe(4);
      } finally {
        await bigClient.close();
        await big.close();
      }
    },
    300_000,
  );
});
