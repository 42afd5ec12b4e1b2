// Client-side limiter for Visier's per-API-key quotas (100/minute, 6,000/hour by default): calls wait
// for a free slot instead of earning 429s, and the server's X-RateLimit-Remaining-* headers, when they
// reach 0, hold every call until that window has passed. Replicas sharing a store also take each call from the
// key's budget there, so together they stay under the same quota.

import type { RateLimitConfig } from '../visier/config.js';
import { type Clock, systemClock } from './clock.js';

/**
 * Takes one call from the budget every replica shares: 0 when taken, else the milliseconds until one frees.
 * Rejects when the shared store is unreachable.
 */
export type SharedRateSlot = () => Promise<number>;

const MINUTE = 60_000;
const HOUR = 3_600_000;

export class RateLimiter {
  /** Start times of calls in the last hour, oldest first. At most `perHour` entries. */
  private readonly sent: number[] = [];
  private blockedUntil = 0;
  /** Callers take slots one at a time so that concurrent waiters cannot overbook a window. */
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly limits: RateLimitConfig,
    private readonly clock: Clock = systemClock,
    private readonly shared?: SharedRateSlot,
  ) {
    if (limits.perMinute < 1 || limits.perHour < 1) throw new RangeError('rate limits must be >= 1');
  }

  /** Waits for a slot and takes it. Rejects with the signal's reason if aborted while waiting. */
  acquire(signal?: AbortSignal): Promise<void> {
    const turn = this.queue.then(() => this.takeSlot(signal));
    // A cancelled waiter must not block the ones behind it.
    this.queue = turn.catch(() => undefined);
    if (signal === undefined) return turn;
    // Nor wait for its turn to learn it was cancelled: behind an hour-long hold that would be an hour. Its
    // turn still comes, finds the signal aborted and takes no slot.
    return new Promise((resolve, reject) => {
      const leave = () => reject(signal.reason);
      if (signal.aborted) return leave();
      signal.addEventListener('abort', leave, { once: true });
      turn.then(resolve, reject).finally(() => signal.removeEventListener('abort', leave));
    });
  }

  /** Reads Visier's rate-limit headers from a response. */
  observe(headers: Record<string, string | string[] | undefined>): void {
    const t = this.clock.now();
    if (header(headers, 'x-ratelimit-remaining-hour') === 0) this.blockedUntil = Math.max(this.blockedUntil, t + HOUR);
    else if (header(headers, 'x-ratelimit-remaining-minute') === 0) {
      this.blockedUntil = Math.max(this.blockedUntil, t + MINUTE);
    }
  }

  private async takeSlot(signal?: AbortSignal): Promise<void> {
    for (;;) {
      signal?.throwIfAborted();
      const wait = this.waitMs(this.clock.now());
      if (wait <= 0) break;
      await this.clock.sleep(wait, signal);
    }
    if (this.shared !== undefined) await this.takeShared(this.shared, signal);
    this.sent.push(this.clock.now());
  }

  private async takeShared(shared: SharedRateSlot, signal?: AbortSignal): Promise<void> {
    for (;;) {
      signal?.throwIfAborted();
      let wait: number;
      try {
        wait = await shared();
      } catch {
        // Reads may still go to Visier with the store down: this replica's own budget above still holds, and
        // Visier's rate headers still stop every call when the key's quota is spent.
        return;
      }
      if (wait <= 0) return;
      await this.clock.sleep(wait, signal);
    }
  }

  private waitMs(t: number): number {
    while (this.sent.length > 0 && this.sent[0]! <= t - HOUR) this.sent.shift();
    let wait = this.blockedUntil - t;
    if (this.sent.length >= this.limits.perHour) wait = Math.max(wait, this.sent[0]! + HOUR - t);
    const inMinute = this.sent.length - firstIndexAfter(this.sent, t - MINUTE);
    if (inMinute >= this.limits.perMinute) {
      const oldestCounted = this.sent[this.sent.length - this.limits.perMinute]!;
      wait = Math.max(wait, oldestCounted + MINUTE - t);
    }
    return wait;
  }
}

function firstIndexAfter(sorted: number[], bound: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! <= bound) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function header(headers: Record<string, string | string[] | undefined>, name: string): number | undefined {
  const raw = headers[name];
  const value = Array.isArray(raw) ? raw[0] : raw;
  if (value === undefined) return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
}
