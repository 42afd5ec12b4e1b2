// A clock for the Visier client's waits that the test controls: nothing sleeps in real time, every wait asked
// for is recorded, and a test can wait for the moment a wait begins instead of guessing it with a timer.
import type { Clock } from '../../src/providers/http/clock.js';

interface Sleeper {
  until: number;
  wake: () => void;
}

export class ManualClock implements Clock {
  private t: number;
  private sleepers: Sleeper[] = [];
  private onWait: ((ms: number) => void)[] = [];
  /** Every wait asked for, in milliseconds, in order. */
  readonly waits: number[] = [];

  /**
   * `instant`: a wait moves the clock by its length and ends at once (the client behaves as if it waited).
   * Otherwise a wait ends only when `advance` passes its deadline or its signal aborts.
   */
  constructor(private readonly mode: { start?: number; instant?: boolean } = {}) {
    this.t = mode.start ?? 1_000_000;
  }

  now = (): number => this.t;

  sleep = (ms: number, signal?: AbortSignal): Promise<void> => {
    if (signal?.aborted) return Promise.reject(signal.reason);
    this.waits.push(ms);
    for (const notify of this.onWait.splice(0)) notify(ms);
    if (this.mode.instant) {
      this.t += Math.max(0, ms);
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const sleeper: Sleeper = { until: this.t + ms, wake: resolve };
      this.sleepers.push(sleeper);
      signal?.addEventListener(
        'abort',
        () => {
          this.sleepers = this.sleepers.filter((s) => s !== sleeper);
          reject(signal.reason);
        },
        { once: true },
      );
    });
  };

  /** Waits begun and not yet ended. */
  get sleeping(): number {
    return this.sleepers.length;
  }

  /** Moves time on and ends the waits whose deadline it passes. */
  advance(ms: number): void {
    this.t += ms;
    const due = this.sleepers.filter((s) => s.until <= this.t);
    this.sleepers = this.sleepers.filter((s) => s.until > this.t);
    for (const s of due) s.wake();
  }

  /** Resolves with the length of the next wait to begin. */
  nextWait(): Promise<number> {
    return new Promise((resolve) => this.onWait.push(resolve));
  }

  /**
   * Starts `start` and tells whether it got through before anything waited on this clock: 'through', or the
   * length of the wait that began first. Either way the answer does not depend on timing. `pending` is the
   * started promise, to await once the test has moved the clock.
   */
  watch<T>(start: () => Promise<T>): { pending: Promise<T>; outcome: Promise<'through' | number> } {
    const waited = this.nextWait();
    const pending = start();
    return { pending, outcome: Promise.race([pending.then(() => 'through' as const), waited]) };
  }
}
