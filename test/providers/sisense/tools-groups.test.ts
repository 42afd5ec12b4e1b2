// The Sisense group and membership tools through an SDK client over the real runtime on the embedded sandbox.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BUILT_IN_GROUPS, SISENSE_DEMO_GROUPS, SISENSE_DEMO_USERS } from '../../../src/sandbox/sisense/index.js';
import { changes, type SisenseStack, sent, startSisenseStack, textOf } from './tools-stack.js';

const { dana, mallory } = SISENSE_DEMO_USERS;
const { sqlAnalysts, viewers } = SISENSE_DEMO_GROUPS;

let s: SisenseStack;
beforeAll(async () => {
  s = await startSisenseStack();
});
afterAll(() => s.close());
beforeEach(() => s.sandbox.clearRequests());

const group = (name: string) => s.sandbox.snapshot().groups.find((g) => g.name === name);
const groupsOf = (email: string) => s.sandbox.snapshot().users.find((u) => u.email === email)?.groups;

describe('list_user_groups and get_user_group', () => {
  it('list_user_groups shows each group with the level it grants, Administrators as privileged: one request', async () => {
    const result = await s.call('list_user_groups', {});
    expect(sent(s.sandbox)).toEqual(['GET /api/v1/groups']);
    const text = textOf(result);
    expect(text).toContain('"Administrators" access Admin privileged');
    expect(text).toContain(`"${sqlAnalysts.name}" access SQL`);
  });

  it('get_user_group lists the members: the group, then every users page', async () => {
    const result = await s.call('get_user_group', { userGroupId: sqlAnalysts.name });
    expect(result.isError, textOf(result)).toBeFalsy();
    expect(sent(s.sandbox).filter((r) => r.startsWith('GET /api/v1/groups'))).toEqual([
      `GET /api/v1/groups/${encodeURIComponent(sqlAnalysts.name)}`,
    ]);
    expect(sent(s.sandbox).filter((r) => r.startsWith('GET /api/v1/users'))).toHaveLength(3);
    const out = result.structuredContent as { userGroup: { accessLevel: string }; members: { userId: string }[] };
    expect(out.userGroup.accessLevel).toBe('SQL');
    expect(out.members.map((m) => m.userId)).toContain(dana.email);
  });
});

describe('membership', () => {
  it('add_users_to_group Administrators says PRIVILEGED, dry-runs the PUT, and lands once confirmed', async () => {
    const args = { userGroupId: BUILT_IN_GROUPS.administrators, userIds: [dana.email] };
    const { first, preview, second } = await s.confirmed('add_users_to_group', args);
    expect(textOf(first)).toMatch(/^PRIVILEGED: grants Admin access \(group "Administrators"\)$/m);
    expect(preview.targets[0]?.elevated).toEqual(['joins "Administrators": becomes an Admin of the site']);
    // Preview: the group, the user, the dry-run PUT; again for the re-check; then the client's GET group, GET
    // user and the real PUT.
    expect(changes(s.sandbox)).toEqual([
      'PUT /api/v1/users?test_mode=true',
      'PUT /api/v1/users?test_mode=true',
      'PUT /api/v1/users?test_mode=false',
    ]);
    expect(sent(s.sandbox)).toHaveLength(9);
    expect(second.isError, textOf(second)).toBeFalsy();
    expect(groupsOf(dana.email)).toContain(BUILT_IN_GROUPS.administrators);
  });

  it('remove_users_from_group accounts for each user; an unknown one fails with the reason', async () => {
    const args = { userGroupId: viewers.name, userIds: [mallory.email, 'ghost@wff-demo.example'] };
    const { preview, second } = await s.confirmed('remove_users_from_group', args);
    expect(preview.targets.map((t) => t.missing ?? false)).toEqual([false, true]);
    const out = second.structuredContent as { succeeded: number; failed: number; items: { status: string }[] };
    expect(out.items.map((i) => i.status)).toEqual(['succeeded', 'failed']);
    expect(second.isError).toBe(true);
    expect(groupsOf(mallory.email)).not.toContain(viewers.name);
  });

  it('leaving All Users is refused naming the field, with no write sent', async () => {
    const result = await s.call('remove_users_from_group', {
      userGroupId: BUILT_IN_GROUPS.allUsers,
      userIds: [dana.email],
    });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/userGroupId: 'All Users' holds every user/);
    expect(changes(s.sandbox)).toEqual([]);
  });
});

describe('group changes', () => {
  it('create_user_groups is an access change; confirmed, each group is created with its level', async () => {
    const args = { userGroups: [{ name: 'Finance Viewers', accessLevel: 'View' }] };
    const { first, second } = await s.confirmed('create_user_groups', args);
    expect(textOf(first)).toContain('dry run (test_mode=true): Sisense accepted it');
    expect(second.isError, textOf(second)).toBeFalsy();
    expect(group('Finance Viewers')).toMatchObject({ access: expect.stringMatching(/view/i) });
    expect(changes(s.sandbox).at(-1)).toBe('POST /api/v1/groups?test_mode=false');
  });

  it('update_user_groups raising a level counts the members it reaches', async () => {
    const args = { userGroups: [{ userGroupId: 'Finance Viewers', accessLevel: 'SQL' }] };
    const { preview, second } = await s.confirmed('update_user_groups', args);
    expect(preview.summary).toMatch(/reaching 0 members/);
    expect(second.isError, textOf(second)).toBeFalsy();
    expect(group('Finance Viewers')?.access).toMatch(/sql/i);
  });

  it('a built-in group cannot be changed: the dry run says so in the preview and the item fails', async () => {
    const args = { userGroups: [{ userGroupId: BUILT_IN_GROUPS.administrators, accessLevel: 'View' }] };
    const { preview, second } = await s.confirmed('update_user_groups', args);
    expect(preview.summary).toMatch(/Sisense's dry run refused 1/);
    const out = second.structuredContent as { failed: number };
    expect(out.failed).toBe(1);
    expect(changes(s.sandbox).filter((c) => c.endsWith('test_mode=false'))).toHaveLength(1);
  });

  it('delete_user_groups is destructive and removes the group', async () => {
    const { second } = await s.confirmed('delete_user_groups', { userGroupIds: ['Finance Viewers'] });
    expect(second.isError, textOf(second)).toBeFalsy();
    expect(group('Finance Viewers')).toBeUndefined();
  });
});
