import { PassThrough } from 'node:stream';
import type { CallToolResult } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { withReadCache } from '../../src/providers/visier/cache.js';
import type { VisierClient } from '../../src/providers/visier/client.js';
import { DEMO_USERS, type SandboxHandle, startSandbox } from '../../src/sandbox/index.js';
import { connectStack, type Stack } from '../support/mcp-stack.js';
import { clientFor } from '../visier/harness.js';

// Reads may come from the short cache, but a human must approve a change against the live picture.

let sandbox: SandboxHandle;
let outsider: VisierClient;
let stack: Stack;
const asked: string[] = [];

beforeAll(async () => {
  sandbox = await startSandbox({ rateLimit: false, users: 20 });
  outsider = clientFor(sandbox);
  stack = await connectStack(sandbox, {
    client: { name: 'live-preview-test', version: '1' },
    guard: { confirmSecret: 'live-preview-test-secret', audit: { stream: new PassThrough().resume() } },
    wrapVisier: (client) => {
      const cached = withReadCache(client, { ttlMs: 60_000 });
      return { api: cached, liveApi: cached.live };
    },
    // A human who reads the form and types what it asks for (the target's name).
    elicit: async ({ message, requestedSchema }) => {
      asked.push(message);
      const typedTitle =
        (requestedSchema as { properties: Record<string, { title?: string }> }).properties.typed?.title ?? '';
      return { action: 'accept', content: { confirm: true, typed: typedTitle.slice(typedTitle.indexOf(': ') + 2) } };
    },
  });
});

afterAll(async () => {
  await stack.close();
  await outsider.close();
  await sandbox.close();
});

it('a deletion is previewed from live data even while reads are cached', async () => {
  const userId = DEMO_USERS.dana.userId;
  const read = await stack.call('get_user', { userId });
  expect(JSON.stringify(read.structuredContent)).toContain('Dana Whitfield');
  // Someone changes Dana outside this server; the cached read still says "Dana Whitfield".
  await outsider.updateUser(userId, { displayName: 'Dana Renamed Elsewhere' });
  const cachedAgain = await stack.call('get_user', { userId });
  expect(JSON.stringify(cachedAgain.structuredContent)).toContain('Dana Whitfield');

  const changed: CallToolResult = await stack.call('delete_user', { userId });
  expect(changed.isError).toBeFalsy();
  expect(asked).toHaveLength(1);
  expect(asked[0]).toContain('Dana Renamed Elsewhere');
  expect(asked[0]).not.toContain('Dana Whitfield');
  expect(sandbox.snapshot().users.some((u) => u.userId === userId)).toBe(false);
  // The change cleared the cache: the next read is live and finds no such user.
  const after = await stack.call('get_user', { userId });
  expect(after.isError).toBe(true);
});
