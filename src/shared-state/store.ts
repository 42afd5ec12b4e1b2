// The state replicas share: single-use records, Visier's per-key rate budget and the change counts. Without `--redis-url` there is no
// store: each process keeps its own in-memory records, as a single replica always has. With it, every replica
// also records in Redis, so what holds across replicas is decided there.

/** Calls per rolling minute and hour, as Visier counts them per API key. */
export interface RateLimits {
  perMinute: number;
  perHour: number;
}

/** A caller's change budget and the deployment's, as limits (people changed) and as counts used. */
export interface CountLimits {
  perCaller: number;
  perWindow: number;
  /** The rolling window `perWindow` counts over, in milliseconds. */
  windowMs: number;
}
export interface BudgetUse {
  /** People the caller changed (all its sessions, on every replica). */
  caller: number;
  /** People changed by the whole deployment in the window. */
  window: number;
}

/** Where replicas record what must hold across all of them. Every method rejects with `StoreUnavailableError`. */
export interface SharedStore {
  /**
   * Records `id` of `kind` as used for `ttlMs` milliseconds: true when this call recorded it first, false when
   * it was already recorded (by any replica). `id` is stored as a digest, never as given.
   */
  claimOnce(kind: string, id: string, ttlMs: number): Promise<boolean>;
  /**
   * Takes one call from `budget` (a digest naming an API key) under `limits`: 0 when taken, else the
   * milliseconds until one frees (nothing taken).
   */
  takeRateSlot(budget: string, limits: RateLimits): Promise<number>;
  /** The change budget used now (epoch milliseconds `now`); `caller` is stored as a digest. */
  budgetUse(caller: string, limits: CountLimits, now: number): Promise<BudgetUse>;
  /**
   * Adds `items` to the caller's and the window's counts when both stay within `limits`, in one atomic step
   * across replicas; answers whether it did and the use before.
   */
  takeBudget(caller: string, items: number, limits: CountLimits, now: number): Promise<BudgetUse & { taken: boolean }>;
  /** People the caller changed without confirmation over the `windowMs` before `now`. */
  unconfirmedCount(caller: string, windowMs: number, now: number): Promise<number>;
  /**
   * Records a change of `items` people running without confirmation at `now` when the count stays within
   * `threshold`, in one atomic step: undefined when recorded, else the count (nothing recorded).
   */
  recordUnconfirmed(
    caller: string,
    items: number,
    threshold: number,
    windowMs: number,
    now: number,
  ): Promise<number | undefined>;
  /**
   * A person confirmed a change whose preview stated `shown`: at most `shown.items` people recorded by
   * `shown.at` leave the count, oldest first (the rule of src/guards/unconfirmed.ts).
   */
  confirmUnconfirmed(
    caller: string,
    shown: { items: number; at: number },
    windowMs: number,
    now: number,
  ): Promise<void>;
  /** Resolves when the store answers; rejects with why not. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** The shared store did not answer: guards refuse the change, saying so; nothing is sent. */
export class StoreUnavailableError extends Error {
  override readonly name = 'StoreUnavailableError';
}

/** Keys are namespaced so one Redis can serve other applications too. */
export const KEY_PREFIX = 'vam';
