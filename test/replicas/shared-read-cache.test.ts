import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type CachedVisierApi, withReadCache } from '../../src/providers/visier/cache.js';
import type { VisierClient } from '../../src/providers/visier/client.js';
import type { SandboxHandle } from '../../src/sandbox/handle.js';
import { DEMO_USERS } from '../../src/sandbox/index.js';
import type { RedisStore } from '../../src/shared-state/redis-store.js';
import { StoreUnavailableError } from '../../src/shared-state/store.js';
import { type RedisHandle, startRedis, type TwoReplicaStores, twoReplicaStores } from '../support/redis-server.js';
import { clientFor, countRequests, startTestSandbox } from '../visier/harness.js';

// Two replicas' read caches (two clients, two `withReadCache` fronts, two store connections) on one real Redis and
// one sandbox over HTTP: what one reads is a hit on the other, and what one writes the other never answers stale.

const dana = DEMO_USERS.dana.userId;
const danaPath = `/v1/admin/users/${dana}`;
const TTL = { ttlMs: 60_000, snapshotTtlMs: 300_000 };

let sandbox: SandboxHandle;
let clients: VisierClient[];
let stores: TwoReplicaStores;
let a: CachedVisierApi;
let b: CachedVisierApi;
let restarted: RedisHandle | undefined;

beforeAll(async () => {
  sandbox = await startTestSandbox();
  clients = [clientFor(sandbox), clientFor(sandbox)];
  stores = await twoReplicaStores();
  // The plain client sees Redis killed too; unheard, its error event would end the run.
  stores.raw.on('error', () => {});
}, 30_000);
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await stores.close();
  await restarted?.kill();
  await sandbox.close();
});
beforeEach(async () => {
  await stores.raw.flushAll();
  a = withReadCache(clients[0] as VisierClient, { ...TTL, shared: stores.a });
  b = withReadCache(clients[1] as VisierClient, { ...TTL, shared: stores.b });
  sandbox.faults.clear();
  sandbox.clearRequests();
});
afterEach(async () => {
  sandbox.faults.clear();
  await clients[0]?.updateUser(dana, { displayName: DEMO_USERS.dana.displayName });
});

describe('reads shared across replicas', () => {
  it('a read on one replica is a hit on the other: one Visier call for both', async () => {
    const first = await a.getUser(dana);
    const second = await b.getUser(dana);
    expect(second).toEqual(first);
    expect(countRequests(sandbox, 'GET', danaPath)).toBe(1);
    expect(b.cacheStats).toMatchObject({ hits: 1, sharedHits: 1, misses: 0 });
  });

  it('stores the read under a digest of its key, with the TTL, as directory data only', async () => {
    await a.getUser(dana);
    const keys = await stores.raw.keys('vam:cache:read:*');
    expect(keys).toHaveLength(1);
    expect(keys[0]).not.toContain(dana);
    const ttl = await stores.raw.pTTL(keys[0] as string);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(TTL.ttlMs);
    expect(await stores.raw.get(keys[0] as string)).not.toContain(sandbox.credentials.apiKey);
  });

  it('a corrupted or foreign value in Redis is a miss, never an answer', async () => {
    await a.getUser(dana);
    const [one] = await stores.raw.keys('vam:cache:read:*');
    await a.getUser(DEMO_USERS.admin.userId);
    const two = (await stores.raw.keys('vam:cache:read:*')).find((key) => key !== one);
    const own = (await stores.raw.get(one as string)) as string;
    const other = (await stores.raw.get(two as string)) as string;
    // Another read's value under this key (well formed, for another read): a miss, filled again from Visier.
    await stores.raw.set(one as string, other);
    expect((await b.getUser(dana)).userId).toBe(dana);
    // This read's envelope holding another shape, another format, and no JSON at all: misses too.
    const c = withReadCache(clients[1] as VisierClient, { ...TTL, shared: stores.b });
    await stores.raw.set(one as string, JSON.stringify({ ...JSON.parse(own), value: { userId: 42 } }));
    expect((await c.getUser(dana)).userId).toBe(dana);
    const d = withReadCache(clients[1] as VisierClient, { ...TTL, shared: stores.b });
    await stores.raw.set(one as string, JSON.stringify({ ...JSON.parse(own), format: 2 }));
    await stores.raw.set(two as string, 'not json{');
    expect((await d.getUser(dana)).userId).toBe(dana);
    expect((await d.getUser(DEMO_USERS.admin.userId)).userId).toBe(DEMO_USERS.admin.userId);
    expect(b.cacheStats.sharedHits + c.cacheStats.sharedHits + d.cacheStats.sharedHits).toBe(0);
    expect(countRequests(sandbox, 'GET', danaPath)).toBe(4);
  });
});

describe('a write on one replica clears every replica', () => {
  it('a read on A after a write on B sees the write (0 stale answers), and is stored again', async () => {
    await a.getUser(dana);
    await b.updateUser(dana, { displayName: 'Dana (changed on B)' });
    const written = countRequests(sandbox, 'GET', danaPath);
    expect((await a.getUser(dana)).displayName).toBe('Dana (changed on B)');
    expect((await b.getUser(dana)).displayName).toBe('Dana (changed on B)');
    expect(countRequests(sandbox, 'GET', danaPath) - written).toBe(1);
  });

  it('a read on A that started before a write on B does not store its answer', async () => {
    await a.getUser(dana);
    await b.updateUser(dana, { displayName: 'Dana (first)' });
    sandbox.faults.set({ latencyMs: 150 });
    const reading = a.getUser(dana);
    await new Promise((resolve) => setTimeout(resolve, 30));
    await b.updateUser(dana, { displayName: 'Dana (second)' });
    expect((await reading).displayName).toBe('Dana (first)');
    sandbox.faults.clear();
    expect((await a.getUser(dana)).displayName).toBe('Dana (second)');
    expect((await b.getUser(dana)).displayName).toBe('Dana (second)');
  });

  it('directory snapshots: each replica fills its own, and a write on B empties A of its own', async () => {
    const before = await a.directory();
    await a.directory();
    await b.directory();
    expect(before.users.get(dana)?.displayName).toBe(DEMO_USERS.dana.displayName);
    const fills = sandbox.requests.length;
    expect(fills).toBe(2 * before.requests);
    await b.updateUser(dana, { displayName: 'Dana (changed on B)' });
    expect((await a.directory()).users.get(dana)?.displayName).toBe('Dana (changed on B)');
  });
});

describe('Redis down', () => {
  it('reads go to Visier uncached, a write is refused unsent, and nothing cached before is served after', async () => {
    await a.getUser(dana);
    await b.getUser(dana);
    await stores.redis.kill();
    await waitFor(async () => !(await answers(stores.a)) && !(await answers(stores.b)));
    expect((await a.getUser(dana)).displayName).toBe(DEMO_USERS.dana.displayName);
    expect(a.cacheStats.bypassed).toBe(1);
    expect(countRequests(sandbox, 'GET', danaPath)).toBe(2);
    await expect(b.updateUser(dana, { displayName: 'Dana (unsent)' })).rejects.toBeInstanceOf(StoreUnavailableError);
    expect(countRequests(sandbox, 'PUT', danaPath)).toBe(0);
    // Changed meanwhile where no replica's cache could hear of it (another admin, a write cut off mid-way).
    await (clients[0] as VisierClient).updateUser(dana, { displayName: 'Dana (while Redis was down)' });
    restarted = await startRedis(stores.redis.port);
    await waitFor(async () => (await answers(stores.a)) && (await answers(stores.b)));
    expect((await a.getUser(dana)).displayName).toBe('Dana (while Redis was down)');
    expect((await b.getUser(dana)).displayName).toBe('Dana (while Redis was down)');
  }, 30_000);
});

async function waitFor(condition: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 200 && !(await condition()); i++) await new Promise((resolve) => setTimeout(resolve, 50));
  expect(await condition()).toBe(true);
}

const answers = (store: RedisStore) =>
  store.ping().then(
    () => true,
    () => false,
  );
