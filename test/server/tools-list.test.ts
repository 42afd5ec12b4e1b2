// Each tool's public face (name, title, description, annotations, input and output schema, _meta) is committed,
// one file per tool under test/__snapshots__/tools/, so any change to what a client sees shows in review.
// After an intended change, update with: npx vitest run test/server/tools-list.test.ts -u
// (vitest never writes a missing snapshot under CI=true, so a new tool must be committed with its file).
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CATALOGUE, READ_TOOLS } from '../support/tool-names.js';
import { type Harness, startHarness, textOf } from './harness.js';

const SNAPSHOT_DIR = fileURLToPath(new URL('../__snapshots__/tools/', import.meta.url));
const UPDATE_HINT = 'public face changed; if intended, run: npx vitest run test/server/tools-list.test.ts -u';

describe('tools/list', () => {
  let full: Harness;
  beforeAll(async () => {
    full = await startHarness({ users: 5 });
  });
  afterAll(() => full.close());

  it('lists exactly the catalogue in mode full, each tool matching its committed public face', async () => {
    const { tools } = await full.client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(CATALOGUE);
    for (const tool of tools) {
      const face = {
        name: tool.name,
        title: tool.title,
        description: tool.description,
        annotations: tool.annotations,
        inputSchema: tool.inputSchema,
        outputSchema: tool.outputSchema,
        ...(tool._meta ? { _meta: tool._meta } : {}),
      };
      await expect(`${JSON.stringify(face, null, 2)}\n`, `${tool.name}: ${UPDATE_HINT}`).toMatchFileSnapshot(
        `../__snapshots__/tools/${tool.name}.json`,
      );
    }
    const stale = readdirSync(SNAPSHOT_DIR)
      .map((file) => file.replace(/\.json$/, ''))
      .filter((name) => !CATALOGUE.includes(name));
    expect(
      stale,
      `snapshots of tools that no longer exist; delete their files under test/__snapshots__/tools/`,
    ).toEqual([]);
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
