import { ChangeBudget } from '../../src/guards/caps.js';
import { ConfirmationTokens, type TokenBinding } from '../../src/guards/token.js';
import { UnconfirmedChanges } from '../../src/guards/unconfirmed.js';
import { RateLimiter } from '../../src/providers/http/rate-limiter.js';
import { withReadCache } from '../../src/providers/visier/cache.js';
import { DEMO_USERS, startSandbox } from '../../src/sandbox/index.js';
import { RedisStore } from '../../src/shared-state/redis-store.js';
import { startRedis } from '../../test/support/redis-server.js';
import { type Figure, figure } from '../support/report.js';
import { sandboxClient } from '../support/stack.js';
import { sampleLatency } from '../support/stats.js';

const SAMPLES = 2000;
const ROUNDS = 8;
const SECRET = 'bench-shared-state-secret-0123456789';
const BINDING: TokenBinding = {
  tool: 'assign_permissions_to_users',
  args: { permissionIds: ['p1'], userIds: ['u1'] },
  tenants: ['T1'],
  fingerprint: 'fp',
  session: '',
  principal: 'bench',
};

/**
 * What sharing state through Redis (`--redis-url`, a redis-server on loopback) adds to a guarded change call, against
 * the same work in process memory, in one run: spending its confirmation token (one SET NX), and taking a Visier
 * rate slot (one Lua script per Visier request; a change call sends at least one), and counting an unconfirmed
 * write against the budgets and the threshold (what the guard reads and records per change: the budget checked
 * twice and taken, the running count read twice and recorded), and answering a read from the read cache (with a
 * store, each cached read first checks the shared generation: one script). p50 in milliseconds, median of
 * interleaved rounds.
 */
export async function sharedStateOverhead(): Promise<Figure[]> {
  const redis = await startRedis();
  const store = await RedisStore.connect(redis.url);
  const sandbox = await startSandbox({ rateLimit: false });
  const client = sandboxClient(sandbox, { rateLimit: false });
  try {
    const inMemory = new ConfirmationTokens(SECRET, 300, Date.now);
    const shared = new ConfirmationTokens(SECRET, 300, Date.now, undefined, { store, kind: 'token' });
    const spend = (tokens: ConfirmationTokens) => {
      const issued = Array.from({ length: SAMPLES / ROUNDS + 50 }, () => tokens.issue(BINDING, { items: 0, at: 0 }));
      return () => tokens.redeemOnce((issued.pop() as { token: string }).token, BINDING);
    };
    const limits = { perMinute: 1_000_000_000, perHour: 1_000_000_000 };
    const local = new RateLimiter(limits);
    const budget = `bench-${process.pid}`;
    const sharedLimiter = new RateLimiter(limits, undefined, () => store.takeRateSlot(budget, limits));
    const caps = { maxItemsPerCall: 500, maxChangesPerSession: 1e12, maxChangesPerHour: 1e12 };
    const counting = (shared?: RedisStore) => {
      const budget = new ChangeBudget(caps, Date.now, shared);
      const unconfirmed = new UnconfirmedChanges(Date.now, shared);
      const caller = `bench-${process.pid}-${shared ? 'redis' : 'memory'}`;
      return async () => {
        await budget.check(1, caller);
        await unconfirmed.count(caller);
        await budget.check(1, caller);
        await unconfirmed.shown(caller);
        await budget.take(1, caller);
        await unconfirmed.record(caller, 1, Number.POSITIVE_INFINITY);
      };
    };
    const countRows = await compare(
      () => counting(),
      () => counting(store),
    );
    const spendRows = await compare(
      () => spend(inMemory),
      () => spend(shared),
    );
    const rateRows = await compare(
      () => () => local.acquire(),
      () => () => sharedLimiter.acquire(),
    );
    const cachedRead = (shared?: RedisStore) => {
      const cache = withReadCache(client, { ttlMs: 3_600_000, ...(shared ? { shared } : {}) });
      return () => cache.getUser(DEMO_USERS.dana.userId);
    };
    const readRows = await compare(
      () => cachedRead(),
      () => cachedRead(store),
    );
    return [
      figure({
        figure: 'read answered from the read cache: shared generation checked in Redis vs process memory, p50',
        ours: readRows.ours,
        baseline: readRows.baseline,
        unit: 'ms',
        goal: 'report',
        met: true,
        notes: `median of ${ROUNDS} rounds of ${SAMPLES / ROUNDS}; a hit (the first read of each round fills the cache)`,
      }),
      figure({
        figure: 'confirmation token spent once: Redis (SET NX) vs process memory, p50',
        ours: spendRows.ours,
        baseline: spendRows.baseline,
        unit: 'ms',
        goal: 'report',
        met: true,
        notes: `median of ${ROUNDS} rounds of ${SAMPLES / ROUNDS}; adds ${(spendRows.ours - spendRows.baseline).toFixed(3)} ms per confirmed change`,
      }),
      figure({
        figure: 'Visier rate slot taken: shared budget in Redis (Lua) vs process memory, p50',
        ours: rateRows.ours,
        baseline: rateRows.baseline,
        unit: 'ms',
        goal: 'report',
        met: true,
        notes: `median of ${ROUNDS} rounds of ${SAMPLES / ROUNDS}; paid once per Visier request`,
      }),
      figure({
        figure: 'change counted against the budgets and the threshold: Redis vs process memory, p50',
        ours: countRows.ours,
        baseline: countRows.baseline,
        unit: 'ms',
        goal: 'report',
        met: true,
        notes: `median of ${ROUNDS} rounds of ${SAMPLES / ROUNDS}; paid once per change call (each rolling count keeps a running sum: no pass over the hour)`,
      }),
    ];
  } finally {
    await client.close();
    await sandbox.close();
    await store.close();
    await redis.kill();
  }
}

/** Interleaved rounds, so drift in the machine's load falls on both sides alike; medians of the rounds' p50s. */
async function compare(
  baseline: () => () => Promise<unknown>,
  ours: () => () => Promise<unknown>,
): Promise<{ ours: number; baseline: number }> {
  const mine: number[] = [];
  const theirs: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    theirs.push((await sampleLatency(baseline(), SAMPLES / ROUNDS, 25)).p50);
    mine.push((await sampleLatency(ours(), SAMPLES / ROUNDS, 25)).p50);
  }
  const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)] as number;
  return { ours: median(mine), baseline: median(theirs) };
}
