import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeDigest } from '../../src/shared-state/digest.js';
import type { RedisStore } from '../../src/shared-state/redis-store.js';
import { type TwoReplicaStores, twoReplicaStores } from '../support/redis-server.js';

// The rolling counts' running sums against a real redis-server: whatever two replicas add, trim and take off, in
// any order and at any times, the sum kept beside each set is the sum of its members, and the counts the store
// answers are that sum.

const WINDOW_MS = 3_600_000;
const CALLER = 'person-1';
// The caller's unconfirmed set and the deployment's window set, as the store names them.
const UNCONFIRMED = `vam:unconfirmed:${storeDigest(CALLER)}`;
const WINDOW = 'vam:budget:window';
/** The sets each kind of step reads or writes. */
const TOUCHES: Record<Exclude<Op['kind'], 'lose-sum'>, string[]> = {
  record: [UNCONFIRMED],
  confirm: [UNCONFIRMED],
  take: [WINDOW],
  count: [UNCONFIRMED, WINDOW],
};

type Op =
  | { kind: 'record'; on: 0 | 1; items: number; threshold: number; dt: number }
  | { kind: 'take'; on: 0 | 1; items: number; perWindow: number; dt: number }
  | { kind: 'confirm'; on: 0 | 1; items: number; back: number; dt: number }
  | { kind: 'count'; on: 0 | 1; dt: number }
  // A set written before sums were kept (or a sum lost): the next step computes it again.
  | { kind: 'lose-sum'; dt: number };

const on = fc.constantFrom(0 as const, 1 as const);
const dt = fc.integer({ min: 0, max: WINDOW_MS / 3 });
const items = fc.integer({ min: 0, max: 20 });
const limit = fc.integer({ min: 0, max: 120 });
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('record' as const), on, items, threshold: limit, dt }),
  fc.record({ kind: fc.constant('take' as const), on, items, perWindow: limit, dt }),
  fc.record({
    kind: fc.constant('confirm' as const),
    on,
    items: fc.integer({ min: 0, max: 40 }),
    back: fc.integer({ min: 0, max: WINDOW_MS }),
    dt,
  }),
  fc.record({ kind: fc.constant('count' as const), on, dt }),
  fc.record({ kind: fc.constant('lose-sum' as const), dt }),
);

let stores: TwoReplicaStores;
let replicas: RedisStore[];

beforeAll(async () => {
  stores = await twoReplicaStores();
  replicas = [stores.a, stores.b];
}, 30_000);
afterAll(async () => {
  await stores.close();
});

/** The set's members' people summed in full, and the running sum kept beside it (undefined when none). */
async function sums(set: string): Promise<{ full: number; running: number | undefined }> {
  const members = await stores.raw.zRange(set, 0, -1);
  const full = members.reduce((total, m) => total + Number(m.slice(m.lastIndexOf(':') + 1)), 0);
  const running = await stores.raw.get(`${set}:sum`);
  return { full, running: running === null ? undefined : Number(running) };
}

describe('running sums of the rolling counts', () => {
  it('equal the full sum after any adds, trims and confirms, on either replica', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 25 }), async (ops) => {
        await stores.raw.flushAll();
        let t = 1_000_000_000;
        // Sets whose sum was dropped and not yet touched since: they have none until then.
        const lost = new Set<string>();
        for (const step of ops) {
          t += step.dt;
          const store = replicas[step.kind === 'lose-sum' ? 0 : step.on] as RedisStore;
          if (step.kind === 'record') {
            const before = await store.recordUnconfirmed(CALLER, step.items, step.threshold, WINDOW_MS, t);
            if (before !== undefined) expect(before + step.items).toBeGreaterThan(step.threshold);
          } else if (step.kind === 'take') {
            const limits = { perCaller: Number.MAX_SAFE_INTEGER, perWindow: step.perWindow, windowMs: WINDOW_MS };
            const use = await store.takeBudget(CALLER, step.items, limits, t);
            expect(use.taken).toBe(use.window + step.items <= step.perWindow);
          } else if (step.kind === 'confirm') {
            await store.confirmUnconfirmed(CALLER, { items: step.items, at: t - step.back }, WINDOW_MS, t);
          } else if (step.kind === 'count') {
            const [unconfirmed, use] = await Promise.all([
              store.unconfirmedCount(CALLER, WINDOW_MS, t),
              store.budgetUse(CALLER, { perCaller: 0, perWindow: 0, windowMs: WINDOW_MS }, t),
            ]);
            const [u, w] = await Promise.all([UNCONFIRMED, WINDOW].map(sums));
            expect(unconfirmed).toBe(u?.full);
            expect(use.window).toBe(w?.full);
          } else {
            for (const set of [UNCONFIRMED, WINDOW]) {
              await stores.raw.del(`${set}:sum`);
              lost.add(set);
            }
            continue;
          }
          for (const set of TOUCHES[step.kind]) lost.delete(set);
          for (const set of [UNCONFIRMED, WINDOW]) {
            const { full, running } = await sums(set);
            if (lost.has(set)) continue;
            expect(running ?? 0).toBe(full);
            // The sum lives exactly as long as its set.
            expect(running === undefined).toBe((await stores.raw.exists(set)) === 0);
          }
        }
      }),
      { numRuns: 60 },
    );
  }, 120_000);
});
