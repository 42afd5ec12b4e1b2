// The read cache's share of the store (`--redis-url`): a generation every replica checks before using a cached
// read, moved by every write on any replica, and cached reads filled by one replica for the others.

/** The generation reads are cached under now; `writing` while some replica's write is in flight. */
export interface CacheGeneration {
  /** Opaque and never reused: a new one after every write, and after Redis lost its data. */
  id: string;
  /** A write is being sent: nothing read now may be cached, as it may predate the write. */
  writing: boolean;
}

/** Every method rejects with `StoreUnavailableError` when the store does not answer. */
export interface SharedReads {
  /** The current generation; made afresh when there is none (first use, expiry, Redis restarted empty). */
  cacheGeneration(): Promise<CacheGeneration>;
  /**
   * Moves every replica to a new generation: `writing` before a write is sent (so reads in flight do not cache
   * what they got), not `writing` once its answer is in.
   */
  newCacheGeneration(writing: boolean): Promise<void>;
  /** The read cached under `generation` for `key` (stored as a digest), as stored; undefined when none. */
  cachedRead(generation: string, key: string): Promise<string | undefined>;
  /** Caches `value` under `generation` and `key` (a digest of it) for `ttlMs` milliseconds. */
  storeRead(generation: string, key: string, value: string, ttlMs: number): Promise<void>;
}
