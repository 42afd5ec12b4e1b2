import { AsyncLocalStorage } from 'node:async_hooks';

// Whose call a request to the served system is: the rate limiter gives callers turns, and it sits under tools,
// caches, bulk helpers and sign-ins that know nothing of callers. The caller is set once, where a call enters (the
// guard), and travels with everything the call awaits.

/** One call under way, made for `caller`. */
export interface RateCall {
  caller: string;
  /** Runs `listener` once the call has ended (its work settled). */
  onEnd(listener: () => void): void;
}

const current = new AsyncLocalStorage<RateCall>();

/** Runs `work` as `caller`'s call: every rate slot it (and what it starts) waits for is taken in `caller`'s turn. */
export async function asRateCaller<T>(caller: string, work: () => Promise<T>): Promise<T> {
  const listeners: (() => void)[] = [];
  const call: RateCall = { caller, onEnd: (listener) => listeners.push(listener) };
  try {
    return await current.run(call, work);
  } finally {
    for (const listener of listeners) listener();
  }
}

/** The call the running work belongs to; undefined outside any (start-up, tests of a client alone). */
export function rateCall(): RateCall | undefined {
  return current.getStore();
}
