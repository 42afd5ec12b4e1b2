import type { CacheGeneration, SharedReads } from '../../shared-state/shared-reads.js';
import { VisierApiError } from '../http/errors.js';
import type { CallOptions, VisierApi } from './api.js';
import { parseShared, sharedValue } from './shared-read-value.js';

export interface ReadCacheOptions {
  /** How long a read stays fresh, in milliseconds. 0 turns the cache off. */
  ttlMs: number;
  /**
   * How long a directory snapshot stays fresh, in milliseconds (default `ttlMs`); 0 fills one for every read.
   * Kept apart from the other reads: a snapshot costs a fill, so it lives longer and is not evicted by them.
   */
  snapshotTtlMs?: number;
  /** Entries kept at most; the oldest go first. */
  maxEntries?: number;
  now?: () => number;
  /**
   * What replicas share (`--redis-url`): the generation every write moves, and reads one replica filled for the
   * others. Without it the cache is this process's alone, cleared by this process's writes only.
   */
  shared?: SharedReads;
}

export interface ReadCacheStats {
  hits: number;
  /** Of the hits, those answered from a read another replica (or this one) kept in the shared store. */
  sharedHits: number;
  /** Reads sent to Visier. */
  misses: number;
  /** Reads answered by joining an identical read already in flight. */
  joined: number;
  invalidations: number;
  /** Reads sent to Visier past the cache: the shared generation was unknown (store unreachable) or being written. */
  bypassed: number;
}

type Method = keyof VisierApi;

/** Reads whose answers may be reused for a short while. Streams and reports are never cached. */
const CACHED_READS = [
  'listUsers',
  'getUser',
  'listPermissions',
  'listUsersWithPermission',
  'listUserGroups',
  'listUserGroupsV2',
  'getUserGroup',
  'listUserGroupMembers',
  'employeesMatching',
  'listProfiles',
  'getProfile',
  'getUserProfiles',
  'listProjects',
] as const satisfies readonly Method[];

/** Reads kept in the shared store too, when there is one. */
export type CachedRead = (typeof CACHED_READS)[number];

/** Whole-directory read models: cached like reads, under their own TTL, one entry per tenant and project. */
const SNAPSHOT_READS = ['directory'] as const satisfies readonly Method[];

/** Everything that changes state in Visier. */
const WRITES = [
  'createUser',
  'updateUser',
  'deleteUser',
  'bulkCreateUsers',
  'bulkUpdateUsers',
  'bulkDeleteUsers',
  'assignPermissionsToUsers',
  'removePermissionsFromUsers',
  'addUsersToGroups',
  'removeUsersFromGroups',
  'assignPermissionsToGroups',
  'removePermissionsFromGroups',
  'createUserGroups',
  'updateUserGroups',
  'replaceUserGroups',
  'deleteUserGroups',
  'assignProfile',
  'removeProfile',
  'createProject',
] as const satisfies readonly Method[];

/** Passed straight through: streaming and file downloads gain nothing from a short cache. */
const UNCACHED_READS = ['userPages', 'getReport', 'reportRows'] as const satisfies readonly Method[];

// A compile-time check that every operation of VisierApi is classified above, so a new operation cannot
// slip past invalidation.
type Classified =
  | (typeof CACHED_READS)[number]
  | (typeof SNAPSHOT_READS)[number]
  | (typeof WRITES)[number]
  | (typeof UNCACHED_READS)[number];
const everyOperationClassified: Record<Exclude<Method, Classified>, never> = {};
void everyOperationClassified;

interface Entry {
  value: unknown;
  expiresAt: number;
}

/** Answers kept for one class of reads: how long they stay fresh, how many are kept, whether replicas share them. */
interface Store {
  entries: Map<string, Entry>;
  ttlMs: number;
  maxEntries: number;
  /** Kept in the shared store too (`ReadCacheOptions.shared`), so one replica's read is a hit on the others. */
  shared: boolean;
}

export interface CachedVisierApi extends VisierApi {
  cacheStats: ReadCacheStats;
  /**
   * The same API with every read sent to Visier but `directory`, which answers from the same snapshot (it is a
   * point-in-time read model that says how old it is); its writes still clear the cache.
   */
  live: VisierApi;
}

/**
 * A short-TTL cache of Visier reads in front of any `VisierApi`. Any write clears it whole: a user's
 * effective permissions and memberships are derived across users, groups and tenants, so narrower
 * invalidation would be easy to get subtly wrong, and writes are rare next to the reads of a lookup session.
 * Identical reads in flight at the same time share one request. Directory snapshots are kept the same way under
 * their own TTL (`snapshotTtlMs`), so a 5-minute snapshot outlives 15-second reads and is cleared by the same writes.
 *
 * With `shared` (replicas behind a balancer), a write on any replica clears every replica's cache: each read first
 * checks the shared generation (one Redis round trip) and drops what this process cached under another, and a
 * write moves the generation before it is sent and again before its answer returns. Reads (not snapshots) are
 * also kept in the shared store under the generation, so one replica's read is a hit on the others. Reads are not
 * guarded, so with the store unreachable they go to Visier uncached; a write then rejects with
 * `StoreUnavailableError` before anything is sent, as other replicas could not learn of it.
 */
export function withReadCache(inner: VisierApi, options: ReadCacheOptions): CachedVisierApi {
  const now = options.now ?? Date.now;
  const { shared } = options;
  const reads: Store = {
    entries: new Map(),
    ttlMs: options.ttlMs,
    maxEntries: options.maxEntries ?? 5000,
    shared: shared !== undefined,
  };
  // A snapshot per tenant and project; a server serves few of those. Snapshots stay in each process (only their
  // invalidation is shared): at 10,000 users one is 6.3 MB of JSON, 1.3 MB gzipped; storing it in Redis takes
  // ~0.27 s and loading it ~0.2 s of this process's event loop (gunzip and parse, before validating 10,000 users as
  // untrusted data), while a fill costs 4 Visier calls of the 100 a minute the key allows, once per replica per
  // snapshot TTL (measured with the sandbox at --users 10000; see README, "Redis: what is stored where").
  const snapshots: Store = {
    entries: new Map(),
    ttlMs: options.snapshotTtlMs ?? options.ttlMs,
    maxEntries: 16,
    shared: false,
  };
  const inFlight = new Map<string, Flight>();
  const stats: ReadCacheStats = { hits: 0, sharedHits: 0, misses: 0, joined: 0, invalidations: 0, bypassed: 0 };
  // Changed by every write (and, with `shared`, to the shared generation): a read that started under another
  // generation must not store its (possibly stale) answer.
  let generation = '0';
  let writes = 0;

  const forgetLocal = () => {
    reads.entries.clear();
    snapshots.entries.clear();
    inFlight.clear();
  };
  const invalidate = () => {
    generation = `local:${++writes}`;
    forgetLocal();
    stats.invalidations++;
  };

  /** The shared generation now, adopted here; undefined when nothing may be cached (unknown, or a write in flight). */
  const sharedGeneration = async (): Promise<string | undefined> => {
    let current: CacheGeneration;
    try {
      current = await (shared as SharedReads).cacheGeneration();
    } catch {
      // What other replicas wrote meanwhile is unknown: nothing cached here may be used again.
      forgetLocal();
      generation = `unknown:${++writes}`;
      return undefined;
    }
    if (current.id !== generation) {
      forgetLocal();
      generation = current.id;
    }
    return current.writing ? undefined : current.id;
  };

  const send = (method: Method, args: unknown[]) =>
    (inner[method] as (...a: unknown[]) => Promise<unknown>).apply(inner, args);

  /** Keeps `value` when no write began since `startedIn`, here and, for shared reads, in the store. */
  const keep = async (key: string, value: unknown, startedIn: string, store: Store) => {
    if (shared !== undefined && (await sharedGeneration()) !== startedIn) return;
    if (generation !== startedIn) return;
    const { entries } = store;
    entries.delete(key);
    entries.set(key, { value, expiresAt: now() + store.ttlMs });
    if (entries.size > store.maxEntries) entries.delete(entries.keys().next().value as string);
    if (shared !== undefined && store.shared) {
      await shared.storeRead(startedIn, key, sharedValue(key, value), store.ttlMs).catch(() => {});
    }
  };

  /** What another replica cached for `key`, when it is a read of `method`'s shape; else undefined (a miss). */
  const fromShared = async (method: CachedRead, key: string, startedIn: string) => {
    const stored = await (shared as SharedReads).cachedRead(startedIn, key).catch(() => undefined);
    return stored === undefined ? undefined : parseShared(method, key, stored);
  };

  const cachedRead = async (method: Method, args: unknown[], store: Store) => {
    if (shared !== undefined && (await sharedGeneration()) === undefined) {
      stats.bypassed++;
      return send(method, args);
    }
    const { entries } = store;
    const key = cacheKey(method, args);
    const hit = entries.get(key);
    if (hit && hit.expiresAt > now()) {
      stats.hits++;
      return hit.value;
    }
    const pending = inFlight.get(key);
    if (pending) {
      stats.joined++;
      return pending.join(callerSignal(args), method);
    }
    const startedIn = generation;
    // The shared request is cancelled only when every caller waiting on it has gone: one caller's cancel must
    // not fail the others.
    const flight = new Flight();
    const fill = async () => {
      const found = store.shared ? await fromShared(method as CachedRead, key, startedIn) : undefined;
      if (found !== undefined) {
        stats.hits++;
        stats.sharedHits++;
      } else stats.misses++;
      const value = found === undefined ? await send(method, withSignal(args, flight.signal)) : found.value;
      await keep(key, value, startedIn, store);
      return value;
    };
    flight.promise = fill().finally(() => {
      if (inFlight.get(key) === flight) inFlight.delete(key);
    });
    // A flight whose callers all left rejects with nobody listening.
    flight.promise.catch(() => {});
    inFlight.set(key, flight);
    return flight.join(callerSignal(args), method);
  };

  const passThrough =
    (method: Method) =>
    (...args: unknown[]) =>
      (inner[method] as (...a: unknown[]) => unknown).apply(inner, args);
  const invalidating =
    (method: Method) =>
    async (...args: unknown[]) => {
      invalidate();
      // Unannounced, the write would leave other replicas answering from what it changed.
      await shared?.newCacheGeneration(true);
      try {
        return await send(method, args);
      } finally {
        // A write that failed may still have been applied in part; forget whatever was read meanwhile.
        invalidate();
        // Unrecorded (the store gone mid-write), the generation stays marked as written to until the mark expires,
        // and no replica caches a read meanwhile.
        await shared?.newCacheGeneration(false).catch(() => {});
      }
    };

  const cached = { cacheStats: stats } as CachedVisierApi;
  const live = {} as VisierApi;
  const cachedTarget = cached as unknown as Record<Method, (...a: unknown[]) => unknown>;
  const liveTarget = live as unknown as Record<Method, (...a: unknown[]) => unknown>;
  for (const [methods, store] of [
    [CACHED_READS, reads],
    [SNAPSHOT_READS, snapshots],
  ] as const) {
    for (const method of methods) {
      cachedTarget[method] =
        store.ttlMs > 0 ? (...args: unknown[]) => cachedRead(method, args, store) : passThrough(method);
      liveTarget[method] = passThrough(method);
    }
  }
  // A snapshot says how old it is, and the previews of change tools read one only for what a person is shown
  // first: their re-check before acting loads its own from live reads (see `loadDirectory`).
  liveTarget.directory = cachedTarget.directory;
  for (const method of WRITES) {
    cachedTarget[method] = invalidating(method);
    liveTarget[method] = cachedTarget[method];
  }
  for (const method of UNCACHED_READS) {
    cachedTarget[method] = passThrough(method);
    liveTarget[method] = cachedTarget[method];
  }
  cached.live = live;
  return cached;
}

/** One request shared by every identical read made while it is in flight. */
class Flight {
  promise: Promise<unknown> = Promise.resolve();
  private readonly controller = new AbortController();
  private waiting = 0;

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** This caller's view: the shared answer, or its own cancellation as soon as its signal aborts. */
  join(signal: AbortSignal | undefined, method: string): Promise<unknown> {
    if (signal?.aborted) return Promise.reject(abortedError(method));
    this.waiting++;
    if (signal === undefined) return this.promise;
    return new Promise((resolve, reject) => {
      const leave = () => {
        reject(abortedError(method));
        if (--this.waiting === 0) this.controller.abort(signal.reason);
      };
      signal.addEventListener('abort', leave, { once: true });
      this.promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', leave));
    });
  }
}

function abortedError(method: string): VisierApiError {
  return new VisierApiError({ kind: 'aborted', retryable: false, method: 'GET', path: `(${method}, shared read)` });
}

function callerSignal(args: unknown[]): AbortSignal | undefined {
  for (const arg of args) {
    if (arg && typeof arg === 'object' && 'signal' in arg) return (arg as CallOptions).signal;
  }
  return undefined;
}

/** The arguments with the caller's signal swapped for the shared request's. */
function withSignal(args: unknown[], signal: AbortSignal): unknown[] {
  const replaced = args.map((arg) =>
    arg && typeof arg === 'object' && 'signal' in arg ? { ...(arg as CallOptions), signal } : arg,
  );
  return replaced.some((arg, i) => arg !== args[i]) ? replaced : args;
}

/** The signal is per call and says nothing about the answer, so it is left out of the key. */
function cacheKey(method: Method, args: unknown[]): string {
  return JSON.stringify([method, ...args.map(withoutSignal)], sortedKeys);
}

function withoutSignal(arg: unknown): unknown {
  if (arg && typeof arg === 'object' && 'signal' in arg) {
    const { signal: _signal, ...rest } = arg as CallOptions & Record<string, unknown>;
    return rest;
  }
  return arg;
}

function sortedKeys(_key: string, value: unknown): unknown {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)));
  }
  return value;
}
