// The state replicas share: single-use records and Visier's per-key rate budget. Without `--redis-url` there is no
// store: each process keeps its own in-memory records, as a single replica always has. With it, every replica
// also records in Redis, so what holds across replicas is decided there.

/** Calls per rolling minute and hour, as Visier counts them per API key. */
export interface RateLimits {
  perMinute: number;
  perHour: number;
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
