import { PassThrough } from 'node:stream';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { type CallToolResult, ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createGuard } from '../../src/guards/index.js';
import { DEMO_USERS, type SandboxHandle, startSandbox } from '../../src/sandbox/index.js';
import { createServer } from '../../src/server.js';
import { withReadCache } from '../../src/visier/cache.js';
import { VisierClient } from '../../src/visier/client.js';

// Reads may come from the short cache, but a human must approve a change against the live picture.

let sandbox: SandboxHandle;
let visier: VisierClient;
let outsider: VisierClient;
let client: Client;
const asked: string[] = [];

beforeAll(async () => {
  sandbox = await startSandbox({ rateLimit: false, users: 20 });
  const connect = () =>
    new VisierClient({
      host: sandbox.url,
      apiKey: sandbox.credentials.apiKey,
      auth: { kind: 'asid', username: sandbox.credentials.username, password: sandbox.credentials.password },
      tenantCode: sandbox.tenants.primary,
      rateLimit: false,
    });
  visier = connect();
  outsider = connect();
  const cached = withReadCache(visier, { ttlMs: 60_000 });
  const server = createServer({
    visier: cached,
    liveVisier: cached.live,
    sandbox: true,
    defaultTenant: sandbox.tenants.primary,
    guard: createGuard({
      mode: 'full',
      tenants: [sandbox.tenants.primary],
      defaultTenant: sandbox.tenants.primary,
      confirm: 'auto',
      confirmSecret: 'live-preview-test-secret',
      audit: { stream: new PassThrough().resume() },
    }),
  });
  client = new Client({ name: 'live-preview-test', version: '1' }, { capabilities: { elicitation: { form: {} } } });
  client.setRequestHandler(ElicitRequestSchema, async (request) => {
    asked.push(request.params.message);
    // A human who reads the form and types what it asks for (the target's name).
    const params = request.params as { requestedSchema: { properties: Record<string, { title?: string }> } };
    const typedTitle = params.requestedSchema.properties.typed?.title ?? '';
    return { action: 'accept', content: { confirm: true, typed: typedTitle.slice(typedTitle.indexOf(': ') + 2) } };
  });
  const [a, b] = InMemoryTransport.createLinkedPair();
  await Promise.all([server.connect(b), client.connect(a)]);
});

afterAll(async () => {
  await client.close();
  await visier.close();
  await outsider.close();
  await sandbox.close();
});

it('a deletion is previewed from live data even while reads are cached', async () => {
  const userId = DEMO_USERS.dana.userId;
  const read = (await client.callTool({ name: 'get_user', arguments: { userId } })) as CallToolResult;
  expect(JSON.stringify(read.structuredContent)).toContain('Dana Whitfield');
  // Someone changes Dana outside this server; the cached read still says "Dana Whitfield".
  await outsider.updateUser(userId, { displayName: 'Dana Renamed Elsewhere' });
  const cachedAgain = (await client.callTool({ name: 'get_user', arguments: { userId } })) as CallToolResult;
  expect(JSON.stringify(cachedAgain.structuredContent)).toContain('Dana Whitfield');

  const changed = (await client.callTool({ name: 'delete_user', arguments: { userId } })) as CallToolResult;
  expect(changed.isError).toBeFalsy();
  expect(asked).toHaveLength(1);
  expect(asked[0]).toContain('Dana Renamed Elsewhere');
  expect(asked[0]).not.toContain('Dana Whitfield');
  expect(sandbox.snapshot().users.some((u) => u.userId === userId)).toBe(false);
  // The change cleared the cache: the next read is live and finds no such user.
  const after = (await client.callTool({ name: 'get_user', arguments: { userId } })) as CallToolResult;
  expect(after.isError).toBe(true);
});
