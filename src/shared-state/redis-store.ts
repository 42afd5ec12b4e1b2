import { randomUUID } from 'node:crypto';
import { createClient } from 'redis';
import { storeDigest } from './digest.js';
import { KEY_PREFIX, type RateLimits, type SharedStore, StoreUnavailableError } from './store.js';

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

/**
 * The shared store in Redis (`--redis-url`). Keys: `vam:once:<kind>:<digest>` (string, TTL the record's own
 * lifetime) and `vam:rate:<digest>` (sorted set of call start times, TTL one hour). Commands are not queued
 * while Redis is unreachable: they fail at once (or after 2 s unanswered) with `StoreUnavailableError`.
 */
export class RedisStore implements SharedStore {
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

  async ping(): Promise<void> {
    await this.run(() => this.client.ping());
  }

  async close(): Promise<void> {
    // A client still reconnecting has nothing to flush: closing it gracefully would wait for Redis to return.
    if (this.client.isReady) await this.client.close();
    else if (this.client.isOpen) this.client.destroy();
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
