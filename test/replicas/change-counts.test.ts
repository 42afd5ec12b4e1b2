import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChangeBudget } from '../../src/guards/caps.js';
import { UNCONFIRMED_WINDOW_MS, UnconfirmedChanges } from '../../src/guards/unconfirmed.js';
import { DEMO_USERS, type SandboxHandle, startSandbox } from '../../src/sandbox/index.js';
import { RedisStore } from '../../src/shared-state/redis-store.js';
import { StoreUnavailableError } from '../../src/shared-state/store.js';
import { ensureBuilt } from '../e2e/build.js';
import { type RedisHandle, startRedis, type TwoReplicaStores, twoReplicaStores } from '../support/redis-server.js';
import { isChange } from '../support/visier-requests.js';
import { type Replica, startReplica, stopReplica } from './replica-stack.js';

// The change budgets and the confirmation threshold's running count, shared in a real redis-server: a caller's
// count is the same whichever replica it reaches, and the deployment's hour is one budget.

const LIMITS = { maxItemsPerCall: 100, maxChangesPerSession: 150, maxChangesPerHour: 10_000 };

let redis: RedisHandle;
let a: RedisStore;
let b: RedisStore;
let raw: TwoReplicaStores['raw'];
const clock = { t: 1_000_000_000 };
const now = () => clock.t;

let stores: TwoReplicaStores | undefined;

beforeAll(async () => {
  stores = await twoReplicaStores();
  ({ redis, a, b, raw } = stores);
}, 30_000);

afterAll(async () => {
  await stores?.close();
});

describe('change budgets across replicas', () => {
  it("a caller's budget spent on one replica is spent on the other, and another caller's is its own", async () => {
    const one = new ChangeBudget(LIMITS, now, a);
    const two = new ChangeBudget(LIMITS, now, b);
    expect(await one.take(100, 'person-1')).toBeUndefined();
    expect(await two.check(60, 'person-1')).toEqual({
      reason: 'caller-budget',
      text: 'this call touches 60 users; this caller has made 100 of its 150 allowed changes (all its sessions together).',
    });
    expect(await two.take(60, 'person-1')).toMatchObject({ reason: 'caller-budget' });
    expect(await two.take(50, 'person-1')).toBeUndefined();
    expect(await one.check(1, 'person-1')).toMatchObject({ reason: 'caller-budget' });
    expect(await one.take(100, 'person-2')).toBeUndefined();
  });

  it('racing takes on two replicas never pass the budget together', async () => {
    const one = new ChangeBudget(LIMITS, now, a);
    const two = new ChangeBudget(LIMITS, now, b);
    const takes = await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? one : two).take(10, 'racer')));
    expect(takes.filter((refusal) => refusal === undefined)).toHaveLength(15);
  });

  it("the deployment's hour is one budget, freed as the hour passes", async () => {
    const limits = { ...LIMITS, maxChangesPerSession: 10_000, maxChangesPerHour: 150 };
    const one = new ChangeBudget(limits, now, a);
    const two = new ChangeBudget(limits, now, b);
    // The changes of the tests above leave the window first.
    clock.t += 60 * 60_000;
    expect(await one.take(100, 'h-a')).toBeUndefined();
    clock.t += 30 * 60_000;
    expect(await two.take(50, 'h-b')).toBeUndefined();
    expect(await one.take(1, 'h-c')).toEqual({
      reason: 'hour-budget',
      text: 'this call touches 1 user; the server has made 150 of its 150 allowed changes in the last hour.',
    });
    clock.t += 30 * 60_000;
    expect(await two.take(100, 'h-c')).toBeUndefined();
    // Keys name digests, never the caller, and all expire.
    const keys = [...(await raw.keys('vam:budget:*')), ...(await raw.keys('vam:unconfirmed:*'))];
    expect(keys).toContain('vam:budget:window');
    expect(keys.some((key) => /person|racer|h-[abc]/.test(key))).toBe(false);
    for (const key of keys) expect(await raw.pTTL(key)).toBeGreaterThan(0);
  });
});

describe('the running count for the confirmation threshold across replicas', () => {
  it('unconfirmed changes on one replica count on the other; a confirmation on either takes off what was shown', async () => {
    const one = new UnconfirmedChanges(now, a);
    const two = new UnconfirmedChanges(now, b);
    expect(await one.record('counted', 6, 10)).toBeUndefined();
    clock.t += 1_000;
    expect(await two.record('counted', 3, 10)).toBeUndefined();
    expect(await two.count('counted')).toBe(9);
    const shown = await one.shown('counted');
    expect(shown).toEqual({ items: 9, at: clock.t });
    clock.t += 1_000;
    // Made after the preview was shown: stays counted when the shown change is confirmed.
    expect(await one.record('counted', 2, 20)).toBeUndefined();
    await two.confirmed('counted', { items: 7, at: shown.at });
    expect(await one.count('counted')).toBe(4);
    expect(await one.count('someone-else')).toBe(0);
    clock.t += UNCONFIRMED_WINDOW_MS;
    expect(await two.count('counted')).toBe(0);
  });

  it('a change recorded unconfirmed is checked against the threshold in the same step: racing replicas cannot both slip under', async () => {
    const one = new UnconfirmedChanges(now, a);
    const two = new UnconfirmedChanges(now, b);
    // Both read 0 and decided no person is needed for 6 people under a threshold of 10; one of them is refused.
    const raced = await Promise.all([one.record('raced', 6, 10), two.record('raced', 6, 10)]);
    expect(raced.sort()).toEqual([6, undefined]);
    expect(await one.count('raced')).toBe(6);
  });

  it('Redis down: the counts reject as unavailable, so the guard refuses the change', async () => {
    const lost = await startRedis();
    const store = await RedisStore.connect(lost.url);
    await lost.kill();
    await expect(new ChangeBudget(LIMITS, now, store).take(1, 'x')).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(new UnconfirmedChanges(now, store).count('x')).rejects.toBeInstanceOf(StoreUnavailableError);
    await store.close().catch(() => {});
  });
});

describe('two built replicas sharing one Redis', () => {
  let sandbox: SandboxHandle;
  const started: Replica[] = [];
  const clients: Client[] = [];

  beforeAll(async () => {
    ensureBuilt();
    sandbox = await startSandbox({ rateLimit: false });
  }, 120_000);

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await Promise.all(started.map((r) => stopReplica(r, 'SIGTERM')));
    await sandbox?.close();
  });

  it("a caller's change budget spent through replica 1 refuses the next change through replica 2, sending nothing", async () => {
    const flags = ['--redis-url', redis.url, '--mode', 'full', '--max-changes-per-session', '1'];
    started.push(...(await Promise.all([startReplica(sandbox, flags), startReplica(sandbox, flags)])));
    const [one, two] = await Promise.all(
      started.map(async (replica) => {
        const client = new Client(
          { name: 'budget-test', version: '1.0.0' },
          { capabilities: {}, versionNegotiation: { mode: { pin: '2026-07-28' } } },
        );
        await client.connect(new StreamableHTTPClientTransport(new URL(replica.url)));
        clients.push(client);
        return client;
      }),
    );
    const changes = () => sandbox.requests.filter((r) => isChange(r) && !r.path.endsWith('/visierSecureToken'));
    sandbox.clearRequests();
    const update = (client: Client | undefined, displayName: string) =>
      client!.callTool({ name: 'update_user', arguments: { userId: DEMO_USERS.dana.userId, displayName } });
    const first = await update(one, 'Dana One');
    expect(first.isError, JSON.stringify(first.content)).toBeFalsy();
    expect(changes()).toHaveLength(1);
    const second = await update(two, 'Dana Two');
    expect(second.isError).toBe(true);
    expect(JSON.stringify(second.content)).toContain('this caller has made 1 of its 1 allowed change');
    expect(changes()).toHaveLength(1);
  }, 120_000);
});
