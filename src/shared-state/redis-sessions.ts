import { storeDigest } from './digest.js';
import type { RedisClient } from './redis-store.js';
import type { SessionRecord, SessionSignal, SharedSessions } from './sessions.js';
import { KEY_PREFIX } from './store.js';

/** Runs a command, turning any failure into `StoreUnavailableError` (RedisStore's rule). */
type Run = <T>(command: () => Promise<T>) => Promise<T>;

// A session is a hash: `record` (the JSON of what initialize said and who opened it), `protocolVersion` (once the
// server answered) and `lastActive`, so a use renews it without rewriting the record. Unknown sessions stay
// unknown: neither a use nor a version creates one.
const USE = `
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
redis.call('HSET', KEYS[1], 'lastActive', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return redis.call('HMGET', KEYS[1], 'record', 'protocolVersion')
`;
const SETTLE = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
return redis.call('HSET', KEYS[1], 'protocolVersion', ARGV[1])
`;

const sessionKey = (id: string) => `${KEY_PREFIX}:session:${storeDigest(id)}`;
// The channel is named by the digest too: a subscriber sees no session id.
const channelOf = (id: string) => `${KEY_PREFIX}:session-signal:${storeDigest(id)}`;

/**
 * 2025-era sessions in Redis. Keys: `vam:session:<digest of id>` (hash `record`, `protocolVersion`, `lastActive`; TTL the idle
 * lifetime, renewed on use). Channels: `vam:session-signal:<digest of id>` (JSON `SessionSignal`), on a second
 * connection, as Redis requires of subscribers.
 */
export class RedisSessions implements SharedSessions {
  /** `subscriber` is a connection of its own (RedisStore.subscriber): a subscribed connection runs no other command. */
  constructor(
    private readonly client: RedisClient,
    private readonly subscriber: RedisClient,
    private readonly run: Run,
  ) {}

  save(id: string, record: SessionRecord, idleMs: number): Promise<void> {
    const { lastActive, protocolVersion, ...rest } = record;
    return this.run(async () => {
      await this.client
        .multi()
        .hSet(sessionKey(id), {
          record: JSON.stringify(rest),
          lastActive: String(lastActive),
          ...(protocolVersion === undefined ? {} : { protocolVersion }),
        })
        .pExpire(sessionKey(id), idleMs)
        .exec();
    });
  }

  settle(id: string, protocolVersion: string): Promise<void> {
    return this.run(async () => {
      await this.client.eval(SETTLE, { keys: [sessionKey(id)], arguments: [protocolVersion] });
    });
  }

  use(id: string, idleMs: number, now: number): Promise<SessionRecord | undefined> {
    return this.run(async () => {
      const found = await this.client.eval(USE, { keys: [sessionKey(id)], arguments: [String(idleMs), String(now)] });
      if (!Array.isArray(found) || typeof found[0] !== 'string') return undefined;
      const [record, protocolVersion] = found as [string, string | null];
      return {
        ...(JSON.parse(record) as Omit<SessionRecord, 'lastActive' | 'protocolVersion'>),
        ...(protocolVersion === null ? {} : { protocolVersion }),
        lastActive: now,
      };
    });
  }

  keep(ids: string[], idleMs: number): Promise<void> {
    if (ids.length === 0) return Promise.resolve();
    return this.run(async () => {
      const batch = this.client.multi();
      for (const id of ids) batch.pExpire(sessionKey(id), idleMs);
      await batch.exec();
    });
  }

  remove(id: string): Promise<boolean> {
    return this.run(async () => (await this.client.del(sessionKey(id))) > 0);
  }

  publish(id: string, signal: SessionSignal): Promise<number> {
    return this.run(() => this.client.publish(channelOf(id), JSON.stringify(signal)));
  }

  async listen(id: string, onSignal: (signal: SessionSignal) => void): Promise<() => Promise<void>> {
    const listener = (text: string) => onSignal(JSON.parse(text) as SessionSignal);
    const channel = channelOf(id);
    await this.run(() => this.subscriber.subscribe(channel, listener));
    let listening = true;
    return async () => {
      // Ending a copy must not wait for, or fail on, a Redis that is away: its subscriptions went with it.
      if (listening && this.subscriber.isReady) await this.subscriber.unsubscribe(channel, listener).catch(() => {});
      listening = false;
    };
  }

  async close(): Promise<void> {
    if (this.subscriber.isReady) await this.subscriber.close();
    else if (this.subscriber.isOpen) this.subscriber.destroy();
  }
}
