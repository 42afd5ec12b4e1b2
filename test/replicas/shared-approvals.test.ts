// The approvals page behind a load balancer: three `dist/cli.js --http --redis-url` replicas, one real Redis, one
// real OpenID provider, a proxy choosing the replica each step lands on. Alice's change waits on replica 0 (A);
// Bob and Carol sign in in Chromium (the sign-in begun on A, the issuer's callback answered by B, the session
// opened on C) and decide through the page's HTTP API on the other replicas. The sandbox stands where Visier stands.
import { type CallToolResult, Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import type { Browser } from 'playwright-core';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PERMISSIONS, DEMO_USERS, type SandboxHandle, startSandbox } from '../../src/sandbox/index.js';
import { ensureBuilt } from '../e2e/build.js';
import { launchChromium } from '../support/chromium.js';
import { ALICE as alice, PAGE_CLIENT } from '../support/oauth-stack.js';
import { freePort, type Issuer, startIssuer } from '../support/oidc-issuer.js';
import { signInOnPage } from '../support/page-sign-in.js';
import { type RedisHandle, startRedis } from '../support/redis-server.js';
import { isChange } from '../support/visier-requests.js';
import { type Proxy as Balancer, type Replica, startProxy, startReplica, stopReplica } from './replica-stack.js';

const TIMEOUT_S = 20;
const admin = DEMO_PERMISSIONS.admin.permissionId;
const REPLICA_HEADER = 'x-replica';
// Where the page's own steps land, whatever the proxy's turn: so a sign-in always crosses replicas.
const PINNED: Record<string, number> = { '/approvals/sign-in': 0, '/approvals/callback': 1, '/approvals/session': 2 };

let redis: RedisHandle;
let sandbox: SandboxHandle;
let issuer: Issuer;
let browser: Browser;
let proxy: Balancer;
let publicUrl: string;
const replicas: Replica[] = [];
const landed: { path: string; replica: number }[] = [];
const keys: Record<string, string> = {};

const changes = () => sandbox.requests.filter((r) => isChange(r) && !r.path.endsWith('/visierSecureToken'));

beforeAll(async () => {
  ensureBuilt();
  const port = await freePort();
  publicUrl = `http://127.0.0.1:${port}`;
  [redis, sandbox, browser, issuer] = await Promise.all([
    startRedis(),
    startSandbox({ rateLimit: false }),
    launchChromium(),
    startIssuer({
      resource: `${publicUrl}/mcp`,
      people: [alice],
      webClient: { ...PAGE_CLIENT, redirectUri: `${publicUrl}/approvals/callback` },
    }),
  ]);
  const flags = [
    ...['--redis-url', redis.url, '--mode', 'full', '--confirm-secret', 'replicas-share-this-confirm-secret'],
    ...['--oauth-issuer', issuer.url, '--public-url', publicUrl, '--oauth-client-id', PAGE_CLIENT.id],
    ...['--approvers', 'privileged=2', '--approval-timeout-seconds', String(TIMEOUT_S)],
  ];
  const env = { VISIER_MCP_OAUTH_CLIENT_SECRET: PAGE_CLIENT.secret };
  replicas.push(...(await Promise.all([0, 1, 2].map(() => startReplica(sandbox, flags, env)))));
  proxy = await startProxy(
    replicas.map((r) => r.url),
    {
      port,
      keepHost: true,
      pick: (req) => {
        const path = new URL(req.url ?? '/', publicUrl).pathname;
        const header = req.headers[REPLICA_HEADER];
        const replica = typeof header === 'string' ? Number(header) : PINNED[path];
        if (replica !== undefined) landed.push({ path, replica });
        return replica;
      },
    },
  );
  for (const login of ['bob', 'carol']) {
    const context = await browser.newContext();
    const tab = await signInOnPage(context, publicUrl, login);
    await tab.locator('#viewer', { hasText: `Signed in as ${login}@example.com` }).waitFor();
    keys[login] = String(await tab.evaluate("sessionStorage.getItem('visier-approvals-session')"));
    await context.close();
  }
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await proxy?.close();
  await Promise.all(replicas.map((r) => stopReplica(r, 'SIGTERM')));
  await issuer?.close();
  await sandbox?.close();
  await redis?.kill();
});

/** The page's API on one replica, as the page's script calls it with `who`'s session key. */
async function page(replica: number, who: string, path: string, body?: object) {
  const answer = await request(`${publicUrl}/approvals${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: {
      [REPLICA_HEADER]: String(replica),
      'x-approvals-session': keys[who] ?? '',
      origin: publicUrl,
      'sec-fetch-site': 'same-origin',
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: answer.statusCode, body: (await answer.body.json()) as Record<string, unknown> };
}

interface Listed {
  items: { id: string; digest: string; tool: string }[];
  withdrawn: { id: string; text: string }[];
}
const listing = async (replica: number) => (await page(replica, 'bob', '/pending')).body as unknown as Listed;

async function waitFor<T>(probe: () => Promise<T | undefined>, ms = 15_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const found = await probe();
    if (found !== undefined) return found;
    if (Date.now() > until) throw new Error('never came');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Alice asks on `replica` for a privileged grant to `user`; answers the call and the change as other replicas list it. */
async function aliceAsks(replica: number, user: string, listedOn: number) {
  const client = new Client({ name: 'alice-assistant', version: '1.0.0' });
  const token = await issuer.token(alice);
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`${publicUrl}/mcp`), {
      requestInit: { headers: { authorization: `Bearer ${token}`, [REPLICA_HEADER]: String(replica) } },
    }),
  );
  const call = client
    .callTool({ name: 'assign_permissions_to_users', arguments: { permissionIds: [admin], userIds: [user] } })
    .finally(() => client.close()) as Promise<CallToolResult>;
  const item = await waitFor(async () => (await listing(listedOn)).items[0]);
  return { call, item };
}

const decide = (replica: number, who: string, item: { id: string; digest: string }, decision: string) =>
  page(replica, who, '/decide', { id: item.id, digest: item.digest, decision });
const textOf = (result: CallToolResult) => result.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n');

describe('the approvals page across replicas (Redis)', () => {
  it("a sign-in begun on A finishes on B's callback; the session key opened on C works on A and B", async () => {
    expect(landed.filter((l) => l.path === '/approvals/sign-in').map((l) => l.replica)).toEqual([0, 0]);
    expect(landed.filter((l) => l.path === '/approvals/callback').map((l) => l.replica)).toEqual([1, 1]);
    for (const replica of [0, 1, 2]) expect((await page(replica, 'carol', '/pending')).status).toBe(200);
    expect((await page(1, 'nobody', '/pending')).body).toMatchObject({ reason: 'sign-in' });
  });

  it("Alice's change waits on A; Bob approves on B (nothing sent), Carol on C: made once on A; a second click is 409", async () => {
    const before = changes().length;
    const { call, item } = await aliceAsks(0, DEMO_USERS.dana.userId, 1);
    expect((await decide(1, 'bob', item, 'approve')).body).toMatchObject({ decision: 'approved', waitingFor: 1 });
    expect((await decide(2, 'bob', item, 'approve')).body).toMatchObject({ reason: 'already-approved' });
    expect(changes().length - before).toBe(0);
    expect((await decide(2, 'carol', item, 'approve')).body).toMatchObject({ decision: 'approved', waitingFor: 0 });
    const result = await call;
    expect(result.isError, textOf(result)).toBeFalsy();
    expect(changes().length - before).toBe(1);
    expect(sandbox.snapshot().userPermissions[admin]).toContain(DEMO_USERS.dana.userId);
    expect(await decide(1, 'carol', item, 'deny')).toMatchObject({ status: 409, body: { reason: 'not-pending' } });
    expect((await listing(2)).items).toEqual([]);
  }, 60_000);

  it('a deny on B refuses the call waiting on A; nothing is sent', async () => {
    const before = changes().length;
    const { call, item } = await aliceAsks(0, DEMO_USERS.mallory.userId, 2);
    expect((await decide(1, 'bob', item, 'deny')).status).toBe(200);
    const result = await call;
    expect(result.isError).toBe(true);
    expect(textOf(result)).toContain('denied');
    expect(changes().length - before).toBe(0);
    expect(await decide(2, 'carol', item, 'approve')).toMatchObject({ status: 409, body: { reason: 'not-pending' } });
  }, 60_000);

  it('no decision in time: withdrawn on every replica, a late approval decides nothing', async () => {
    const before = changes().length;
    const { call, item } = await aliceAsks(0, DEMO_USERS.mallory.userId, 1);
    expect((await decide(2, 'bob', item, 'approve')).body).toMatchObject({ waitingFor: 1 });
    const result = await call;
    expect(result.isError).toBe(true);
    for (const replica of [0, 1, 2]) expect((await listing(replica)).items).toEqual([]);
    expect(await decide(1, 'carol', item, 'approve')).toMatchObject({ status: 409, body: { reason: 'not-pending' } });
    expect(changes().length - before).toBe(0);
  }, 60_000);

  it('the replica holding a waiting change is SIGKILLed: the others list it as withdrawn and refuse to approve it', async () => {
    const before = changes().length;
    const { call, item } = await aliceAsks(2, DEMO_USERS.mallory.userId, 0);
    // The call dies with its replica: what its client then does (retry, wait) is not this test's business.
    call.catch(() => {});
    await stopReplica(replicas[2] as Replica, 'SIGKILL');
    proxy.drop(2);
    const gone = await waitFor(async () => (await listing(0)).withdrawn.find((w) => w.id === item.id));
    expect(gone.text).toContain('the server holding it stopped');
    expect((await listing(1)).items).toEqual([]);
    expect(await decide(1, 'bob', item, 'approve')).toMatchObject({ status: 409, body: { reason: 'withdrawn' } });
    expect(await decide(0, 'carol', item, 'approve')).toMatchObject({ status: 409, body: { reason: 'withdrawn' } });
    expect(changes().length - before).toBe(0);
  }, 60_000);

  it('Redis stopped: the page answers 503 with the reason and nothing is approved; the waiting call is refused', async () => {
    const before = changes().length;
    const { call, item } = await aliceAsks(0, DEMO_USERS.mallory.userId, 1);
    expect((await decide(1, 'bob', item, 'approve')).body).toMatchObject({ waitingFor: 1 });
    await redis.kill();
    const clicked = await decide(0, 'carol', item, 'approve');
    expect(clicked).toMatchObject({ status: 503, body: { reason: 'store-unavailable' } });
    expect(String(clicked.body.text)).toContain('unreachable');
    expect((await page(1, 'bob', '/pending')).status).toBe(503);
    const result = await call;
    expect(result.isError).toBe(true);
    expect(changes().length - before).toBe(0);
  }, 60_000);
});
