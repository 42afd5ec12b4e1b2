import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_USERS, type SandboxHandle, startSandbox } from '../../src/sandbox/index.js';
import { CLI, ensureBuilt, ROOT } from './build.js';

// The whole process, as a desktop client runs it against a real (here: sandbox) Visier: whatever happens,
// the API key, the password and the session tokens appear in no tool result, log line or audit record.

let sandbox: SandboxHandle;
beforeAll(async () => {
  ensureBuilt();
  sandbox = await startSandbox({ rateLimit: false, users: 20 });
}, 120_000);
afterAll(() => sandbox.close());

interface Run {
  results: CallToolResult[];
  stderr: string;
  audit: string;
}

async function runAgainstSandbox(password: string): Promise<Run> {
  const auditPath = join(mkdtempSync(join(tmpdir(), 'vam-secrets-')), 'audit.jsonl');
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [CLI, '--log-level', 'trace', '--audit-log', auditPath, '--rate-limit', 'off'],
    cwd: ROOT,
    stderr: 'pipe',
    env: {
      PATH: process.env.PATH ?? '',
      VISIER_HOST: sandbox.url,
      VISIER_API_KEY: sandbox.credentials.apiKey,
      VISIER_USERNAME: sandbox.credentials.username,
      VISIER_PASSWORD: password,
      VISIER_TENANT_CODE: sandbox.tenants.primary,
    },
  });
  let stderr = '';
  transport.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const client = new Client({ name: 'e2e-secrets', version: '1.0.0' });
  await client.connect(transport);
  const results = [
    (await client.callTool({ name: 'get_user', arguments: { userId: DEMO_USERS.dana.userId } })) as CallToolResult,
    (await client.callTool({ name: 'list_users', arguments: { limit: 3 } })) as CallToolResult,
  ];
  await client.close();
  return { results, stderr, audit: readFileSync(auditPath, 'utf8') };
}

function expectNoSecret(run: Run, secrets: string[]): void {
  const everything = [JSON.stringify(run.results), run.stderr, run.audit].join('\n');
  for (const secret of secrets) expect(everything).not.toContain(secret);
  // A cookie or bearer header with a value that is not a redaction marker would be a leaked session token.
  expect(everything).not.toMatch(/VisierASIDToken=(?!\[|\*)[\w.-]{8,}/);
  expect(everything).not.toMatch(/Bearer (?!\[|\*)[\w.-]{8,}/);
  // The sandbox's ASID tokens are 32 random bytes in base64url: exactly 43 such characters, standing alone.
  // The audit log's public key (shown at start-up on purpose, standard base64) can hold such a run by chance
  // where a '/' or '+' splits it: it is no secret, so it is taken out before looking.
  const withoutPublicKey = everything.replace(/"publicKey":"[A-Za-z0-9+/=]+"/g, '"publicKey":""');
  expect(withoutPublicKey).not.toMatch(/(?<![\w-])[\w-]{43}(?![\w-])/);
}

describe('secrets across the whole process (stdio, trace logging, audit)', () => {
  it('a wrong password: a clear authentication error, and no secret anywhere', async () => {
    const wrong = 'wrong-password-5b1d9e';
    const run = await runAgainstSandbox(wrong);
    expect(run.results.every((r) => r.isError === true)).toBe(true);
    expect(JSON.stringify(run.results[0]?.content)).toMatch(/authenticat|credential|401/i);
    expect(run.stderr.length).toBeGreaterThan(0);
    expectNoSecret(run, [wrong, sandbox.credentials.apiKey]);
  });

  it('a working session at trace level: results and logs name no key, password or token', async () => {
    const run = await runAgainstSandbox(sandbox.credentials.password);
    expect(run.results.map((r) => r.isError ?? false)).toEqual([false, false]);
    expectNoSecret(run, [sandbox.credentials.password, sandbox.credentials.apiKey]);
    // trace logging did log the Visier requests, so the absence above is not the absence of logs.
    expect(run.stderr).toContain('visier request');
  });
});
