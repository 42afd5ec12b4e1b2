// The time a Visier client goes by: retry backoff, Retry-After, the rate limiter and token renewal all read (and
// sleep on) one clock, so a caller (a test, a benchmark) that supplies its own decides how long every wait really takes.
import { sleep } from './backoff.js';

/** Milliseconds since the epoch, and a wait that rejects with the signal's reason as soon as it aborts. */
export interface Clock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** Wall time and real timers. */
export const systemClock: Clock = { now: Date.now, sleep };
