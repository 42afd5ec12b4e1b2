import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PERMISSIONS, DEMO_USERS, type SandboxHandle, startSandbox } from '../../src/sandbox/index.js';
import { CONFIRMATION_META_KEY } from '../../src/server.js';
import { ensureBuilt } from '../e2e/build.js';
import { type RedisHandle, startRedis } from '../support/redis-server.js';
import { isChange } from '../support/visier-requests.js';
import { type Replica, startReplica, stopReplica } from './replica-stack.js';

// Three replicas (`dist/cli.js --http --redis-url`) with the read cache on at its defaults (15 s reads, 5 min
// snapshots), one sandbox standing for Visier, one real redis-server: what one replica read is a hit on the others,
// and a change made through one is what the others show next, in answers and in previews.

const SECRET = 'replicas-share-this-confirm-secret';
const dana = DEMO_USERS.dana.userId;
const danaPath = `/v1/admin/users/${dana}`;

let redis: RedisHandle;
let sandbox: SandboxHandle;
let replicas: Replica[] = [];
const clients: Client[] = [];

const textOf = (result: { content?: unknown }) =>
  ((result.content ?? []) as { type: string; text?: string }[]).map((c) => c.text ?? '').join('\n');

beforeAll(async () => {
  ensureBuilt();
  [redis, sandbox] = await Promise.all([startRedis(), startSandbox({ rateLimit: false })]);
  const flags = ['--redis-url', redis.url, '--confirm-secret', SECRET, '--mode', 'full'];
  replicas = await Promise.all([0, 1, 2].map(() => startReplica(sandbox, flags)));
  for (const replica of replicas) {
    const client = new Client(
      { name: 'replica-cache-test', version: '1.0.0' },
      { capabilities: {}, versionNegotiation: { mode: { pin: '2026-07-28' } } },
    );
    await client.connect(new StreamableHTTPClientTransport(new URL(replica.url)));
    clients.push(client);
  }
}, 120_000);

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close().catch(() => {})));
  await Promise.all(replicas.map((r) => stopReplica(r, 'SIGTERM')));
  await sandbox?.close();
  await redis?.kill();
});

describe('the read cache across three replicas', () => {
  it('a read on one replica is a hit on another; a change through a third is what both show next', async () => {
    const [one, two, three] = clients as [Client, Client, Client];
    const getDana = async (client: Client) =>
      textOf(await client.callTool({ name: 'get_user', arguments: { userId: dana } }));
    sandbox.clearRequests();
    expect(await getDana(two)).toContain(DEMO_USERS.dana.displayName);
    expect(await getDana(three)).toContain(DEMO_USERS.dana.displayName);
    expect(sandbox.requests.filter((r) => r.method === 'GET' && r.path === danaPath)).toHaveLength(1);

    const update = (token?: string) =>
      one.callTool({
        name: 'update_user',
        arguments: {
          userId: dana,
          displayName: 'Dana (renamed through replica 1)',
          ...(token ? { confirmationToken: token } : {}),
        },
      });
    const first = await update();
    const token = (first._meta?.[CONFIRMATION_META_KEY] as { confirmationToken?: string } | undefined)
      ?.confirmationToken;
    const done = token === undefined ? first : await update(token);
    expect(done.isError, textOf(done)).toBeFalsy();
    expect(sandbox.requests.filter((r) => r.method !== 'GET' && r.path === danaPath)).toHaveLength(1);

    expect(await getDana(two)).toContain('Dana (renamed through replica 1)');
    expect(await getDana(three)).toContain('Dana (renamed through replica 1)');
    // A preview on another replica names her as she is now (a grant asks a person first: nothing is sent).
    const preview = await three.callTool({
      name: 'assign_permissions_to_users',
      arguments: { permissionIds: [DEMO_PERMISSIONS.headcount.permissionId], userIds: [dana] },
    });
    expect(preview._meta?.[CONFIRMATION_META_KEY]).toBeDefined();
    expect(textOf(preview)).toContain('Dana (renamed through replica 1)');
    expect(sandbox.requests.filter((r) => isChange(r) && !r.path.endsWith('/visierSecureToken'))).toHaveLength(1);
  }, 120_000);
});
