// What a hostile tester got past the Sisense tools, each now refused before anything is sent: a group list on an
// account a racing create would make (judged by what it grants, not by whom it finds), one group named twice in a
// call (rename, then relevel the new name: over the cap and previewed as reaching no one), and `.`/`..` as a
// group name (another endpoint in the request's path).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILT_IN_GROUPS, SISENSE_DEMO_GROUPS } from '../../../src/sandbox/sisense/index.js';
import { type SisenseStack, startSisenseStack, textOf } from './tools-stack.js';

const writes = (s: SisenseStack) => s.sandbox.requests.filter((r) => r.method !== 'GET').length;

describe('in user-writes', () => {
  let s: SisenseStack;
  beforeAll(async () => {
    s = await startSisenseStack(['--mode', 'user-writes']);
  });
  afterAll(() => s.close());

  it('a group list for an account not found now is an access change, refused, nothing sent', async () => {
    const before = writes(s);
    const result = await s.call('update_user', {
      userId: 'not.yet@wff-demo.example',
      groups: [BUILT_IN_GROUPS.administrators],
    });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toContain("this call is 'access' by its effect");
    expect(writes(s)).toBe(before);
  });
});

describe('in full', () => {
  let s: SisenseStack;
  beforeAll(async () => {
    s = await startSisenseStack(['--max-items-per-call', '5']);
  });
  afterAll(() => s.close());

  it('one group named twice in update_user_groups is refused, naming the item', async () => {
    const viewers = SISENSE_DEMO_GROUPS.viewers.name;
    const before = writes(s);
    const result = await s.call('update_user_groups', {
      userGroups: [
        { userGroupId: viewers, name: 'DV2' },
        { userGroupId: 'dv2', accessLevel: 'SQL' },
      ],
    });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toContain('userGroups[1]: names group "dv2", which item 0 already names');
    expect(writes(s)).toBe(before);
  });

  it.each(['.', '..'])('the group name %j is refused before any request', async (name) => {
    const requests = s.sandbox.requests.length;
    const result = await s.call('get_user_group', { userGroupId: name });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toContain("must not be '.' or '..'");
    expect(s.sandbox.requests.length).toBe(requests);
  });
});
