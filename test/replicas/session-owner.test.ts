import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { protectedResource } from '../../src/auth/protected-resource.js';
import { SUPPORTED_SCOPES } from '../../src/auth/scopes.js';
import type { Runtime } from '../../src/runtime.js';
import type { RedisSessions } from '../../src/shared-state/redis-sessions.js';
import { RedisStore } from '../../src/shared-state/redis-store.js';
import type { HttpHandle } from '../../src/transports/http.js';
import { INIT, MCP_HEADERS, startHttpFor, startRuntimeForTest } from '../e2e/http-runtime.js';
import { freePort, type Issuer, startIssuer, type TestPerson } from '../support/oidc-issuer.js';
import { type RedisHandle, startRedis } from '../support/redis-server.js';

// A 2025-era session belongs to the person who opened it on every replica: three HTTP endpoints as OAuth protected
// resources of one real issuer, each with its own connection to one real Redis, reached directly (no balancer), so
// each refusal is known to come from the replica asked.

const [READ, , ADMIN] = SUPPORTED_SCOPES as [string, string, string];
const dana: TestPerson = { id: 'dana', secret: 'dana-client-secret-0123456789', scope: `${READ} ${ADMIN}` };
const frank: TestPerson = { id: 'frank', secret: 'frank-client-secret-012345678', scope: `${READ} ${ADMIN}` };

let redis: RedisHandle;
let issuer: Issuer;
let runtime: Runtime;
const stores: RedisStore[] = [];
const sessions: RedisSessions[] = [];
const replicas: HttpHandle[] = [];

const LIST = { jsonrpc: '2.0', id: 2, method: 'tools/list', params: {} };

function post(url: string, token: string, body: unknown, id?: string) {
  return fetch(url, {
    method: 'POST',
    headers: {
      ...MCP_HEADERS,
      authorization: `Bearer ${token}`,
      ...(id === undefined ? {} : { 'mcp-session-id': id, 'mcp-protocol-version': '2025-11-25' }),
    },
    body: JSON.stringify(body),
  });
}

beforeAll(async () => {
  redis = await startRedis();
  const publicUrl = new URL(`http://127.0.0.1:${await freePort()}`);
  issuer = await startIssuer({ resource: `${publicUrl.origin}/mcp`, people: [dana, frank] });
  runtime = await startRuntimeForTest(['--mode', 'full']);
  for (let i = 0; i < 3; i++) {
    const store = await RedisStore.connect(redis.url);
    stores.push(store);
    const shared = await store.sessions();
    sessions.push(shared);
    const oauth = await protectedResource({ issuer: new URL(issuer.url), publicUrl });
    replicas.push(await startHttpFor(runtime, { oauth, sharedSessions: shared }));
  }
}, 60_000);

afterAll(async () => {
  await Promise.all(replicas.map((r) => r.close()));
  await Promise.all(sessions.map((s) => s.close()));
  await Promise.all(stores.map((s) => s.close()));
  await runtime?.close();
  await issuer?.close();
  await redis?.kill();
});

describe('the owner of a shared 2025-era session', () => {
  it("is checked on every replica: another person's token and a narrower one are 403, before and after a replica holds a copy", async () => {
    const owner = await issuer.token(dana);
    const opened = await post(replicas[0]?.url as string, owner, INIT);
    await opened.text();
    const id = opened.headers.get('mcp-session-id') as string;
    expect(id).toEqual(expect.any(String));
    const ready = await post(
      replicas[0]?.url as string,
      owner,
      { jsonrpc: '2.0', method: 'notifications/initialized' },
      id,
    );
    expect(ready.status).toBe(202);

    const others = [await issuer.token(frank), await issuer.token(dana, { scope: READ })];
    const refusals = async () => {
      for (const replica of replicas)
        for (const token of others) {
          const refused = await post(replica.url, token, LIST, id);
          expect(refused.status, replica.url).toBe(403);
          await refused.text();
        }
    };
    await refusals();
    for (const replica of replicas) {
      const listed = await post(replica.url, owner, LIST, id);
      expect(listed.status).toBe(200);
      expect(await listed.text()).toContain('get_user');
    }
    expect(replicas.map((r) => r.sessionCount())).toEqual([1, 1, 1]);
    await refusals();
  }, 60_000);
});
