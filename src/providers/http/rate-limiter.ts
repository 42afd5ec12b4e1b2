// Client-side limiter for Visier's per-API-key quotas (100/minute, 6,000/hour by default): calls wait
// for a free slot instead of earning 429s, and the server's X-RateLimit-Remaining-* headers, when they
// reach 0, hold every call until that window has passed. Replicas sharing a store also take each call from the
// key's budget there, so together they stay under the same quota.
//
// The budget is the whole team's, so waiting for it is fair across callers (rate-caller.ts says whose call a
// request is): slots go to callers in turn, each caller's own requests in order, so one caller's flood delays
// another's request by a slot, not by all of hers. Once the minute's budget is spent while several callers have
// calls under way, slots are handed out evenly over the minute instead of all at once as the window frees: a
// burst would go to whoever has most requests waiting at that instant, and a call that reads one thing and then
// another would get one request in per minute. And a caller may have only so many requests waiting: past that
// she is refused at once (CallerQueueFull) instead of growing the line.

import type { RateLimitConfig } from '../visier/config.js';
import { type Clock, systemClock } from './clock.js';
import { FairQueue } from './fair-queue.js';
import { type RateCall, rateCall } from './rate-caller.js';

/**
 * Takes one call from the budget every replica shares: 0 when taken, else the milliseconds until one frees.
 * Rejects when the shared store is unreachable.
 */
export type SharedRateSlot = () => Promise<number>;

const MINUTE = 60_000;
const HOUR = 3_600_000;

/** Requests made outside any caller's call (start-up, a client used on its own) share one turn. */
const NO_CALLER = 'no-caller';

/**
 * A caller already has as many requests waiting for the rate budget as one caller may: this one is refused before
 * it waits, and nothing was sent. `retryAfterMs` estimates when enough of hers have gone.
 */
export class CallerQueueFull extends Error {
  override readonly name = 'CallerQueueFull';

  constructor(
    readonly limit: number,
    readonly retryAfterMs: number,
    limits: RateLimitConfig,
  ) {
    super(
      `Too many requests waiting for the rate budget: this caller already has ${limit} waiting (at most ${limit} per caller, a minute's budget under --rate-limit ${limits.perMinute}/${limits.perHour}); nothing was sent; retry in about ${Math.ceil(retryAfterMs / 1000)} s`,
    );
  }
}

interface Waiter {
  granted: () => void;
}

export class RateLimiter {
  /** Start times of calls in the last hour, oldest first. At most `perHour` entries. */
  private readonly sent: number[] = [];
  private blockedUntil = 0;
  /** Requests waiting for a slot, served one caller at a time in turn. */
  private readonly waiting = new FairQueue<Waiter>();
  /** Callers with calls under way that have waited here, and how many; a call leaves when it ends. */
  private readonly underWay = new Map<string, number>();
  private readonly counted = new WeakSet<RateCall>();
  /**
   * Ends the wait for the next slot when nobody waits any more (every waiter cancelled); undefined while no slot
   * is awaited. One wait at a time, so concurrent waiters cannot overbook a window.
   */
  private pumping: AbortController | undefined;
  /** Whether the slots being handed out had to wait for the budget: then they are spaced while callers contend. */
  private spent = false;
  private lastGrant = Number.NEGATIVE_INFINITY;
  /**
   * Requests one caller may have waiting beyond the slots free now: a minute's budget, as many as could start
   * within a minute had she the budget to herself; one more would wait past what most clients wait for an answer.
   */
  private readonly maxQueued: number;

  constructor(
    private readonly limits: RateLimitConfig,
    private readonly clock: Clock = systemClock,
    private readonly shared?: SharedRateSlot,
  ) {
    if (limits.perMinute < 1 || limits.perHour < 1) throw new RangeError('rate limits must be >= 1');
    this.maxQueued = limits.perMinute;
  }

  /**
   * Waits for a slot and takes it, in the turn of the caller whose call is running (`rateCall()`). Rejects with
   * the signal's reason as soon as it is aborted (behind an hour-long hold, waiting for its turn to learn it would
   * take an hour), having taken no slot; with `CallerQueueFull`, at once, when the caller already has as many
   * requests waiting as one may beyond the slots free now.
   */
  acquire(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    const call = rateCall();
    const caller = call?.caller ?? NO_CALLER;
    if (this.waiting.count(caller) >= this.maxQueued + this.freeNow()) {
      return Promise.reject(new CallerQueueFull(this.maxQueued, this.drainEstimateMs(), this.limits));
    }
    if (call !== undefined) this.countUnderWay(call);
    return new Promise((resolve, reject) => {
      const leave = () => {
        if (!this.waiting.remove(caller, waiter)) return;
        reject(signal?.reason);
        if (this.waiting.size === 0) this.pumping?.abort();
      };
      const waiter: Waiter = {
        granted: () => {
          signal?.removeEventListener('abort', leave);
          resolve();
        },
      };
      this.waiting.push(caller, waiter);
      signal?.addEventListener('abort', leave, { once: true });
      this.pump();
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

  private countUnderWay(call: RateCall): void {
    if (this.counted.has(call)) return;
    this.counted.add(call);
    this.underWay.set(call.caller, (this.underWay.get(call.caller) ?? 0) + 1);
    call.onEnd(() => {
      const left = (this.underWay.get(call.caller) ?? 1) - 1;
      if (left > 0) this.underWay.set(call.caller, left);
      else this.underWay.delete(call.caller);
    });
  }

  /** Hands out slots, one at a time, to whoever's turn it is when each frees, until nobody waits. */
  private pump(): void {
    if (this.pumping !== undefined) return;
    const stop = new AbortController();
    this.pumping = stop;
    void (async () => {
      try {
        while (this.waiting.size > 0) {
          await this.nextSlot(stop.signal);
          // Chosen only now: a caller who arrived while the slot was awaited gets her turn in this round.
          const next = this.waiting.shift();
          if (next === undefined) break;
          this.lastGrant = this.clock.now();
          this.sent.push(this.lastGrant);
          next.granted();
        }
      } catch {
        // Everyone waiting left: the wait was ended, and the next caller starts a new one.
      } finally {
        this.pumping = undefined;
        this.spent = false;
        if (this.waiting.size > 0) this.pump();
      }
    })();
  }

  private async nextSlot(signal: AbortSignal): Promise<void> {
    for (;;) {
      signal.throwIfAborted();
      const t = this.clock.now();
      let wait = this.waitMs(t);
      if (wait > 0) this.spent = true;
      else if (this.spent && this.underWay.size > 1) wait = this.lastGrant + MINUTE / this.limits.perMinute - t;
      if (wait <= 0) break;
      await this.clock.sleep(wait, signal);
    }
    if (this.shared !== undefined) await this.takeShared(this.shared, signal);
  }

  private async takeShared(shared: SharedRateSlot, signal: AbortSignal): Promise<void> {
    for (;;) {
      signal.throwIfAborted();
      let wait: number;
      try {
        wait = await shared();
      } catch {
        // Reads may still go to Visier with the store down: this replica's own budget above still holds, and
        // Visier's rate headers still stop every call when the key's quota is spent.
        return;
      }
      if (wait <= 0) return;
      this.spent = true;
      await this.clock.sleep(wait, signal);
    }
  }

  /** Slots this replica could hand out at once: none while held, else what the minute and the hour have left. */
  private freeNow(): number {
    const t = this.clock.now();
    if (this.waitMs(t) > 0) return 0;
    const inMinute = this.sent.length - firstIndexAfter(this.sent, t - MINUTE);
    return Math.max(0, Math.min(this.limits.perMinute - inMinute, this.limits.perHour - this.sent.length));
  }

  /**
   * About when a caller at the cap has room again: her requests get one slot in every round of the callers
   * waiting, and slots come at the minute's rate, after whatever holds every call now.
   */
  private drainEstimateMs(): number {
    const perSlot = MINUTE / this.limits.perMinute;
    return Math.max(1000, this.waitMs(this.clock.now()) + this.maxQueued * this.waiting.callers * perSlot);
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
