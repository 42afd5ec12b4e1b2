import { PassThrough } from 'node:stream';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { type CallToolResult, ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createGuard } from '../../src/guards/index.js';
import { DEMO_USERS, type SandboxHandle, startSandbox } from '../../src/sandbox/index.js';
import { createServer } from '../../src/server.js';
import type { UserUpdate } from '../../src/visier/api.js';
import { VisierClient } from '../../src/visier/client.js';

// Whether Visier's V2 PUT clears omitted fields is unverified, so bulk_update_users sends each user's current
// profile with the change applied. The sandbox keeps omitted fields either way, so the test watches what
// the tool hands the (real) client.

let sandbox: SandboxHandle;
let visier: VisierClient;
let client: Client;
const sent: UserUpdate[][] = [];

beforeAll(async () => {
  sandbox = await startSandbox({ rateLimit: false, users: 20 });
  visier = new VisierClient({
    host: sandbox.url,
    apiKey: sandbox.credentials.apiKey,
    auth: { kind: 'asid', username: sandbox.credentials.username, password: sandbox.credentials.password },
    tenantCode: sandbox.tenants.primary,
    rateLimit: false,
  });
  const watched = Object.create(visier) as VisierClient;
  watched.bulkUpdateUsers = (users, options) => {
    sent.push(users);
    return visier.bulkUpdateUsers(users, options);
  };
  const server = createServer({
    visier: watched,
    sandbox: true,
    defaultTenant: sandbox.tenants.primary,
    guard: createGuard({
      mode: 'full',
      tenants: [sandbox.tenants.primary],
      defaultTenant: sandbox.tenants.primary,
      confirm: 'auto',
      confirmSecret: 'bulk-update-merge-secret',
      audit: { stream: new PassThrough().resume() },
    }),
  });
  client = new Client({ name: 'bulk-update-merge', version: '1' }, { capabilities: { elicitation: { form: {} } } });
  client.setRequestHandler(ElicitRequestSchema, async () => ({ action: 'accept', content: { confirm: true } }));
  const [a, b] = InMemoryTransport.createLinkedPair();
  await Promise.all([server.connect(b), client.connect(a)]);
});

afterAll(async () => {
  await client.close();
  await visier.close();
  await sandbox.close();
});

it('sends each user whole: the current profile with only the named fields changed', async () => {
  const dana = sandbox.snapshot().users.find((u) => u.userId === DEMO_USERS.dana.userId)!;
  const result = (await client.callTool({
    name: 'bulk_update_users',
    arguments: {
      users: [
        { userId: dana.userId, displayName: 'Dana W.' },
        { userId: 'no-such-user', employeeId: 'X1' },
      ],
    },
  })) as CallToolResult;
  expect(result.isError).toBeFalsy();
  expect(sent).toEqual([
    [
      {
        userId: dana.userId,
        username: dana.username,
        displayName: 'Dana W.',
        employeeId: dana.employeeId,
        email: dana.email,
        accountEnabled: dana.accountEnabled,
      },
      { userId: 'no-such-user', employeeId: 'X1' },
    ],
  ]);
  const after = sandbox.snapshot().users.find((u) => u.userId === dana.userId)!;
  expect(after).toEqual({ ...dana, displayName: 'Dana W.' });
});
