// Each provider's tools' public face (name, title, description, annotations, input and output schema, _meta) is
// committed, one file per tool under test/__snapshots__/tools/<provider>/, so any change to what a client sees
// shows in review. After an intended change, update with:
//   npx vitest run test/providers/suites/contract-snapshots.test.ts -u
// (vitest never writes a missing snapshot under CI=true, so a new tool must be committed with its file; a file
// whose tool is gone fails until it is deleted).
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { PROVIDER_CASES } from '../../support/cases/index.js';
import { withProviderStack } from '../../support/provider-stack.js';

const SNAPSHOT_ROOT = fileURLToPath(new URL('../../__snapshots__/tools/', import.meta.url));
const UPDATE_HINT =
  'public face changed; if intended, run: npx vitest run test/providers/suites/contract-snapshots.test.ts -u';

describe.each(PROVIDER_CASES)('contract snapshots: $id', (providerCase) => {
  it('every tool in mode full matches its committed public face, and no file is stale', async () => {
    await withProviderStack(providerCase, {}, async (stack) => {
      const tools = await stack.listTools();
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
          `../../__snapshots__/tools/${providerCase.id}/${tool.name}.json`,
        );
      }
      const dir = `${SNAPSHOT_ROOT}${providerCase.id}/`;
      const names = new Set(tools.map((t) => t.name));
      const stale = (existsSync(dir) ? readdirSync(dir) : [])
        .map((file) => file.replace(/\.json$/, ''))
        .filter((name) => !names.has(name));
      expect(
        stale,
        `snapshots of tools that no longer exist; delete their files under test/__snapshots__/tools/${providerCase.id}/`,
      ).toEqual([]);
    });
  });
});

it('every snapshot directory belongs to a provider the suites run', () => {
  const ids = new Set<string>(PROVIDER_CASES.map((c) => c.id));
  expect(readdirSync(SNAPSHOT_ROOT).filter((entry) => !ids.has(entry))).toEqual([]);
});
