import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VisierClient } from '../../src/providers/visier/client.js';
import { grantsOf, loadDirectory } from '../../src/providers/visier/directory.js';
import type { SandboxHandle } from '../../src/sandbox/handle.js';
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

describe('loadDirectory', () => {
  it('reads every user, group, membership and direct grant, as the sandbox holds them', async () => {
    const before = handle.requests.length;
    const directory = await loadDirectory(client);
    const truth = handle.snapshot();

    expect(sorted(directory.users.keys())).toEqual(sorted(truth.users.map((u) => u.userId)));
    for (const group of truth.userGroups) {
      expect(sorted(directory.members.get(group.userGroupId) ?? [])).toEqual(sorted(group.memberIds));
      expect(sorted(directory.groups.get(group.userGroupId)?.permissionIds ?? [])).toEqual(sorted(group.permissionIds));
    }
    for (const [permissionId, holders] of Object.entries(truth.userPermissions)) {
      for (const userId of holders) expect(directory.directPermissions.get(userId)).toContain(permissionId);
    }
    // 1 group page, 1 permission catalogue, and 1,000 users on a page of 1,000 end on a second, empty page.
    const reads = handle.requests.slice(before).filter((r) => !r.path.endsWith('visierSecureToken'));
    expect(reads.length).toBe(4);
    expect(directory.requests).toBe(4);
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
