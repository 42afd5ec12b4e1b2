import { describe, expect, it } from 'vitest';
import { RateLimiter } from '../../src/providers/http/rate-limiter.js';
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
