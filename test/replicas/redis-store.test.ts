import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfirmationTokens, type TokenBinding } from '../../src/guards/token.js';
import { RateLimiter } from '../../src/providers/http/rate-limiter.js';
import { RedisStore } from '../../src/shared-state/redis-store.js';
import { StoreUnavailableError } from '../../src/shared-state/store.js';
import { startRedis, type TwoReplicaStores, twoReplicaStores } from '../support/redis-server.js';

// The shared store against a real redis-server: what each replica records there, and that two replicas (two
// connections, two token sets) agree through it.

const SECRET = 'replica-secret-0123456789abcdef';
const BINDING: TokenBinding = {
  tool: 'delete_user',
  args: { userId: 'u1' },
  tenants: ['T1'],
  fingerprint: 'fp-1',
  session: '',
  principal: 'bearer:abc',
};
const NONE_SHOWN = { items: 0, at: 0 };

let a: RedisStore;
let b: RedisStore;
let raw: TwoReplicaStores['raw'];

let stores: TwoReplicaStores | undefined;

beforeAll(async () => {
  stores = await twoReplicaStores();
  ({ a, b, raw } = stores);
}, 30_000);

afterAll(async () => {
  await stores?.close();
});

describe('single-use records', () => {
  it('a token spent on one replica is refused as replayed on another that shares the secret', async () => {
    const one = new ConfirmationTokens(SECRET, 300, Date.now, undefined, { store: a, kind: 'token' });
    const two = new ConfirmationTokens(SECRET, 300, Date.now, undefined, { store: b, kind: 'token' });
    const { token } = one.issue(BINDING, NONE_SHOWN);
    expect((await one.redeemOnce(token, BINDING)).ok).toBe(true);
    expect(await two.redeemOnce(token, BINDING)).toEqual({
      ok: false,
      reason: 'token-replayed',
      text: 'the confirmation token was already used. Nothing was sent.',
    });
  });

  it('a token whose targets changed is spent everywhere too', async () => {
    const one = new ConfirmationTokens(SECRET, 300, Date.now, undefined, { store: a, kind: 'token' });
    const two = new ConfirmationTokens(SECRET, 300, Date.now, undefined, { store: b, kind: 'token' });
    const { token } = one.issue(BINDING, NONE_SHOWN);
    expect((await one.redeemOnce(token, { ...BINDING, fingerprint: 'fp-2' })).ok).toBe(false);
    expect(await two.redeemOnce(token, BINDING)).toMatchObject({ ok: false, reason: 'token-replayed' });
  });

  it('keys are namespaced by kind, hold a digest of the id, and expire with the token', async () => {
    const one = new ConfirmationTokens(SECRET, 300, Date.now, undefined, { store: a, kind: 'approval' });
    const { token, id } = one.issue(BINDING, NONE_SHOWN);
    await one.redeemOnce(token, BINDING);
    const keys = await raw.keys('vam:once:approval:*');
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.some((key) => key.includes(id))).toBe(false);
    for (const key of keys) {
      const ttl = await raw.pTTL(key);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(300_000);
    }
  });

  it("with a store, the store's record is the only one: a process keeps no spent set of its own", async () => {
    const one = new ConfirmationTokens(SECRET, 300, Date.now, undefined, { store: a, kind: 'token' });
    const { token } = one.issue(BINDING, NONE_SHOWN);
    expect((await one.redeemOnce(token, BINDING)).ok).toBe(true);
    expect(await one.redeemOnce(token, BINDING)).toMatchObject({ ok: false, reason: 'token-replayed' });
    // Forgotten by the store (its TTL, or here by hand), the spend is forgotten everywhere alike.
    await Promise.all((await raw.keys('vam:once:token:*')).map((key) => raw.del(key)));
    expect((await one.redeemOnce(token, BINDING)).ok).toBe(true);
  });

  it('the same id claimed under another kind is another record', async () => {
    expect(await a.claimOnce('state', 'same-id', 10_000)).toBe(true);
    expect(await b.claimOnce('state', 'same-id', 10_000)).toBe(false);
    expect(await b.claimOnce('token', 'same-id', 10_000)).toBe(true);
  });
});

describe('the shared rate budget', () => {
  it('replicas together take at most perMinute calls, and the refused one learns how long to wait', async () => {
    const limits = { perMinute: 3, perHour: 100 };
    const waits = [
      await a.takeRateSlot('budget-1', limits),
      await b.takeRateSlot('budget-1', limits),
      await a.takeRateSlot('budget-1', limits),
      await b.takeRateSlot('budget-1', limits),
    ];
    expect(waits.slice(0, 3)).toEqual([0, 0, 0]);
    expect(waits[3]).toBeGreaterThan(55_000);
    expect(waits[3]).toBeLessThanOrEqual(60_000);
    // Another key's budget is its own.
    expect(await b.takeRateSlot('budget-2', limits)).toBe(0);
    expect(await raw.pTTL('vam:rate:budget-1')).toBeGreaterThan(3_500_000);
  });

  it('the hourly limit holds across replicas as well', async () => {
    const limits = { perMinute: 100, perHour: 2 };
    expect(await a.takeRateSlot('budget-h', limits)).toBe(0);
    expect(await b.takeRateSlot('budget-h', limits)).toBe(0);
    const wait = await a.takeRateSlot('budget-h', limits);
    expect(wait).toBeGreaterThan(3_500_000);
  });

  it('a limiter waits for the shared budget instead of failing', async () => {
    const slept: number[] = [];
    let now = 0;
    let free = 2;
    // The store's answers in order: two slots free, then a 40 s wait, then one freed.
    const shared = async () => (free-- > 0 ? 0 : free === -1 ? 40_000 : 0);
    const limiter = new RateLimiter(
      { perMinute: 100, perHour: 6000 },
      {
        now: () => now,
        sleep: async (ms: number) => {
          slept.push(ms);
          now += ms;
        },
      },
      shared,
    );
    await limiter.acquire();
    await limiter.acquire();
    await limiter.acquire();
    expect(slept).toEqual([40_000]);
  });
});

describe('Redis down', () => {
  it('refuses to spend a token (fail closed) and says why; a connection at start fails naming the URL', async () => {
    const lost = await startRedis();
    const store = await RedisStore.connect(lost.url);
    const tokens = new ConfirmationTokens(SECRET, 300, Date.now, undefined, { store, kind: 'token' });
    const { token } = tokens.issue(BINDING, NONE_SHOWN);
    await lost.kill();
    const check = await tokens.redeemOnce(token, BINDING);
    expect(check).toMatchObject({ ok: false, reason: 'store-unavailable' });
    expect(check.ok === false && check.text).toMatch(/shared state .* unreachable .*nothing was sent/);
    await expect(store.ping()).rejects.toBeInstanceOf(StoreUnavailableError);
    // Refused unspent: once Redis is back the same token is good, as the refusal's text says.
    const back = await startRedis(lost.port);
    await waitUntilAnswering(store);
    expect((await tokens.redeemOnce(token, BINDING)).ok).toBe(true);
    await back.kill();
    await store.close().catch(() => {});
    await expect(RedisStore.connect(lost.url)).rejects.toThrow(/Redis at redis:\/\/127\.0\.0\.1:\d+\/? did not answer/);
  });
});

async function waitUntilAnswering(store: RedisStore): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (
      await store.ping().then(
        () => true,
        () => false,
      )
    )
      return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await store.ping();
}
