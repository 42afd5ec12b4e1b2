import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { type Runtime, startRuntime } from '../../src/runtime.js';
import type { HttpHandle } from '../../src/transports/http.js';
import { silent, startHttpFor } from '../e2e/http-runtime.js';

// A 2026-07-28 tools/call the HTTP layer refuses (its Mcp-Name header missing or naming another tool) never
// reached a server, so it left no audit line: every call, whatever refuses it, leaves one.

const META = {
  'io.modelcontextprotocol/protocolVersion': '2026-07-28',
  'io.modelcontextprotocol/clientInfo': { name: 'raw', version: '1' },
  'io.modelcontextprotocol/clientCapabilities': {},
};

let runtime: Runtime;
let http: HttpHandle;
let log: string;
beforeAll(async () => {
  log = join(mkdtempSync(join(tmpdir(), 'vam-audit-modern-')), 'audit.jsonl');
  runtime = await startRuntime(loadConfig(['--sandbox', '--mode', 'full', '--audit-log', log], {}), silent);
  http = await startHttpFor(runtime);
});
afterAll(async () => {
  await http.close();
  await runtime.close();
});

const lines = () =>
  readFileSync(log, 'utf8')
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);

it('a tools/call refused for its headers leaves a line naming the tool it asked for', async () => {
  const body = {
    jsonrpc: '2.0',
    id: 1,
    method: 'tools/call',
    params: { name: 'delete_user', arguments: { userId: 'u-1' }, _meta: META },
  };
  for (const name of ['get_user', undefined]) {
    const before = lines().length;
    const response = await fetch(`${http.url}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-protocol-version': '2026-07-28',
        'mcp-method': 'tools/call',
        ...(name === undefined ? {} : { 'mcp-name': name }),
      },
      body: JSON.stringify(body),
    });
    expect(response.status).toBeGreaterThanOrEqual(400);
    const added = lines().slice(before);
    expect(added).toMatchObject([
      { tool: 'delete_user', args: { userId: 'u-1' }, decision: 'refused', reason: 'transport-refused' },
    ]);
  }
});
