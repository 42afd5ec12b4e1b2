import { describe, expect, it } from 'vitest';
import { asRateCaller } from '../../src/providers/http/rate-caller.js';
import { CallerQueueFull, RateLimiter } from '../../src/providers/http/rate-limiter.js';
import { describeToolError } from '../../src/tools/shared/errors.js';
import { ManualClock } from '../support/manual-clock.js';

// Every case reads the limiter's decision from the clock it waits on: a call either gets through without
// waiting, or begins a wait whose length the case checks; time moves only when the case moves it.

const MINUTE = 60_000;
const HOUR = 3_600_000;

describe('RateLimiter', () => {
  it('lets up to perMinute calls through at once, then holds the next until the window frees a slot', async () => {
    const c = new ManualClock();
    const limiter = new RateLimiter({ perMinute: 3, perHour: 100 }, c);
    for (let i = 0; i < 3; i++) expect(await c.watch(() => limiter.acquire()).outcome).toBe('through');
    const fourth = c.watch(() => limiter.acquire());
    expect(await fourth.outcome).toBe(MINUTE);
    c.advance(MINUTE - 1);
    expect(c.sleeping).toBe(1);
    c.advance(1);
    await fourth.pending;
    expect(c.sleeping).toBe(0);
    expect(c.waits).toEqual([MINUTE]);
  });

  it('enforces the hourly limit across minutes', async () => {
    const c = new ManualClock();
    const limiter = new RateLimiter({ perMinute: 10, perHour: 2 }, c);
    expect(await c.watch(() => limiter.acquire()).outcome).toBe('through');
    c.advance(61_000);
    expect(await c.watch(() => limiter.acquire()).outcome).toBe('through');
    c.advance(61_000);
    const controller = new AbortController();
    const third = c.watch(() => limiter.acquire(controller.signal));
    // Held until the first call of the hour leaves the window, not for a minute.
    expect(await third.outcome).toBe(HOUR - 122_000);
    controller.abort(new Error('gave up'));
    await expect(third.pending).rejects.toThrow('gave up');
    // The cancelled waiter took no slot: once the first call's hour has passed, one slot is free again.
    c.advance(HOUR - 122_000);
    expect(await c.watch(() => limiter.acquire()).outcome).toBe('through');
    expect(await c.watch(() => limiter.acquire()).outcome).toBe(61_000);
  });

  it('holds calls for a minute when Visier says no calls remain in the minute', async () => {
    const c = new ManualClock();
    const limiter = new RateLimiter({ perMinute: 100, perHour: 6000 }, c);
    limiter.observe({ 'x-ratelimit-remaining-minute': '0', 'x-ratelimit-remaining-hour': '500' });
    const held = c.watch(() => limiter.acquire());
    expect(await held.outcome).toBe(MINUTE);
    c.advance(MINUTE);
    await held.pending;
    expect(await c.watch(() => limiter.acquire()).outcome).toBe('through');
  });

  it('holds calls for an hour when Visier says no calls remain in the hour', async () => {
    const c = new ManualClock();
    const limiter = new RateLimiter({ perMinute: 100, perHour: 6000 }, c);
    limiter.observe({ 'x-ratelimit-remaining-minute': '40', 'x-ratelimit-remaining-hour': '0' });
    expect(await c.watch(() => limiter.acquire()).outcome).toBe(HOUR);
  });

  it('ignores headers that still have room', async () => {
    const c = new ManualClock();
    const limiter = new RateLimiter({ perMinute: 100, perHour: 6000 }, c);
    limiter.observe({ 'x-ratelimit-remaining-minute': '7', 'x-ratelimit-remaining-hour': '700' });
    expect(await c.watch(() => limiter.acquire()).outcome).toBe('through');
    expect(c.waits).toEqual([]);
  });
});

describe('RateLimiter cancellation', () => {
  it('a caller queued behind a long wait leaves as soon as it is cancelled, and takes no slot', async () => {
    const c = new ManualClock();
    const limiter = new RateLimiter({ perMinute: 2, perHour: 100 }, c);
    limiter.observe({ 'x-ratelimit-remaining-hour': '0' });
    const first = c.watch(() => limiter.acquire());
    expect(await first.outcome).toBe(HOUR);
    const controller = new AbortController();
    const queued = limiter.acquire(controller.signal);
    controller.abort(new Error('cancelled by the client'));
    await expect(queued).rejects.toThrow('cancelled by the client');
    // It left while the first caller was still held: no time has passed.
    expect(c.sleeping).toBe(1);
    c.advance(HOUR);
    await first.pending;
    // The second slot of this minute is still free: the cancelled caller's turn took none.
    expect(await c.watch(() => limiter.acquire()).outcome).toBe('through');
    expect(c.waits).toEqual([HOUR]);
  });
});

describe('RateLimiter fairness across callers', () => {
  const settled = () => new Promise((resolve) => setImmediate(resolve));

  /** `n` requests of one call of `caller`'s, each noting when it got its slot. */
  const requests = (limiter: RateLimiter, c: ManualClock, caller: string, n: number, granted: string[]) =>
    asRateCaller(caller, () =>
      Promise.all(
        Array.from({ length: n }, (_, i) =>
          limiter.acquire().then(() => granted.push(`${caller}${i + 1}@${c.now() - 1_000_000}`)),
        ),
      ),
    );

  it("gives another caller's request a turn before the rest of a flood, and spaces the slots once the budget is spent", async () => {
    const c = new ManualClock();
    const limiter = new RateLimiter({ perMinute: 2, perHour: 100 }, c);
    const granted: string[] = [];
    const flood = requests(limiter, c, 'mallory', 4, granted);
    await settled();
    const alice = requests(limiter, c, 'alice', 1, granted);
    while (granted.length < 5) {
      c.advance(10_000);
      await settled();
    }
    await Promise.all([flood, alice]);
    // FIFO would have put alice after mallory4; all at once as the window freed, mallory3 and alice at 60 s and
    // then mallory4 with nothing left to share with.
    expect(granted).toEqual(['mallory1@0', 'mallory2@0', 'mallory3@60000', 'alice1@90000', 'mallory4@120000']);
  });

  it('a caller alone gets the slots as the window frees them, as before', async () => {
    const c = new ManualClock();
    const limiter = new RateLimiter({ perMinute: 2, perHour: 100 }, c);
    const granted: string[] = [];
    const alone = requests(limiter, c, 'dana', 4, granted);
    await settled();
    while (granted.length < 4) {
      c.advance(10_000);
      await settled();
    }
    await alone;
    expect(granted).toEqual(['dana1@0', 'dana2@0', 'dana3@60000', 'dana4@60000']);
  });

  it('refuses at once a request past the waiting cap, naming the limit and when to retry; others still queue', async () => {
    const c = new ManualClock();
    const limiter = new RateLimiter({ perMinute: 2, perHour: 100 }, c);
    const granted: string[] = [];
    let refused: unknown;
    // The two free slots and two more waiting fit; the fifth does not.
    const flood = asRateCaller('mallory', async () => {
      const fit = Array.from({ length: 4 }, () => limiter.acquire());
      refused = await limiter.acquire().catch((error: unknown) => error);
      return Promise.all(fit);
    });
    await settled();
    expect(refused).toBeInstanceOf(CallerQueueFull);
    expect((refused as Error).message).toMatch(
      /this caller already has 2 waiting \(at most 2 per caller, a minute's budget under --rate-limit 2\/100\); nothing was sent; retry in about \d+ s$/,
    );
    // The model is told in the server's words, not as Visier's message: nothing reached Visier.
    expect(describeToolError(refused, {})).toEqual({
      text: (refused as Error).message,
      details: { kind: 'caller-queue-full', retryable: true },
      expected: true,
    });
    // Another caller is not refused for hers.
    const alice = requests(limiter, c, 'alice', 1, granted);
    while (granted.length < 1) {
      c.advance(10_000);
      await settled();
    }
    c.advance(10 * MINUTE);
    await Promise.all([flood, alice]);
  });
});
