// Sisense's resources through an SDK client over the real runtime: the collections, the templates for one user
// and one group, completion, and the requests each read sends.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SISENSE_DEMO_GROUPS, SISENSE_DEMO_USERS } from '../../../src/sandbox/sisense/index.js';
import { type SisenseStack, sent, startSisenseStack } from './tools-stack.js';

let s: SisenseStack;
beforeAll(async () => {
  s = await startSisenseStack();
});
afterAll(() => s.close());
beforeEach(() => s.sandbox.clearRequests());

const textOfRead = async (uri: string) => {
  const read = await s.client.readResource({ uri });
  const [first] = read.contents;
  return first && 'text' in first ? first.text : '';
};

describe('sisense:// resources', () => {
  it('lists the two collections and sends nothing for the list', async () => {
    const { resources } = await s.client.listResources();
    expect(resources.map((r) => r.uri)).toEqual(['sisense://users', 'sisense://user-groups']);
    expect(sent(s.sandbox)).toEqual([]);
  });

  it('sisense://user-groups is one request', async () => {
    const text = await textOfRead('sisense://user-groups');
    expect(sent(s.sandbox)).toEqual(['GET /api/v1/groups']);
    expect(text).toContain(SISENSE_DEMO_GROUPS.sqlAnalysts.name);
  });

  it('sisense://users/{userId} reads one user by e-mail: one request', async () => {
    const text = await textOfRead(`sisense://users/${encodeURIComponent(SISENSE_DEMO_USERS.dana.email)}`);
    expect(sent(s.sandbox)).toEqual(['GET /api/v1/users']);
    expect(JSON.parse(text)).toMatchObject({ email: SISENSE_DEMO_USERS.dana.email });
  });

  it('sisense://user-groups/{userGroupId} takes a name with spaces and gives the members', async () => {
    const name = SISENSE_DEMO_GROUPS.sqlAnalysts.name;
    const text = await textOfRead(`sisense://user-groups/${encodeURIComponent(name)}`);
    const body = JSON.parse(text) as { userGroup: { name: string }; members: { email: string }[] };
    expect(body.userGroup.name).toBe(name);
    expect(body.members.map((m) => m.email)).toContain(SISENSE_DEMO_USERS.dana.email);
    expect(sent(s.sandbox).filter((r) => r.startsWith('GET /api/v1/groups'))).toHaveLength(1);
  });

  it('completes e-mails and group names by prefix', async () => {
    const users = await s.client.complete({
      ref: { type: 'ref/resource', uri: 'sisense://users/{userId}' },
      argument: { name: 'userId', value: 'dana' },
    });
    expect(users.completion.values).toEqual([SISENSE_DEMO_USERS.dana.email]);
    const groups = await s.client.complete({
      ref: { type: 'ref/resource', uri: 'sisense://user-groups/{userGroupId}' },
      argument: { name: 'userGroupId', value: 'sql' },
    });
    expect(groups.completion.values).toEqual([SISENSE_DEMO_GROUPS.sqlAnalysts.name]);
  });
});
