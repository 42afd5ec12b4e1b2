import { readFileSync } from 'node:fs';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { Client as V1Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport as V1Transport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DEMO_PERMISSIONS, DEMO_USERS, type SandboxHandle, startSandbox } from '../../src/sandbox/index.js';
import { storeDigest } from '../../src/shared-state/digest.js';
import { ensureBuilt } from '../e2e/build.js';
import { INIT, MCP_HEADERS } from '../e2e/http-runtime.js';
import { type RedisHandle, startRedis } from '../support/redis-server.js';
import { isChange } from '../support/visier-requests.js';
import { type Replica, type Proxy as RoundRobin, startProxy, startReplica, stopReplica } from './replica-stack.js';

// 2025-era sessions (Mcp-Session-Id) served by three `dist/cli.js --http --redis-url` replicas behind a round-robin
// proxy that sends every request to the next replica: one sandbox standing for Visier, one real redis-server, and
// the v2 SDK client pinned to 2025-11-25 and the v1 SDK client, each answering the confirmation form.

let redis: RedisHandle;
let sandbox: SandboxHandle;
let replicas: Replica[];
let proxy: RoundRobin;
const closing: (() => Promise<void>)[] = [];

const FLAGS = ['--confirm-secret', 'replicas-share-this-confirm-secret', '--mode', 'full', '--cache-ttl-seconds', '0'];

/** What changed the tenant: the sandbox's log without the replicas' logins. */
const changes = () => sandbox.requests.filter((r) => isChange(r) && !r.path.endsWith('/visierSecureToken'));

const textOf = (result: { content?: unknown }) =>
  ((result.content ?? []) as { type: string; text?: string }[]).map((c) => c.text ?? '').join('\n');

/** Every audit line of every replica, parsed. */
function auditLines(): Record<string, unknown>[] {
  return replicas.flatMap((r) =>
    readFileSync(r.audit, 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as Record<string, unknown>),
  );
}

/** An audit line of a call the client cancelled while its form waited. */
const isCancelled = (line: Record<string, unknown>) =>
  (line.confirmation as { outcome?: string } | undefined)?.outcome === 'cancelled';

/** The v2 SDK client on 2025-11-25, declaring form elicitation and approving every form; `asked` counts them. */
async function v2Client(
  url: string,
  asked: string[],
): Promise<{ client: Client; transport: StreamableHTTPClientTransport }> {
  const client = new Client(
    { name: 'replicas-v2', version: '2.4.0' },
    { capabilities: { elicitation: { form: {} } }, versionNegotiation: { mode: 'legacy' } },
  );
  client.setRequestHandler('elicitation/create', async (request) => {
    asked.push(String(request.params.message));
    return { action: 'accept', content: { confirm: true } };
  });
  const transport = new StreamableHTTPClientTransport(new URL(url));
  await client.connect(transport);
  closing.push(() => client.close());
  return { client, transport };
}

/** A raw request to one replica alone, on session `id`. */
function raw(url: string, method: 'POST' | 'DELETE', id: string, body?: unknown): Promise<Response> {
  return fetch(url, {
    method,
    headers: { ...MCP_HEADERS, 'mcp-session-id': id, 'mcp-protocol-version': '2025-11-25' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

const LIST = { jsonrpc: '2.0', id: 7, method: 'tools/list', params: {} };

/** Opens a session on `url` with a raw initialize (and notifications/initialized); resolves with its id. */
async function rawSession(url: string): Promise<string> {
  const opened = await fetch(url, { method: 'POST', headers: MCP_HEADERS, body: JSON.stringify(INIT) });
  await opened.text();
  const id = opened.headers.get('mcp-session-id');
  expect(id, `initialize answered ${opened.status}`).toEqual(expect.any(String));
  const ready = await raw(url, 'POST', id as string, { jsonrpc: '2.0', method: 'notifications/initialized' });
  expect(ready.status).toBe(202);
  return id as string;
}

beforeAll(async () => {
  ensureBuilt();
  [redis, sandbox] = await Promise.all([startRedis(), startSandbox({ rateLimit: false })]);
  replicas = await Promise.all([0, 1, 2].map(() => startReplica(sandbox, ['--redis-url', redis.url, ...FLAGS])));
  proxy = await startProxy(replicas.map((r) => r.url));
}, 120_000);

afterAll(async () => {
  await Promise.all(closing.map((close) => close().catch(() => {})));
  await proxy?.close();
  await Promise.all((replicas ?? []).map((r) => stopReplica(r, 'SIGTERM')));
  await sandbox?.close();
  await redis?.kill();
});

describe('2025-era sessions across three replicas sharing Redis', () => {
  it('the v2 client on 2025-11-25 lists, reads and makes a change confirmed by a form whose answer reaches another replica: made once, audited', async () => {
    const asked: string[] = [];
    const { client } = await v2Client(proxy.url, asked);
    expect(client.getNegotiatedProtocolVersion()).toBe('2025-11-25');
    const names = (await client.listTools()).tools.map((t) => t.name);
    expect(names).toContain('assign_permissions_to_users');
    for (const user of [DEMO_USERS.dana, DEMO_USERS.mallory, DEMO_USERS.dana]) {
      const read = await client.callTool({ name: 'get_user', arguments: { userId: user.userId } });
      expect(read.isError, textOf(read)).toBeFalsy();
    }
    expect(proxy.sent.every((n) => n > 0)).toBe(true);

    sandbox.clearRequests();
    const from = proxy.history.length;
    const grant = { permissionIds: [DEMO_PERMISSIONS.headcount.permissionId], userIds: [DEMO_USERS.mallory.userId] };
    const acted = await client.callTool({ name: 'assign_permissions_to_users', arguments: grant });
    expect(acted.isError, textOf(acted)).toBeFalsy();
    expect(asked).toHaveLength(1);
    expect(changes()).toHaveLength(1);
    // The call and the client's answer to the form: two POSTs, the answer on the replica after the call's.
    const posts = proxy.history.slice(from).filter((r) => r.method === 'POST');
    expect(posts).toHaveLength(2);
    expect(posts[1]?.backend).not.toBe(posts[0]?.backend);
    const confirmed = auditLines().filter(
      (line) => line.tool === 'assign_permissions_to_users' && line.decision === 'confirmed',
    );
    expect(confirmed).toHaveLength(1);
    expect(confirmed[0]).toMatchObject({
      confirmation: { method: 'elicitation' },
      client: { name: 'replicas-v2', version: '2.4.0' },
    });
  }, 120_000);

  it('the v1 client lists, reads and makes a change confirmed by a form whose answer reaches another replica', async () => {
    const client = new V1Client(
      { name: 'replicas-v1', version: '1.32.2' },
      { capabilities: { elicitation: { form: {} } } },
    );
    let asked = 0;
    client.setRequestHandler(ElicitRequestSchema, async () => {
      asked++;
      return { action: 'accept', content: { confirm: true } };
    });
    await client.connect(new V1Transport(new URL(proxy.url)));
    closing.push(() => client.close());
    expect((await client.listTools()).tools.map((t) => t.name)).toContain('get_user');
    const read = await client.callTool({ name: 'get_user', arguments: { userId: DEMO_USERS.dana.userId } });
    expect(read.isError, textOf(read as { content?: unknown })).toBeFalsy();

    sandbox.clearRequests();
    const grant = { permissionIds: [DEMO_PERMISSIONS.headcount.permissionId], userIds: [DEMO_USERS.dana.userId] };
    const from = proxy.history.length;
    const acted = await client.callTool({ name: 'assign_permissions_to_users', arguments: grant });
    expect(acted.isError, textOf(acted as { content?: unknown })).toBeFalsy();
    expect(asked).toBe(1);
    expect(changes()).toHaveLength(1);
    const posts = proxy.history.slice(from).filter((r) => r.method === 'POST');
    expect(posts).toHaveLength(2);
    expect(posts[1]?.backend).not.toBe(posts[0]?.backend);
  }, 120_000);

  it("two changes asked at once on two replicas: each form's answer reaches the copy that asked it, never the other", async () => {
    // Both copies are new, so each numbers its first request to the client 0: the answers must still not cross.
    const client = new Client(
      { name: 'replicas-v2', version: '2.4.0' },
      { capabilities: { elicitation: { form: {} } }, versionNegotiation: { mode: 'legacy' } },
    );
    const asked: string[] = [];
    client.setRequestHandler('elicitation/create', async (request) => {
      const message = String(request.params.message);
      asked.push(message);
      return /assign/i.test(message) ? { action: 'accept', content: { confirm: true } } : { action: 'decline' };
    });
    await client.connect(new StreamableHTTPClientTransport(new URL(proxy.url)));
    closing.push(() => client.close());
    sandbox.clearRequests();
    const from = proxy.history.length;
    const permissionIds = [DEMO_PERMISSIONS.payrollAuditor.permissionId];
    const [assigned, removed] = await Promise.all([
      client.callTool({
        name: 'assign_permissions_to_users',
        arguments: { permissionIds, userIds: [DEMO_USERS.mallory.userId] },
      }),
      client.callTool({
        name: 'remove_permissions_from_users',
        arguments: { permissionIds, userIds: [DEMO_USERS.dana.userId] },
      }),
    ]);
    expect(asked).toHaveLength(2);
    expect(assigned?.isError, textOf(assigned ?? {})).toBeFalsy();
    expect(removed?.isError).toBe(true);
    expect(textOf(removed ?? {})).toContain('declined');
    expect(changes()).toHaveLength(1);
    // Visier assigns with PUT and removes with DELETE on the same path.
    expect(changes().map((r) => `${r.method} ${r.path}`)).toEqual(['PUT /v1/admin/permissions/users']);
    const posts = proxy.history.slice(from).filter((r) => r.method === 'POST');
    expect(new Set(posts.slice(0, 2).map((r) => r.backend)).size).toBe(2);
  }, 120_000);

  it('a call cancelled by the client while its form waits: the cancellation reaches the replica running it, which stops at once', async () => {
    const client = new Client(
      { name: 'replicas-v2', version: '2.4.0' },
      { capabilities: { elicitation: { form: {} } }, versionNegotiation: { mode: 'legacy' } },
    );
    let formShown: () => void = () => {};
    const shown = new Promise<void>((resolve) => {
      formShown = resolve;
    });
    // The person never answers: only the cancellation can end the wait before the 120 s elicitation timeout.
    client.setRequestHandler('elicitation/create', () => {
      formShown();
      return new Promise(() => {});
    });
    await client.connect(new StreamableHTTPClientTransport(new URL(proxy.url)));
    closing.push(() => client.close());
    sandbox.clearRequests();
    const cancelledBefore = auditLines().filter(isCancelled).length;
    const from = proxy.history.length;
    const controller = new AbortController();
    const grant = { permissionIds: [DEMO_PERMISSIONS.headcount.permissionId], userIds: [DEMO_USERS.dana.userId] };
    const call = client
      .callTool({ name: 'assign_permissions_to_users', arguments: grant }, { signal: controller.signal })
      .catch((error: unknown) => error);
    await shown;
    controller.abort();
    expect(await call).toBeInstanceOf(Error);
    await vi.waitFor(() => expect(auditLines().filter(isCancelled)).toHaveLength(cancelledBefore + 1), {
      timeout: 15_000,
    });
    const posts = proxy.history.slice(from).filter((r) => r.method === 'POST');
    expect(posts).toHaveLength(2);
    expect(posts[1]?.backend).not.toBe(posts[0]?.backend);
    expect(changes()).toEqual([]);
  }, 60_000);

  it('stores the session under a digest of its id, with an idle lifetime, naming its owner by a digest', async () => {
    const id = await rawSession(replicas[0]?.url as string);
    const reader = createClient({ url: redis.url });
    await reader.connect();
    try {
      const key = `vam:session:${storeDigest(id)}`;
      const stored = await reader.hGetAll(key);
      expect(JSON.stringify(stored)).not.toContain(id);
      expect(JSON.parse(stored.record as string)).toMatchObject({
        owner: { principal: storeDigest('http-loopback') },
        initialize: INIT.params,
      });
      expect(stored.protocolVersion).toBe('2025-11-25');
      const ttl = await reader.pTTL(key);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(1_800_000);
    } finally {
      await reader.close();
    }
  });

  it('DELETE on one replica ends the session on all: each then answers 404', async () => {
    const urls = replicas.map((r) => r.url);
    const id = await rawSession(urls[0] as string);
    // Every replica holds a copy first; resuming one asks Visier nothing.
    sandbox.clearRequests();
    for (const url of urls) {
      const listed = await raw(url, 'POST', id, LIST);
      expect(listed.status).toBe(200);
      expect(await listed.text()).toContain('get_user');
    }
    expect(sandbox.requests).toEqual([]);
    const ended = await raw(urls[1] as string, 'DELETE', id);
    expect(ended.status).toBe(200);
    for (const url of urls) {
      const after = await raw(url, 'POST', id, LIST);
      expect(after.status).toBe(404);
      expect(await after.json()).toMatchObject({ error: { code: -32001 } });
    }
  });

  it('a session no replica knows is 404 with -32001, so the client initializes again', async () => {
    const unknown = await raw(replicas[2]?.url as string, 'POST', crypto.randomUUID(), LIST);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({
      error: { code: -32001, message: expect.stringContaining('initialize a new one') },
    });
  });

  it('a replica SIGKILLed between two calls: the next call of the session is answered by another, without initializing again', async () => {
    const { client, transport } = await v2Client(proxy.url, []);
    const id = transport.sessionId;
    const first = await client.callTool({ name: 'get_user', arguments: { userId: DEMO_USERS.dana.userId } });
    expect(first.isError, textOf(first)).toBeFalsy();
    const answered = proxy.last();
    await stopReplica(replicas[answered] as Replica);
    proxy.drop(answered);
    const from = proxy.history.length;
    const second = await client.callTool({ name: 'get_user', arguments: { userId: DEMO_USERS.mallory.userId } });
    expect(second.isError, textOf(second)).toBeFalsy();
    expect(transport.sessionId).toBe(id);
    expect(proxy.history.slice(from).every((r) => r.backend !== answered)).toBe(true);
  }, 60_000);

  it('Redis down: a replica without a copy of the session answers 503 saying why, not 404; the one holding it serves on', async () => {
    const alive = replicas.filter((r) => r.child.exitCode === null && r.child.signalCode === null);
    const [holder, other] = alive as [Replica, Replica];
    const id = await rawSession(holder.url);
    await redis.kill();
    const refused = await raw(other.url, 'POST', id, LIST);
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('5');
    expect(await refused.json()).toMatchObject({
      error: { message: expect.stringContaining('store-unavailable') },
    });
    // The replica holding a copy goes on serving it; a new session cannot be recorded, so none is opened.
    const held = await raw(holder.url, 'POST', id, LIST);
    expect(held.status).toBe(200);
    expect(await held.text()).toContain('get_user');
    const opening = await fetch(other.url, { method: 'POST', headers: MCP_HEADERS, body: JSON.stringify(INIT) });
    expect(opening.status).toBe(503);
    expect(await opening.json()).toMatchObject({ error: { message: expect.stringContaining('store-unavailable') } });
  });
});
