import { describe, expect, it } from 'vitest';
import { type Clock, RateLimiter } from '../../src/visier/rate-limiter.js';

/** A clock the test moves by hand: sleepers wake when `advance` passes their deadline. */
function clock(start = 1_000_000): Clock & { advance(ms: number): void } {
  let t = start;
  let sleepers: { until: number; wake: () => void }[] = [];
  return {
    now: () => t,
    sleep: (ms, signal) =>
      new Promise<void>((resolve, reject) => {
        signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
        sleepers.push({ until: t + ms, wake: resolve });
      }),
    advance(ms) {
      t += ms;
      const due = sleepers.filter((s) => s.until <= t);
      sleepers = sleepers.filter((s) => s.until > t);
      for (const s of due) s.wake();
    },
  };
}

describe('RateLimiter', () => {
  it('lets up to perMinute calls through at once, then holds the next until the window frees a slot', async () => {
    const c = clock();
    const limiter = new RateLimiter({ perMinute: 3, perHour: 100 }, c);
    await limiter.acquire();
    await limiter.acquire();
    await limiter.acquire();
    let fourth = false;
    const pending = limiter.acquire().then(() => {
      fourth = true;
    });
    await settle();
    expect(fourth).toBe(false);
    c.advance(60_000);
    await pending;
    expect(fourth).toBe(true);
  });

  it('enforces the hourly limit across minutes', async () => {
    const c = clock();
    const limiter = new RateLimiter({ perMinute: 10, perHour: 2 }, c);
    await limiter.acquire();
    c.advance(61_000);
    await limiter.acquire();
    c.advance(61_000);
    const controller = new AbortController();
    const third = limiter.acquire(controller.signal);
    await settle();
    controller.abort(new Error('gave up'));
    await expect(third).rejects.toThrow('gave up');
    // The cancelled waiter took no slot and does not block later callers once the hour has passed.
    c.advance(3_600_000);
    await limiter.acquire();
  });

  it('holds calls when Visier says no calls remain in the minute', async () => {
    const c = clock();
    const limiter = new RateLimiter({ perMinute: 100, perHour: 6000 }, c);
    limiter.observe({ 'x-ratelimit-remaining-minute': '0', 'x-ratelimit-remaining-hour': '500' });
    let through = false;
    const pending = limiter.acquire().then(() => {
      through = true;
    });
    await settle();
    expect(through).toBe(false);
    c.advance(60_000);
    await pending;
    expect(through).toBe(true);
  });

  it('ignores headers that still have room', async () => {
    const c = clock();
    const limiter = new RateLimiter({ perMinute: 100, perHour: 6000 }, c);
    limiter.observe({ 'x-ratelimit-remaining-minute': '7', 'x-ratelimit-remaining-hour': '700' });
    await limiter.acquire();
  });
});

/** Lets pending promise callbacks run, so a call that could go through would have. */
function settle(): Promise<void> {
  return new Promise((r) => setImmediate(r));
}

describe('RateLimiter cancellation', () => {
  it('a caller queued behind a long wait leaves as soon as it is cancelled, and takes no slot', async () => {
    const c = clock();
    const limiter = new RateLimiter({ perMinute: 2, perHour: 100 }, c);
    limiter.observe({ 'x-ratelimit-remaining-hour': '0' });
    const first = limiter.acquire();
    const controller = new AbortController();
    const queued = limiter.acquire(controller.signal);
    controller.abort(new Error('cancelled by the client'));
    await expect(queued).rejects.toThrow('cancelled by the client');
    c.advance(3_600_000);
    await first;
    // The second slot of this minute is still free: the cancelled caller's turn took none.
    let next = false;
    const pending = limiter.acquire().then(() => {
      next = true;
    });
    await settle();
    expect(next).toBe(true);
    await pending;
  });
});
