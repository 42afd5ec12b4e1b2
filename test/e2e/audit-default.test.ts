import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { beforeAll, expect, it } from 'vitest';
import { verifyAuditLog } from '../../src/guards/index.js';
import { CLI, ensureBuilt, ROOT } from './build.js';

// Claude Desktop and an IDE each start their own stdio server, both defaulting to the same audit file: both
// append to it, one chain, and nothing else piles up in the state directory.

beforeAll(() => ensureBuilt(), 120_000);

it('two servers on the default audit log share it: one chain that verifies, no per-process files, no lock left', async () => {
  const state = mkdtempSync(join(tmpdir(), 'vam-state-'));
  const start = async () => {
    const client = new Client({ name: 'e2e-audit-default', version: '1' });
    await client.connect(
      new StdioClientTransport({
        command: process.execPath,
        args: [CLI, '--sandbox'],
        cwd: ROOT,
        stderr: 'ignore',
        env: { PATH: process.env.PATH ?? '', XDG_STATE_HOME: state },
      }),
    );
    return client;
  };
  const first = await start();
  const second = await start();
  for (const client of [first, second, first, second]) {
    const result = await client.callTool({ name: 'list_permissions', arguments: { limit: 1 } });
    expect(result.isError).toBeFalsy();
  }
  await first.close();
  await second.close();

  const dir = join(state, 'visier-admin-mcp');
  // The sandbox's own default log: demo calls never join a real tenant's.
  expect(await verifyAuditLog(join(dir, 'audit-sandbox.jsonl'))).toMatchObject({ ok: true, lines: 4, findings: [] });
  expect(readdirSync(dir).sort()).toEqual([
    'audit-key.pem',
    'audit-sandbox.jsonl',
    'audit-sandbox.jsonl.checkpoint',
    'audit-sandbox.jsonl.pub',
  ]);
});
