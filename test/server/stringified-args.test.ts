import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_GROUPS, DEMO_PERMISSIONS, DEMO_USERS } from '../../src/sandbox/index.js';
import { CONFIRMATION_META_KEY } from '../../src/server.js';
import { type Harness, mutations, startHarness, textOf } from './harness.js';

// Real clients (and the models behind them) stringify arguments: "5" for a number, "true" for a boolean, a JSON
// array in a string. Where the field's type makes the meaning unambiguous the call is taken as meant.
let h: Harness;
beforeAll(async () => {
  h = await startHarness({ users: 20 });
});
afterAll(() => h.close());

describe('arguments clients stringify', () => {
  it('"5" for a number and "true" for a boolean are taken', async () => {
    const page = await h.call('list_permissions', { limit: '1' });
    expect(page.isError, textOf(page)).toBeFalsy();
    expect((page.structuredContent as { returned: number }).returned).toBe(1);
    const holders = await h.call('list_users_with_permission', {
      permissionId: DEMO_PERMISSIONS.compensation.permissionId,
      includeUserGroups: 'true',
    });
    expect(holders.isError, textOf(holders)).toBeFalsy();
  });

  it('a JSON array in a string is taken as the array', async () => {
    const r = await h.call('add_users_to_group', {
      userGroupId: DEMO_GROUPS.salesAnalysts.userGroupId,
      userIds: JSON.stringify([DEMO_USERS.dana.userId]),
    });
    expect(r._meta?.[CONFIRMATION_META_KEY], textOf(r)).toBeDefined();
    expect(mutations(h.sandbox)).toEqual([]);
  });

  it('what is still ambiguous is refused naming the field', async () => {
    for (const [args, field] of [
      [{ limit: 'five' }, 'limit'],
      [{ limit: '1e3' }, 'limit'],
      [{ limit: '' }, 'limit'],
    ] as const) {
      const r = await h.call('list_permissions', args);
      expect(r.isError).toBe(true);
      expect(textOf(r)).toContain(field);
    }
    const yes = await h.call('list_users_with_permission', {
      permissionId: DEMO_PERMISSIONS.compensation.permissionId,
      includeUserGroups: 'yes',
    });
    expect(yes.isError).toBe(true);
    expect(textOf(yes)).toContain('includeUserGroups');
  });

  it('tools/list still advertises the strict types', async () => {
    const { tools } = await h.client.listTools();
    const props = tools.find((t) => t.name === 'list_permissions')!.inputSchema.properties as Record<string, unknown>;
    expect(props.limit).toMatchObject({ type: 'integer' });
  });

  it('"arguments": null is taken as {}', async () => {
    const r = await h.client.request({
      method: 'tools/call',
      params: { name: 'list_permissions', arguments: null as unknown as Record<string, unknown> },
    });
    expect(r.isError, JSON.stringify(r.content)).toBeFalsy();
  });
});
