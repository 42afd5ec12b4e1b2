import { asRateCaller } from '../../src/providers/http/rate-caller.js';
import { RateLimiter } from '../../src/providers/http/rate-limiter.js';
import { ManualClock } from '../../test/support/manual-clock.js';
import { type Figure, figure } from '../support/report.js';

const LIMITS = { perMinute: 100, perHour: 6000 };
/**
 * Mallory asks this many Visier requests at once: a minute's budget sent at once and one short of a minute's waiting
 * (the cap per caller), so that the one-line baseline, where Alice's requests count as Mallory's, still has room.
 */
const FLOOD = 2 * LIMITS.perMinute - 1;
/** Alice asks when Mallory's first minute is half gone. */
const ALICE_AT_MS = 30_000;
const STEP_MS = 100;

const settled = () => new Promise((resolve) => setImmediate(resolve));

/**
 * Seconds from Alice's call to its answer when it needs two Visier requests one after the other (a get_user), while
 * Mallory holds the key's 100 calls/minute with a flood: callers taking turns (Alice's call is her own) against one
 * line for everyone (her call queued as Mallory's, as the limiter was first-in first-out for all). Simulated time
 * on the limiter's own clock (test/support/manual-clock.ts), so the figure is exact and takes no minutes to run.
 */
export async function rateTurns(): Promise<Figure[]> {
  const turns = await aliceWaits('alice');
  const oneLine = await aliceWaits('mallory');
  return [
    figure({
      figure: "another person's 2-request read under one person's flood: turns per caller vs one line, seconds",
      ours: turns,
      baseline: oneLine,
      unit: 's',
      goal: 'report',
      met: turns < oneLine,
      notes: `Visier budget ${LIMITS.perMinute}/min; Mallory asks ${FLOOD} at once, Alice ${ALICE_AT_MS / 1000} s later; simulated time`,
    }),
  ];
}

async function aliceWaits(aliceRunsAs: string): Promise<number> {
  const clock = new ManualClock();
  const limiter = new RateLimiter(LIMITS, clock);
  const flood = asRateCaller('mallory', () =>
    Promise.allSettled(Array.from({ length: FLOOD }, () => limiter.acquire())),
  );
  await settled();
  clock.advance(ALICE_AT_MS);
  await settled();
  const asked = clock.now();
  let answered: number | undefined;
  const alice = asRateCaller(aliceRunsAs, async () => {
    await limiter.acquire();
    await limiter.acquire();
    answered = clock.now();
  });
  while (answered === undefined) {
    clock.advance(STEP_MS);
    await settled();
  }
  await alice;
  while (clock.sleeping > 0) {
    clock.advance(STEP_MS);
    await settled();
  }
  await flood;
  return (answered - asked) / 1000;
}
