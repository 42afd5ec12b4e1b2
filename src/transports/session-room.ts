// Whether a newcomer gets a 2025-era session on this replica, and at whose expense. Sessions are capped per
// principal and for the whole server; at either cap a newcomer may close only an idle session of her own (one-shot
// clients never send DELETE, and would otherwise hold their places until they idle out), never another person's:
// otherwise she is refused, told which cap and when to come back. With one bearer shared by everyone (or loopback)
// the principal names nobody in particular, so its cap is the server's, and its sessions make room for each other.

/** A session this replica holds, as the cap sees it. */
export interface HeldSession {
  id: string;
  /** The digest of the principal that opened it. */
  principal: string;
  /** Requests it is answering; a busy session is never closed to make room. */
  busy: number;
  lastActive: number;
}

export interface RoomRules {
  /** Sessions at most on this replica (`--max-sessions`). */
  maxSessions: number;
  /** Sessions at most of one person (a principal an OAuth token named). */
  maxPerPerson: number;
  idleMs: number;
}

export type Room =
  | { kind: 'free' }
  /** Close this session of the newcomer's own, then open hers. */
  | { kind: 'evict'; id: string }
  | { kind: 'refused'; message: string; retryAfterSeconds: number };

/** When every session is answering a request there is no telling when one ends: the old minute stands. */
const ALL_BUSY_RETRY_SECONDS = 60;

/** A tenth of the server's sessions, so that ten people at their cap still fit. */
export const defaultMaxPerPerson = (maxSessions: number) => Math.ceil(maxSessions / 10);

export function roomFor(
  newcomer: { principal: string; person: boolean },
  held: Iterable<HeldSession>,
  starting: { own: number; total: number },
  rules: RoomRules,
  now: number,
): Room {
  const all = [...held];
  const own = all.filter((session) => session.principal === newcomer.principal);
  const ownCap = newcomer.person ? rules.maxPerPerson : rules.maxSessions;
  const ownCount = own.length + starting.own;
  const total = all.length + starting.total;
  if (ownCount < ownCap && total < rules.maxSessions) return { kind: 'free' };
  const idle = own.filter((session) => session.busy === 0).sort((a, b) => a.lastActive - b.lastActive)[0];
  if (idle !== undefined) return { kind: 'evict', id: idle.id };
  if (ownCount >= ownCap) {
    const cap = newcomer.person
      ? `at most ${ownCap} per person, a tenth of --max-sessions ${rules.maxSessions}`
      : `at most ${ownCap}, --max-sessions`;
    return {
      kind: 'refused',
      message: `Too many sessions: this caller has ${ownCount} open, every one answering a request (${cap}); end one (DELETE) or retry in ${ALL_BUSY_RETRY_SECONDS} s`,
      retryAfterSeconds: ALL_BUSY_RETRY_SECONDS,
    };
  }
  // Room comes when some other session idles out: the soonest of those not answering a request.
  const idleOut = all
    .filter((session) => session.busy === 0)
    .map((session) => session.lastActive + rules.idleMs - now)
    .sort((a, b) => a - b)[0];
  const retryAfterSeconds = idleOut === undefined ? ALL_BUSY_RETRY_SECONDS : Math.max(1, Math.ceil(idleOut / 1000));
  return {
    kind: 'refused',
    message: `Too many sessions on this server (at most ${rules.maxSessions}, --max-sessions) and none of this caller's is idle; other people's sessions are not closed for a newcomer; retry in ${retryAfterSeconds} s`,
    retryAfterSeconds,
  };
}
