import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CATALOGUE, READ_TOOLS } from '../support/tool-names.js';
import { type Harness, startHarness, textOf } from './harness.js';

describe('tools/list', () => {
  let full: Harness;
  beforeAll(async () => {
    full = await startHarness({ users: 5 });
  });
  afterAll(() => full.close());

  it('lists exactly the catalogue in mode full, matching the committed public schema', async () => {
    const { tools } = await full.client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(CATALOGUE);
    const publicFace = tools.map((t) => ({
      name: t.name,
      title: t.title,
      description: t.description,
      annotations: t.annotations,
      inputSchema: t.inputSchema,
    }));
    await expect(`${JSON.stringify(publicFace, null, 2)}\n`).toMatchFileSnapshot('../__snapshots__/tools-list.json');
  });

  it('every input field is described and unknown keys are refused; change tools take a confirmation token', async () => {
    const { tools } = await full.client.listTools();
    for (const tool of tools) {
      expect(tool.inputSchema.additionalProperties, tool.name).toBe(false);
      for (const [field, schema] of Object.entries(tool.inputSchema.properties ?? {})) {
        expect((schema as { description?: string }).description, `${tool.name}.${field}`).toBeTruthy();
      }
      expect('tenantCode' in (tool.inputSchema.properties ?? {}), tool.name).toBe(true);
      expect('confirmationToken' in (tool.inputSchema.properties ?? {}), tool.name).toBe(
        tool.annotations?.readOnlyHint !== true,
      );
      expect(tool.outputSchema?.type, tool.name).toBe('object');
    }
  });

  it('a cursor this one-page list never issued is refused as invalid params, not ignored', async () => {
    await expect(full.client.listTools({ cursor: 'zzz' })).rejects.toMatchObject({ code: -32602 });
  });

  it('annotations follow the classification', async () => {
    const { tools } = await full.client.listTools();
    const byName = new Map(tools.map((t) => [t.name, t.annotations]));
    expect(byName.get('list_users')).toEqual({
      readOnlyHint: true,
      destructiveHint: false,
      idempotentHint: true,
      openWorldHint: true,
    });
    expect(byName.get('update_user')).toEqual({
      readOnlyHint: false,
      destructiveHint: false,
      idempotentHint: false,
      openWorldHint: true,
    });
    expect(byName.get('add_users_to_group')).toEqual({
      readOnlyHint: false,
      destructiveHint: true,
      idempotentHint: false,
      openWorldHint: true,
    });
    expect(byName.get('delete_user')).toEqual({
      readOnlyHint: false,
      destructiveHint: true,
      idempotentHint: false,
      openWorldHint: true,
    });
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
      expect(names).toHaveLength(12);
    } finally {
      await uw.close();
    }
  });
});
