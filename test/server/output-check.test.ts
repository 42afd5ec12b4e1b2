import { PassThrough, Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { z } from 'zod';
import { defineTool } from '../../src/contract/tool.js';
import { type SandboxHandle, startSandbox } from '../../src/sandbox/index.js';
import { DIRECTORY_TEXT_NOTICE } from '../../src/server.js';
import { connectStack, type Stack } from '../support/mcp-stack.js';

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
let stack: Stack;
const logLines: string[] = [];

beforeAll(async () => {
  sandbox = await startSandbox({ rateLimit: false, users: 5 });
  const logs = new Writable({
    write(chunk, _encoding, done) {
      logLines.push(String(chunk));
      done();
    },
  });
  stack = await connectStack(sandbox, {
    client: { name: 'output-check', version: '1' },
    guard: {
      mode: 'read-only',
      confirmSecret: 'output-check-test-secret',
      audit: { stream: new PassThrough().resume() },
    },
    server: { tools: [echo], logger: pino({ level: 'error' }, logs), sandbox: false },
  });
});

afterAll(async () => {
  await stack.close();
  await sandbox.close();
});

it('passes a result that matches the advertised outputSchema', async () => {
  answers.good = { count: 3 };
  const result = await stack.call('echo_shape', { key: 'good' });
  expect(result.isError).toBeFalsy();
  expect(result.structuredContent).toEqual({ count: 3, directoryText: DIRECTORY_TEXT_NOTICE });
});

it('refuses to send a result with a field the schema does not declare, or of the wrong type', async () => {
  answers.extra = { count: 3, leaked: 'not in the schema' };
  answers.wrongType = { count: 'three' };
  for (const key of ['extra', 'wrongType']) {
    const result = await stack.call('echo_shape', { key });
    expect(result.isError).toBe(true);
    expect(result.structuredContent).toBeUndefined();
    expect(JSON.stringify(result.content)).toContain('Internal error in visier-admin-mcp');
    expect(JSON.stringify(result.content)).not.toContain('not in the schema');
  }
  expect(logLines.join('')).toContain('echo_shape built a result that does not match its outputSchema');
});
