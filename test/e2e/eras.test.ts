import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StreamableHTTPClientTransport as ModernHttp } from '@modelcontextprotocol/client';
import { StdioClientTransport as ModernStdio } from '@modelcontextprotocol/client/stdio';
import { StdioClientTransport as LegacyStdio } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport as LegacyHttp } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Runtime } from '../../src/runtime.js';
import { startSandbox } from '../../src/sandbox/index.js';
import type { HttpHandle } from '../../src/transports/http.js';
import { type Answer, type Asked, type EraClient, legacyClient, modernClient } from '../support/era-clients.js';
import { CLI, ensureBuilt, ROOT } from './build.js';
import { startHttpFor, startRuntimeForTest } from './http-runtime.js';

// The same guarded change, end to end, from a client of each era: an SDK v1 client on 2025-11-25 (the server
// pushes the question while the call waits) and an SDK v2 client on 2026-07-28 (the question comes back as an
// input_required result and the client repeats the call with the answer), over stdio and Streamable HTTP.

const APPROVE: Answer = () => ({ action: 'accept', content: { confirm: true } });

/** A group and twelve people outside it: over the write threshold of 10, so a person must confirm. */
async function theChange(): Promise<{ userGroupId: string; userIds: string[] }> {
  // The CLI's sandbox is seeded the same way: this copy only names ids that exist there.
  const sandbox = await startSandbox({ rateLimit: false });
  try {
    const snap = sandbox.snapshot();
    const group = snap.userGroups.find((g) => g.memberIds.length > 0 && g.memberIds.length < 50)!;
    const userIds = snap.users
      .map((u) => u.userId)
      .filter((id) => !group.memberIds.includes(id))
      .slice(0, 12);
    return { userGroupId: group.userGroupId, userIds };
  } finally {
    await sandbox.close();
  }
}

const CLIENTS = [
  { era: '2025-11-25', connect: legacyClient, method: 'elicitation' },
  { era: '2026-07-28', connect: modernClient, method: 'input-request' },
] as const;

async function runChange(client: EraClient, asked: Asked[], change: { userGroupId: string; userIds: string[] }) {
  expect(await client.listToolNames()).toContain('add_users_to_group');
  const result = await client.callTool('add_users_to_group', change);
  expect(result.isError, JSON.stringify(result.content)).toBeFalsy();
  expect(result.structuredContent).toMatchObject({ succeeded: 1 });
  expect(asked).toHaveLength(1);
  expect(asked[0]?.message).toContain('add_users_to_group');
  expect(asked[0]?.requestedSchema).toMatchObject({ properties: { confirm: { type: 'boolean' } } });
}

function auditOf(path: string): Record<string, unknown>[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.startsWith('{') && line.includes('"tool"'))
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((line) => line.tool === 'add_users_to_group');
}

let change: { userGroupId: string; userIds: string[] };
beforeAll(async () => {
  ensureBuilt();
  change = await theChange();
}, 120_000);

describe.each(CLIENTS)('a $era client', ({ era, connect, method }) => {
  it('over stdio (node dist/cli.js): asks once, acts once, audits the confirmation', async () => {
    const audit = join(mkdtempSync(join(tmpdir(), 'vam-eras-')), 'audit.jsonl');
    const params = {
      command: process.execPath,
      args: [CLI, '--sandbox', '--mode', 'full', '--audit-log', audit],
      cwd: ROOT,
      stderr: 'pipe' as const,
    };
    const asked: Asked[] = [];
    const transport = era === '2025-11-25' ? new LegacyStdio(params) : new ModernStdio(params);
    const client = await connect(transport, APPROVE, asked);
    try {
      expect(client.negotiated()).toBe(era);
      await runChange(client, asked, change);
    } finally {
      await client.close();
    }
    const lines = auditOf(audit);
    expect(lines.map((l) => [l.decision, (l.confirmation as { method?: string })?.method])).toEqual(
      era === '2025-11-25'
        ? [['confirmed', 'elicitation']]
        : [
            ['confirmation-required', method],
            ['confirmed', method],
          ],
    );
  });

  describe('over Streamable HTTP', () => {
    let runtime: Runtime;
    let http: HttpHandle;
    beforeAll(async () => {
      runtime = await startRuntimeForTest(['--mode', 'full']);
      http = await startHttpFor(runtime);
    });
    afterAll(async () => {
      await http.close();
      await runtime.close();
    });

    it('asks once and the change lands in the tenant', async () => {
      const asked: Asked[] = [];
      const url = new URL(http.url);
      const client = await connect(era === '2025-11-25' ? new LegacyHttp(url) : new ModernHttp(url), APPROVE, asked);
      try {
        expect(client.negotiated()).toBe(era);
        await runChange(client, asked, change);
      } finally {
        await client.close();
      }
      const group = runtime
        .sandbox!.snapshot()
        .userGroups.find((g: { userGroupId: string }) => g.userGroupId === change.userGroupId)!;
      expect(change.userIds.every((id) => group.memberIds.includes(id))).toBe(true);
    });
  });
});
