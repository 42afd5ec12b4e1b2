import { PassThrough, Writable } from 'node:stream';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import pino from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { z } from 'zod';
import { createGuard } from '../../src/guards/index.js';
import { type SandboxHandle, startSandbox } from '../../src/sandbox/index.js';
import { createServer, DIRECTORY_TEXT_NOTICE } from '../../src/server.js';
import { defineTool } from '../../src/tools/define.js';
import { VisierClient } from '../../src/visier/client.js';

// The server checks every result against the outputSchema it advertises, as strictly as a client will: a
// handler that builds something else is a defect, reported as an internal error, never sent as data.

const answers: Record<string, unknown> = {};
const echo = defineTool({
  name: 'echo_shape',
  title: 'Echo shape',
  description: 'Returns whatever structured value the test set.',
  classification: 'read',
  inputSchema: { key: z.string() },
  outputSchema: { count: z.number().int() },
  handler: async ({ key }) => ({ text: 'shape', structured: answers[key] as { count: number } }),
});

let sandbox: SandboxHandle;
let visier: VisierClient;
let client: Client;
const logLines: string[] = [];

beforeAll(async () => {
  sandbox = await startSandbox({ rateLimit: false, users: 5 });
  visier = new VisierClient({
    host: sandbox.url,
    apiKey: sandbox.credentials.apiKey,
    auth: { kind: 'asid', username: sandbox.credentials.username, password: sandbox.credentials.password },
    rateLimit: false,
  });
  const logs = new Writable({
    write(chunk, _encoding, done) {
      logLines.push(String(chunk));
      done();
    },
  });
  const server = createServer({
    visier,
    sandbox: false,
    tools: [echo],
    logger: pino({ level: 'error' }, logs),
    defaultTenant: sandbox.tenants.primary,
    guard: createGuard({
      mode: 'read-only',
      tenants: [sandbox.tenants.primary],
      defaultTenant: sandbox.tenants.primary,
      confirm: 'auto',
      confirmSecret: 'output-check-test-secret',
      audit: { stream: new PassThrough().resume() },
    }),
  });
  client = new Client({ name: 'output-check', version: '1' });
  const [a, b] = InMemoryTransport.createLinkedPair();
  await Promise.all([server.connect(b), client.connect(a)]);
});

afterAll(async () => {
  await client.close();
  await visier.close();
  await sandbox.close();
});

const call = async (key: string) =>
  (await client.callTool({ name: 'echo_shape', arguments: { key } })) as CallToolResult;

it('passes a result that matches the advertised outputSchema', async () => {
  answers.good = { count: 3 };
  const result = await call('good');
  expect(result.isError).toBeFalsy();
  expect(result.structuredContent).toEqual({ count: 3, directoryText: DIRECTORY_TEXT_NOTICE });
});

it('refuses to send a result with a field the schema does not declare, or of the wrong type', async () => {
  answers.extra = { count: 3, leaked: 'not in the schema' };
  answers.wrongType = { count: 'three' };
  for (const key of ['extra', 'wrongType']) {
    const result = await call(key);
    expect(result.isError).toBe(true);
    expect(result.structuredContent).toBeUndefined();
    expect(JSON.stringify(result.content)).toContain('Internal error in visier-admin-mcp');
    expect(JSON.stringify(result.content)).not.toContain('not in the schema');
  }
  expect(logLines.join('')).toContain('echo_shape built a result that does not match its outputSchema');
});
