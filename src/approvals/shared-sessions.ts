import { randomBytes } from 'node:crypto';
import { storeDigest } from '../shared-state/digest.js';
import type { RedisStore } from '../shared-state/redis-store.js';
import { KEY_PREFIX } from '../shared-state/store.js';
import type { Approver } from './click-rules.js';
import {
  HANDOVER_MS,
  SESSION_IDLE_MS,
  SESSION_MAX_MS,
  type SessionBook,
  type SessionUse,
  type SignedInOpening,
} from './sessions.js';

const sessionKey = (key: string) => `${KEY_PREFIX}:approvals:session:${storeDigest(key)}`;
const handoverKey = (code: string) => `${KEY_PREFIX}:approvals:handover:${storeDigest(code)}`;

interface SharedSession {
  person: Approver;
  /** Epoch ms. */
  openedAt: number;
  /** Epoch ms: when the access token that named `person` expires; the session ends with it (see sessions.ts). */
  until: number;
}

/** Ms a session has left: to the first of its absolute lifetime and its access token's expiry. */
const leftOf = (session: SharedSession, now: number) =>
  Math.min(session.openedAt + SESSION_MAX_MS, session.until) - now;

/**
 * The signed-in page's sessions and sign-in hand-overs in Redis (`--redis-url`), so a key one replica issued
 * works on every other, and a callback one replica answered opens a session on whichever the page asks next.
 * Keys hold digests of the session keys and codes, never the keys: `vam:approvals:session:<digest>` (the person,
 * when it opened and when its access token expires; TTL the idle lifetime, renewed on each use, never past the
 * absolute one nor the token's expiry) and
 * `vam:approvals:handover:<digest>` (the person, the digest of the sign-in's id and its token's expiry; TTL HANDOVER_MS, taken by
 * GETDEL so it is spent once across replicas). Every method rejects with `StoreUnavailableError`.
 */
export class SharedPageSessions implements SessionBook {
  constructor(
    private readonly store: RedisStore,
    private readonly now: () => number = Date.now,
  ) {}

  handOver(person: Approver, started: string, until: number): Promise<string> {
    const code = randomBytes(32).toString('base64url');
    const held = JSON.stringify({ person, started: storeDigest(started), until });
    return this.store.command(async (redis) => {
      await redis.set(handoverKey(code), held, { expiration: { type: 'PX', value: HANDOVER_MS } });
      return code;
    });
  }

  openSignedIn(code: string, started: string): Promise<SignedInOpening> {
    return this.store.command(async (redis) => {
      const held = code === '' ? null : await redis.getDel(handoverKey(code));
      if (held === null) return { ok: false };
      const {
        person,
        started: expected,
        until,
      } = JSON.parse(held) as { person: Approver; started: string; until: number };
      // Digests of the ids: equal length by construction, and neither is the id itself.
      if (expected !== storeDigest(started)) return { ok: false };
      const entry: SharedSession = { person, openedAt: this.now(), until };
      // A token already expired opens nothing (and Redis takes no TTL of zero or less).
      const left = leftOf(entry, entry.openedAt);
      if (!(left > 0)) return { ok: false };
      const session = randomBytes(32).toString('base64url');
      await redis.set(sessionKey(session), JSON.stringify(entry), {
        expiration: { type: 'PX', value: Math.min(SESSION_IDLE_MS, left) },
      });
      return { ok: true, session, person };
    });
  }

  use(key: string | undefined): Promise<SessionUse> {
    if (key === undefined || key === '') return Promise.resolve({ ok: false, reason: 'unknown' });
    return this.store.command(async (redis) => {
      const text = await redis.get(sessionKey(key));
      if (text === null) return { ok: false, reason: 'unknown' };
      // A record with no expiry for its token (NaN here) decides nothing: fail closed.
      const session = JSON.parse(text) as SharedSession;
      const left = leftOf(session, this.now());
      if (!(left > 0)) {
        await redis.del(sessionKey(key));
        return { ok: false, reason: 'expired' };
      }
      await redis.pExpire(sessionKey(key), Math.min(SESSION_IDLE_MS, left));
      return { ok: true, person: session.person };
    });
  }
}
