import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { beforeAll, expect, it } from 'vitest';
import { DEMO_USERS } from '../../src/sandbox/index.js';
import { CLI, ensureBuilt } from './build.js';

// A client that speaks 2026-07-28 but sends one message without the version stamp first (a bare ping) opens the
// stdio connection in the 2025 era. Its later stamped tools/call then got the SDK's "cannot request input on this
// 2025-era connection" error: no way to confirm anything for the rest of the process. It gets the token path.

const META = (capabilities: object) => ({
  'io.modelcontextprotocol/protocolVersion': '2026-07-28',
  'io.modelcontextprotocol/clientInfo': { name: 'flip', version: '1' },
  'io.modelcontextprotocol/clientCapabilities': capabilities,
});

beforeAll(() => ensureBuilt());

it('a stamped confirmation after an unstamped ping gets a preview and a token, not an error it cannot act on', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vam-flip-'));
  const child = spawn(process.execPath, [CLI, '--sandbox', '--mode', 'full', '--audit-log', join(dir, 'audit.jsonl')], {
    stdio: ['pipe', 'pipe', 'ignore'],
    env: { ...process.env, XDG_STATE_HOME: dir },
  });
  const answers = new Map<string, Record<string, unknown>>();
  const waiting = new Map<string, (answer: Record<string, unknown>) => void>();
  createInterface({ input: child.stdout }).on('line', (line) => {
    const message = JSON.parse(line) as { id?: string } & Record<string, unknown>;
    if (message.id === undefined) return;
    answers.set(message.id, message);
    waiting.get(message.id)?.(message);
  });
  const request = (id: string, method: string, params?: object) =>
    new Promise<Record<string, unknown>>((resolve) => {
      waiting.set(id, resolve);
      child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', id, method, ...(params ? { params } : {}) })}\n`);
    });
  try {
    await request('p', 'ping');
    const answer = (await request('x', 'tools/call', {
      name: 'delete_user',
      arguments: { userId: DEMO_USERS.dana.userId },
      _meta: META({ elicitation: { form: {} } }),
    })) as { result?: { isError?: boolean; content?: { text: string }[]; _meta?: Record<string, unknown> } };
    const text = answer.result?.content?.[0]?.text ?? '';
    expect(text).not.toContain('Cannot request input');
    expect(text).toContain('CONFIRMATION REQUIRED');
    expect(answer.result?._meta?.['visier-admin-mcp/confirmation']).toMatchObject({
      confirmationToken: expect.any(String),
    });
  } finally {
    child.kill();
  }
});
