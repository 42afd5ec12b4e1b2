// Every group and membership operation against the sandbox over real HTTP, with the requests each costs.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { SisenseClient } from '../../../src/providers/sisense/client.js';
import { effectiveAccess, isPrivilegedGroup } from '../../../src/providers/sisense/domain.js';
import type { SisenseSandboxHandle } from '../../../src/sandbox/sisense/handle.js';
import { SISENSE_DEMO_GROUPS, SISENSE_DEMO_USERS, SISENSE_INJECTION_TEXT } from '../../../src/sandbox/sisense/index.js';
import { clientFor, failure, startTestSandbox } from './harness.js';

let handle: SisenseSandboxHandle;
let client: SisenseClient;

beforeAll(async () => {
  handle = await startTestSandbox({ users: 30, pageSize: 4 });
  client = clientFor(handle);
});
afterEach(() => handle.clearRequests());
afterAll(async () => {
  await client.close();
  await handle.close();
});

const requestsOf = async <T>(work: () => Promise<T>): Promise<{ value: T; requests: number }> => {
  const before = client.stats.requests;
  const value = await work();
  return { value, requests: client.stats.requests - before };
};
const groupOf = (name: string) => handle.snapshot().groups.find((g) => g.name === name);
const groupsOf = (email: string) => handle.snapshot().users.find((u) => u.email === email)?.groups;

describe('reading groups', () => {
  it('lists every group across pages, with access levels and which one is privileged', async () => {
    const { value: groups, requests } = await requestsOf(() => client.listGroups());
    expect(groups.map((g) => [g.name, g.accessLevel, g.privileged])).toEqual([
      ['Administrators', 'Admin', true],
      ['All Users', 'View', false],
      ['SQL Analysts', 'SQL', false],
      ['Discovery Explorers', 'Discovery', false],
      ['Dashboard Viewers', 'View', false],
      [`Auditors ${SISENSE_INJECTION_TEXT}`, 'View', false],
    ]);
    expect(requests).toBe(2);
  });

  it('gets one group by name in the path, injection text and all', async () => {
    const group = await client.getGroup(SISENSE_DEMO_GROUPS.injected.name);
    expect(group).toMatchObject({ name: SISENSE_DEMO_GROUPS.injected.name, accessLevel: 'View', privileged: false });
    expect(handle.requests.map((r) => r.path)).toEqual([`/api/v1/groups/${encodeURIComponent(group.name)}`]);
    expect((await failure(client.getGroup('Nope'))).status).toBe(404);
  });

  it('gives a user the highest access of their groups', async () => {
    const groups = await client.listGroups();
    expect(effectiveAccess(await client.getUser(SISENSE_DEMO_USERS.dana.email), groups)).toBe('SQL');
    expect(effectiveAccess(await client.getUser(SISENSE_DEMO_USERS.admin.email), groups)).toBe('Admin');
    expect(effectiveAccess({ groups: ['Unknown'] }, groups)).toBeUndefined();
    expect(isPrivilegedGroup({ name: 'administrators', accessLevel: undefined })).toBe(true);
  });

  it('lists a group’s members: the group, then every users page', async () => {
    const { value: members, requests } = await requestsOf(() => client.listGroupMembers('SQL Analysts'));
    const expected = handle.snapshot().users.filter((u) => u.groups.includes('SQL Analysts'));
    expect(members.map((m) => m.email).sort()).toEqual(expected.map((u) => u.email).sort());
    expect(requests).toBe(1 + Math.ceil(33 / 4));
  });
});

describe('writing groups', () => {
  it('creates with a name and an access level; a dry run stores nothing', async () => {
    const dry = await client.createGroup({ name: 'Finance', accessLevel: 'Discovery' }, { dryRun: true });
    expect(dry).toMatchObject({ dryRun: true, value: { name: 'Finance', accessLevel: 'Discovery' } });
    expect(groupOf('Finance')).toBeUndefined();
    const made = await client.createGroup({ name: 'Finance', accessLevel: 'Discovery', createdByEmail: 'x@y.example' });
    expect(made.value).toMatchObject({ name: 'Finance', access: 'Discovery', privileged: false });
    expect(handle.requests.map((r) => `${r.method} ${r.status} ${r.query.test_mode}`)).toEqual([
      'POST 200 true',
      'POST 201 false',
    ]);
  });

  it('changes access and renames in one PUT; members follow the rename', async () => {
    await client.addUsersToGroup('Finance', [SISENSE_DEMO_USERS.dana.email]);
    const { value: updated, requests } = await requestsOf(() =>
      client.updateGroup('Finance', { name: 'Finance Team', accessLevel: 'SQL' }),
    );
    expect(updated.value).toMatchObject({ name: 'Finance Team', accessLevel: 'SQL' });
    expect(requests).toBe(1);
    expect(groupsOf(SISENSE_DEMO_USERS.dana.email)).toContain('Finance Team');
  });

  it('refuses to change a built-in group, in Sisense’s words', async () => {
    const error = await failure(client.updateGroup('Administrators', { accessLevel: 'View' }));
    expect(error).toMatchObject({ status: 400, code: 'invalid_request' });
    expect(error.message).toContain('built-in');
  });

  it('deletes by name; a dry run keeps it', async () => {
    expect((await client.deleteGroup('Finance Team', { dryRun: true })).value?.name).toBe('Finance Team');
    expect(groupOf('Finance Team')).toBeDefined();
    const deleted = await client.deleteGroup('Finance Team');
    expect(deleted).toEqual({ dryRun: false, value: undefined });
    expect(groupOf('Finance Team')).toBeUndefined();
    expect(groupsOf(SISENSE_DEMO_USERS.dana.email)).not.toContain('Finance Team');
  });
});

describe('membership by group name', () => {
  const dana = SISENSE_DEMO_USERS.dana.email;
  const mallory = SISENSE_DEMO_USERS.mallory.email;

  it('adds users: the group once, then a read and a PUT of the full list per user', async () => {
    const { value: result, requests } = await requestsOf(() =>
      client.addUsersToGroup('Administrators', [dana, mallory]),
    );
    expect(result).toMatchObject({ succeeded: 2, failed: 0, notAttempted: 0, requests: 5 });
    expect(requests).toBe(5);
    const puts = handle.requests.filter((r) => r.method === 'PUT');
    expect(puts.map((r) => r.query.test_mode)).toEqual(['false', 'false']);
    expect(groupsOf(dana)).toEqual(['SQL Analysts', 'All Users', 'Administrators']);
  });

  it('skips the PUT for a user already in the group', async () => {
    const result = await client.addUsersToGroup('Administrators', [dana]);
    expect(result.items).toEqual([{ index: 0, status: 'succeeded', username: dana, message: 'no change needed' }]);
    expect(result.requests).toBe(2);
  });

  it('a dry run of a removal validates each change and stores nothing', async () => {
    const result = await client.removeUsersFromGroup('Administrators', [dana], { dryRun: true });
    expect(result.items[0]).toMatchObject({ status: 'succeeded', message: expect.stringContaining('dry run') });
    expect(handle.requests.find((r) => r.method === 'PUT')?.query.test_mode).toBe('true');
    expect(groupsOf(dana)).toContain('Administrators');
  });

  it('removes users, and accounts for an unknown e-mail as failed with Sisense’s reason', async () => {
    const result = await client.removeUsersFromGroup('Administrators', [dana, 'ghost@wff-demo.example', mallory]);
    expect(result.items.map((i) => [i.username, i.status])).toEqual([
      [dana, 'succeeded'],
      ['ghost@wff-demo.example', 'failed'],
      [mallory, 'succeeded'],
    ]);
    expect(result.items[1]!.message).toContain('No user with email');
    expect(groupsOf(dana)).not.toContain('Administrators');
  });

  it('fails as a whole, before touching any user, for an unknown group; refuses All Users removals', async () => {
    const error = await failure(client.addUsersToGroup('Nope', [dana]));
    expect(error.status).toBe(404);
    expect(handle.requests).toHaveLength(1);
    expect(() => client.removeUsersFromGroup('all users', [dana])).toThrow(/group: 'All Users' holds every user/);
  });
});
