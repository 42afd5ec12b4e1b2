import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { beforeAll, expect, it } from 'vitest';
import { verifyAuditLog } from '../../src/guards/index.js';
import { CLI, ensureBuilt, ROOT } from './build.js';

// Claude Desktop and an IDE each start their own stdio server, both defaulting to the same audit file. The
// second must keep its own chain rather than interleave with the first's and break both.

beforeAll(() => ensureBuilt(), 120_000);

it('two servers on the default audit log: the second writes its own file, and both chains verify', async () => {
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
  const logs = readdirSync(dir)
    .filter((name) => name.endsWith('.jsonl'))
    .sort();
  expect(logs).toHaveLength(2);
  expect(logs[0]).toMatch(/^audit-\d+\.jsonl$/);
  expect(logs[1]).toBe('audit.jsonl');
  for (const name of logs) expect(await verifyAuditLog(join(dir, name))).toEqual({ ok: true, lines: 2 });
  // Each server releases its claim when it exits (shortly after its client closes).
  const locks = () => readdirSync(dir).filter((name) => name.endsWith('.lock'));
  for (let waited = 0; locks().length > 0 && waited < 10_000; waited += 50) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  expect(locks()).toEqual([]);
});
