// Visier's catalogue written out (test/support/tool-names.ts), so a tool that appears, disappears or changes
// class fails here. What holds for every provider (annotations by class, described fields, each tool's committed
// public face) is in test/providers/suites/.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CATALOGUE, READ_TOOLS } from '../support/tool-names.js';
import { type Harness, startHarness, textOf } from './harness.js';

describe('tools/list', () => {
  let full: Harness;
  beforeAll(async () => {
    full = await startHarness({ users: 5 });
  });
  afterAll(() => full.close());

  it('lists exactly the catalogue in mode full', async () => {
    const { tools } = await full.client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(CATALOGUE);
  });

  it('every tool takes tenantCode, so a call may name any allowed tenant', async () => {
    const { tools } = await full.client.listTools();
    for (const tool of tools) {
      expect('tenantCode' in (tool.inputSchema.properties ?? {}), tool.name).toBe(true);
    }
  });

  it('a cursor this one-page list never issued is refused as invalid params, not ignored', async () => {
    await expect(full.client.listTools({ cursor: 'zzz' })).rejects.toMatchObject({ code: -32602 });
  });

  it('read-only lists only read tools, and a hidden tool called anyway is refused naming the mode', async () => {
    const ro = await startHarness({ mode: 'read-only', users: 5 });
    try {
      const { tools } = await ro.client.listTools();
      expect(tools.map((t) => t.name).sort()).toEqual(READ_TOOLS);
      const before = ro.sandbox.snapshot();
      const r = await ro.call('delete_user', { userId: before.users[0]!.userId });
      expect(r.isError).toBe(true);
      expect(textOf(r)).toContain("needs mode 'full'");
      expect(ro.sandbox.snapshot()).toEqual(before);
      expect(ro.audit.some((line) => line.includes('delete_user'))).toBe(true);
    } finally {
      await ro.close();
    }
  });

  it('user-writes adds the write tools only', async () => {
    const uw = await startHarness({ mode: 'user-writes', users: 5 });
    try {
      const names = (await uw.client.listTools()).tools.map((t) => t.name);
      expect(names).toContain('bulk_update_users');
      expect(names).toContain('create_user');
      expect(names).not.toContain('delete_user');
      expect(names).not.toContain('add_users_to_group');
      expect(names).toHaveLength(13);
    } finally {
      await uw.close();
    }
  });
});
