import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_GROUPS } from '../../src/sandbox/index.js';
import { dataRequests } from '../guards/e2e-harness.js';
import { type Harness, startHarness, textOf } from './harness.js';

// list_user_groups by name: Visier's V2 `displayNameFilter`, a case-sensitive glob (`*` any run, `?` one
// character), through the tool and the client to the sandbox over HTTP, with the Visier calls counted.

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ users: 20 });
});
afterAll(() => h.close());

async function search(displayNameFilter: string) {
  h.sandbox.clearRequests();
  const result = await h.call('list_user_groups', { displayNameFilter });
  expect(result.isError, textOf(result)).toBeFalsy();
  const groups = (result.structuredContent as { userGroups: { displayName: string; userGroupId: string }[] })
    .userGroups;
  return { names: groups.map((g) => g.displayName), groups, calls: dataRequests(h.sandbox) };
}

describe('list_user_groups displayNameFilter', () => {
  it('matches the whole name with * and ?, case-sensitively', async () => {
    expect((await search('*Analysts')).names).toEqual(['Sales Analysts']);
    expect((await search('HR*')).names).toEqual(['HR Business Partners']);
    expect((await search('Executive?')).names).toEqual(['Executives']);
    expect((await search('Executive')).names).toEqual([]);
    expect((await search('executives')).names).toEqual([]);
    expect((await search('*e? *')).names).toEqual(['Sales Analysts']);
    expect((await search('*e *')).names.sort()).toEqual(['Finance Planning', 'People Managers']);
    expect((await search('*.*')).names).toEqual([]);
  });

  it('costs the V2 list and one catalogue read, and names what each group grants', async () => {
    const { groups, calls } = await search('Sales*');
    expect(calls.map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /v2/admin/user-groups',
      'GET /v1/admin/permissions',
    ]);
    expect(calls[0]?.query).toMatchObject({ displayNameFilter: 'Sales*', with: 'permissions' });
    const [sales] = groups as unknown as [{ userGroupId: string; permissions: { displayName?: string }[] }];
    expect(sales.userGroupId).toBe(DEMO_GROUPS.salesAnalysts.userGroupId);
    const expected = h.sandbox
      .snapshot()
      .userGroups.find((g) => g.userGroupId === sales.userGroupId)!
      .permissionIds.map((pid) => h.sandbox.snapshot().permissions.find((p) => p.permissionId === pid)!.displayName);
    expect(sales.permissions.map((p) => p.displayName).sort()).toEqual(expected.sort());
  });
});
