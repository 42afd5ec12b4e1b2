import { randomUUID } from 'node:crypto';
import { createClient } from 'redis';
import { storeDigest } from './digest.js';
import { RedisSessions } from './redis-sessions.js';
import type { CacheGeneration, SharedReads } from './shared-reads.js';
import {
  type BudgetUse,
  type CountLimits,
  KEY_PREFIX,
  type RateLimits,
  type SharedStore,
  StoreUnavailableError,
} from './store.js';

const MINUTE = 60_000;
const HOUR = 3_600_000;
// Past this, a command that has not been answered counts as Redis being down.
const COMMAND_TIMEOUT_MS = 2_000;

// One sliding log per budget, timed by Redis's own clock so replicas with skewed clocks still agree. The same
// rule as the in-process limiter (src/providers/http/rate-limiter.ts): a call fits when fewer than perMinute
// calls started in the last minute and fewer than perHour in the last hour; else the wait until the oldest one
// that counts leaves its window. Checking and taking are one script, so two replicas cannot both take the last slot.
const TAKE_SLOT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local perMinute = tonumber(ARGV[1])
local perHour = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - ${HOUR})
local wait = 0
local total = redis.call('ZCARD', KEYS[1])
if total >= perHour then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  wait = tonumber(oldest[2]) + ${HOUR} - now
end
local inMinute = redis.call('ZCOUNT', KEYS[1], '(' .. (now - ${MINUTE}), '+inf')
if inMinute >= perMinute then
  local counted = redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. (now - ${MINUTE}), '+inf', 'WITHSCORES', 'LIMIT', inMinute - perMinute, 1)
  wait = math.max(wait, tonumber(counted[2]) + ${MINUTE} - now)
end
if wait > 0 then return wait end
redis.call('ZADD', KEYS[1], now, ARGV[3])
redis.call('PEXPIRE', KEYS[1], ${HOUR})
return 0
`;

// A caller's budget counts for as long as the caller keeps changing: it is forgotten a day after its last change
// (in one process it lasted until restart, and past 10,000 callers the least recently active was forgotten).
const CALLER_BUDGET_TTL_MS = 86_400_000;

// Rolling counts are sorted sets: score the change's time, member `<random id>:<people>`; beside each, at
// `<set>:sum`, the sum of its members' people, kept by the same scripts that add, trim and take off members, so a
// step costs O(log n + members trimmed) rather than a pass over the hour (7 ms at 2,000 entries). A set without
// its sum (written before sums were kept) has it computed once. The sum lives as long as its set.
const ROLLING = `
local function people(member) return tonumber(string.match(member, ':(%d+)$')) end
-- The set's sum once the entries at or before cutoff are trimmed.
local function trimmed(set, sum, cutoff)
  if redis.call('EXISTS', set) == 0 then return 0 end
  local total = redis.call('GET', sum)
  if total then
    total = tonumber(total)
  else
    total = 0
    for _, m in ipairs(redis.call('ZRANGE', set, 0, -1)) do total = total + people(m) end
  end
  for _, m in ipairs(redis.call('ZRANGEBYSCORE', set, '-inf', cutoff)) do total = total - people(m) end
  redis.call('ZREMRANGEBYSCORE', set, '-inf', cutoff)
  return total
end
-- Records total as the set's sum, with the set's own expiry; none for a set that is gone.
local function keep(set, sum, total)
  local ttl = redis.call('PTTL', set)
  if ttl == -2 then redis.call('DEL', sum)
  elseif ttl > 0 then redis.call('SET', sum, total, 'PX', ttl)
  else redis.call('SET', sum, total) end
end
`;

// The rolling count, trimmed to the window. KEYS: the set, its sum. ARGV: now, windowMs.
const SUM = `${ROLLING}
local total = trimmed(KEYS[1], KEYS[2], tonumber(ARGV[1]) - tonumber(ARGV[2]))
keep(KEYS[1], KEYS[2], total)
return total
`;

// Budget check and take in one step, so two replicas cannot both fit under the last of it. KEYS: the caller's
// counter, the deployment's rolling set, its sum. ARGV: items, perCaller, perWindow, now, windowMs, member.
const TAKE_BUDGET = `${ROLLING}
local items = tonumber(ARGV[1])
local window = trimmed(KEYS[2], KEYS[3], tonumber(ARGV[4]) - tonumber(ARGV[5]))
local caller = tonumber(redis.call('GET', KEYS[1]) or '0')
if caller + items > tonumber(ARGV[2]) or window + items > tonumber(ARGV[3]) then
  keep(KEYS[2], KEYS[3], window)
  return {0, caller, window}
end
redis.call('INCRBY', KEYS[1], items)
redis.call('PEXPIRE', KEYS[1], ${CALLER_BUDGET_TTL_MS})
redis.call('ZADD', KEYS[2], ARGV[4], ARGV[6] .. ':' .. items)
redis.call('PEXPIRE', KEYS[2], ARGV[5])
keep(KEYS[2], KEYS[3], window + items)
return {1, caller, window}
`;

// An unconfirmed change is recorded only while the caller's count leaves it within the threshold, checked in the
// same step: -1 when recorded, else the count. KEYS: the caller's rolling set, its sum. ARGV: items, threshold,
// now, windowMs, member.
const RECORD_UNCONFIRMED = `${ROLLING}
local items = tonumber(ARGV[1])
local total = trimmed(KEYS[1], KEYS[2], tonumber(ARGV[3]) - tonumber(ARGV[4]))
if total + items > tonumber(ARGV[2]) then
  keep(KEYS[1], KEYS[2], total)
  return total
end
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[5] .. ':' .. items)
redis.call('PEXPIRE', KEYS[1], ARGV[4])
keep(KEYS[1], KEYS[2], total + items)
return -1
`;

// A confirmed change takes what its preview showed off the oldest entries recorded by then. KEYS: the caller's
// rolling set, its sum. ARGV: shown items, shown at, now, windowMs.
const CONFIRM_UNCONFIRMED = `${ROLLING}
local total = trimmed(KEYS[1], KEYS[2], tonumber(ARGV[3]) - tonumber(ARGV[4]))
local left = tonumber(ARGV[1])
-- Oldest first, a batch at a time, so only the entries taken off are read: every entry read is removed (its rest
-- put back only when it ends the taking).
while left > 0 do
  local entries = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[2], 'WITHSCORES', 'LIMIT', 0, left)
  if #entries == 0 then break end
  for i = 1, #entries, 2 do
    if left == 0 then break end
    local id, n = string.match(entries[i], '^(.*):(%d+)$')
    n = tonumber(n)
    local seen = math.min(left, n)
    left = left - seen
    total = total - seen
    redis.call('ZREM', KEYS[1], entries[i])
    if n > seen then redis.call('ZADD', KEYS[1], entries[i + 1], id .. ':' .. (n - seen)) end
  end
end
keep(KEYS[1], KEYS[2], total)
return 0
`;

// The read cache's generation: a random id, so a generation lost with Redis's data or expired is never reused
// (a replica's cached reads under the old one are then dropped, not served). A missing one is made in the same step.
const CACHE_GENERATION = `
local g = redis.call('GET', KEYS[1])
if g then return g end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return ARGV[1]
`;
// A generation outlives any cached read by far; past it, a new one only drops what the replicas cached.
const CACHE_GENERATION_TTL_MS = 86_400_000;
// A write in flight marks the generation `writing`; should its end never be recorded (Redis lost mid-write), reads
// go uncached until the mark expires, a span longer than any write's retries.
const CACHE_WRITING_TTL_MS = 900_000;
const WRITING = 'writing:';

/**
 * The shared store in Redis (`--redis-url`). Keys: `vam:once:<kind>:<digest>` (string, TTL the record's own
 * lifetime), `vam:rate:<digest>` (sorted set of call start times, TTL one hour), `vam:budget:caller:<digest>`
 * (people a caller changed, TTL a day after its last change), `vam:budget:window` (the deployment's changes,
 * TTL the window), `vam:unconfirmed:<digest>` (a caller's unconfirmed changes, TTL the window), each rolling set's
 * running sum at `<set>:sum` (TTL the set's),
 * `vam:cache:generation` (the read cache's generation, TTL a day, 15 minutes while a write is in flight) and
 * `vam:cache:read:<generation>:<digest>` (a cached read, TTL the read cache's). Commands are not queued
 * while Redis is unreachable: they fail at once (or after 2 s unanswered) with `StoreUnavailableError`.
 */
export class RedisStore implements SharedStore, SharedReads {
  private constructor(
    private readonly client: Client,
    private readonly lastError: { message?: string },
  ) {}

  /**
   * Connects to `url` (redis:// or rediss://). Rejects with `StoreUnavailableError` when Redis does not answer
   * at start: a replica that cannot share state must not start as if it could.
   */
  static async connect(url: string): Promise<RedisStore> {
    const lastError: { message?: string } = {};
    const state = { connected: false };
    const client = newClient(url, state);
    // The client reconnects by itself; an error event without a listener would end the process.
    client.on('error', (error: Error) => {
      lastError.message = error.message;
    });
    try {
      await client.connect();
    } catch (error) {
      client.destroy();
      throw new StoreUnavailableError(`Redis at ${redactedUrl(url)} did not answer: ${(error as Error).message}`);
    }
    state.connected = true;
    return new RedisStore(client, lastError);
  }

  claimOnce(kind: string, id: string, ttlMs: number): Promise<boolean> {
    const key = `${KEY_PREFIX}:once:${kind}:${storeDigest(id)}`;
    return this.run(async () => {
      const set = await this.client.set(key, '1', {
        condition: 'NX',
        expiration: { type: 'PX', value: Math.max(1, Math.ceil(ttlMs)) },
      });
      return set === 'OK';
    });
  }

  takeRateSlot(budget: string, limits: RateLimits): Promise<number> {
    // Unique per call across replicas: two calls in the same millisecond are two entries, even from containers
    // whose processes all run as pid 1.
    const member = randomUUID();
    return this.run(async () => {
      const wait = await this.client.eval(TAKE_SLOT, {
        keys: [`${KEY_PREFIX}:rate:${budget}`],
        arguments: [String(limits.perMinute), String(limits.perHour), member],
      });
      return Number(wait);
    });
  }

  budgetUse(caller: string, limits: CountLimits, now: number): Promise<BudgetUse> {
    return this.run(async () => {
      const [used, window] = await Promise.all([
        this.client.get(callerBudgetKey(caller)),
        this.sum(WINDOW_BUDGET_KEY, limits.windowMs, now),
      ]);
      return { caller: Number(used ?? 0), window };
    });
  }

  takeBudget(caller: string, items: number, limits: CountLimits, now: number): Promise<BudgetUse & { taken: boolean }> {
    return this.run(async () => {
      const [taken, used, window] = (await this.client.eval(TAKE_BUDGET, {
        keys: [callerBudgetKey(caller), WINDOW_BUDGET_KEY, sumKey(WINDOW_BUDGET_KEY)],
        arguments: [items, limits.perCaller, limits.perWindow, now, limits.windowMs, randomUUID()].map(String),
      })) as number[];
      return { taken: taken === 1, caller: Number(used), window: Number(window) };
    });
  }

  unconfirmedCount(caller: string, windowMs: number, now: number): Promise<number> {
    return this.run(() => this.sum(unconfirmedKey(caller), windowMs, now));
  }

  recordUnconfirmed(
    caller: string,
    items: number,
    threshold: number,
    windowMs: number,
    now: number,
  ): Promise<number | undefined> {
    return this.run(async () => {
      const before = Number(
        await this.client.eval(RECORD_UNCONFIRMED, {
          keys: [unconfirmedKey(caller), sumKey(unconfirmedKey(caller))],
          arguments: [items, threshold, now, windowMs, randomUUID()].map(String),
        }),
      );
      return before < 0 ? undefined : before;
    });
  }

  confirmUnconfirmed(caller: string, shown: { items: number; at: number }, windowMs: number, now: number) {
    return this.run(async () => {
      await this.client.eval(CONFIRM_UNCONFIRMED, {
        keys: [unconfirmedKey(caller), sumKey(unconfirmedKey(caller))],
        arguments: [shown.items, shown.at, now, windowMs].map(String),
      });
    });
  }

  cacheGeneration(): Promise<CacheGeneration> {
    return this.run(async () => {
      const id = String(
        await this.client.eval(CACHE_GENERATION, {
          keys: [CACHE_GENERATION_KEY],
          arguments: [randomUUID(), String(CACHE_GENERATION_TTL_MS)],
        }),
      );
      return { id, writing: id.startsWith(WRITING) };
    });
  }

  newCacheGeneration(writing: boolean): Promise<void> {
    const id = `${writing ? WRITING : ''}${randomUUID()}`;
    return this.run(async () => {
      await this.client.set(CACHE_GENERATION_KEY, id, {
        expiration: { type: 'PX', value: writing ? CACHE_WRITING_TTL_MS : CACHE_GENERATION_TTL_MS },
      });
    });
  }

  cachedRead(generation: string, key: string): Promise<string | undefined> {
    return this.run(async () => (await this.client.get(cachedReadKey(generation, key))) ?? undefined);
  }

  storeRead(generation: string, key: string, value: string, ttlMs: number): Promise<void> {
    return this.run(async () => {
      await this.client.set(cachedReadKey(generation, key), value, {
        expiration: { type: 'PX', value: Math.max(1, Math.ceil(ttlMs)) },
      });
    });
  }

  /**
   * Runs `command` on this store's connection, for records of their own (the approvals page's, in
   * src/approvals/shared-*.ts): Redis's answer, or `StoreUnavailableError` as for every other command.
   */
  command<T>(command: (client: RedisClient) => Promise<T>): Promise<T> {
    return this.run(() => command(this.client));
  }

  /**
   * A connection of its own for SUBSCRIBE (a subscribed connection runs no other command), reconnecting as this
   * store's does. Rejects with `StoreUnavailableError` when Redis does not answer.
   */
  async subscriber(): Promise<RedisClient> {
    const client = this.client.duplicate();
    client.on('error', (error: Error) => {
      this.lastError.message = error.message;
    });
    try {
      await client.connect();
    } catch (error) {
      client.destroy();
      throw new StoreUnavailableError(`Redis did not answer: ${(error as Error).message}`);
    }
    return client;
  }

  /** 2025-era sessions in this Redis: on this store's connection, with one more for what is published to them. */
  async sessions(): Promise<RedisSessions> {
    return new RedisSessions(this.client, await this.subscriber(), (command) => this.run(command));
  }

  async ping(): Promise<void> {
    await this.run(() => this.client.ping());
  }

  /** The server's `redis_version` from `INFO server` ('unknown' when it states none), for `doctor`. */
  async serverVersion(): Promise<string> {
    const info = await this.run(() => this.client.info('server'));
    return /^redis_version:(\S+)/m.exec(info)?.[1] ?? 'unknown';
  }

  async close(): Promise<void> {
    // A client still reconnecting has nothing to flush: closing it gracefully would wait for Redis to return.
    if (this.client.isReady) await this.client.close();
    else if (this.client.isOpen) this.client.destroy();
  }

  /** The rolling count at `key`: what was recorded in the `windowMs` before `now`, the rest trimmed. */
  private async sum(key: string, windowMs: number, now: number): Promise<number> {
    return Number(await this.client.eval(SUM, { keys: [key, sumKey(key)], arguments: [now, windowMs].map(String) }));
  }

  private async run<T>(command: () => Promise<T>): Promise<T> {
    if (!this.client.isReady) {
      throw new StoreUnavailableError(`Redis is unreachable (${this.lastError.message ?? 'reconnecting'})`);
    }
    try {
      return await command();
    } catch (error) {
      throw new StoreUnavailableError(`Redis did not answer: ${(error as Error).message}`);
    }
  }
}

const WINDOW_BUDGET_KEY = `${KEY_PREFIX}:budget:window`;
const callerBudgetKey = (caller: string) => `${KEY_PREFIX}:budget:caller:${storeDigest(caller)}`;
const unconfirmedKey = (caller: string) => `${KEY_PREFIX}:unconfirmed:${storeDigest(caller)}`;
const sumKey = (rolling: string) => `${rolling}:sum`;
const CACHE_GENERATION_KEY = `${KEY_PREFIX}:cache:generation`;
const cachedReadKey = (generation: string, key: string) => `${KEY_PREFIX}:cache:read:${generation}:${storeDigest(key)}`;

/** Reconnects for as long as it takes once connected; before that, the first failure is the answer. */
function newClient(url: string, state: { connected: boolean }) {
  return createClient({
    url,
    disableOfflineQueue: true,
    commandOptions: { timeout: COMMAND_TIMEOUT_MS },
    socket: {
      connectTimeout: COMMAND_TIMEOUT_MS,
      reconnectStrategy: (retries, cause) => (state.connected ? Math.min(100 * 2 ** retries, 2_000) : cause),
    },
  });
}

type Client = ReturnType<typeof newClient>;
/** A connection to the shared Redis, as `command` and `subscriber` hand it out. */
export type RedisClient = Client;

/** The URL as logs and errors may show it: without a password. */
export function redactedUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparsable URL)';
  }
}
