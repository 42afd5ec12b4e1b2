import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Approver } from './click-rules.js';

const token = () => randomBytes(32).toString('base64url');

const sameText = (a: string, b: string) => {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
};

/**
 * How long the code a sign-in's callback hands the page (in the address's fragment) may wait to be traded: the
 * page's script trades it as soon as it loads.
 */
export const HANDOVER_MS = 60_000;

/**
 * How long a session key lives unused (ms). Longer than the slowest a browser lets a background tab poll
 * (Chromium runs a hidden tab's chained timers once a minute), so an open tab never lapses; short enough that a
 * key left in a forgotten or copied tab dies within minutes.
 */
export const SESSION_IDLE_MS = 10 * 60_000;
/**
 * How long a session key lives at most (ms), however busy: a working day. A person re-opens a fresh link once a
 * day at most; a key that was read somewhere never outlives that day.
 */
export const SESSION_MAX_MS = 12 * 60 * 60_000;

/**
 * Why a session key decides nothing: never issued, signed out because its link leaked, or past a lifetime (a
 * signed-in one's ends with the access token its sign-in got, too).
 */
export type SessionRefusal = 'unknown' | 'revoked' | 'expired';

/** A session key checked: live (with the person signed in to it, if any), or why it decides nothing. */
export type SessionUse = { ok: true; person?: Approver } | { ok: false; reason: SessionRefusal };
/** A sign-in's code traded: a new session key naming its person, or nothing (spent, expired, another tab's). */
export type SignedInOpening = { ok: true; session: string; person: Approver } | { ok: false };

/**
 * The page's sessions as its handler uses them: in this process (PageSessions) or shared by every replica
 * through Redis (SharedPageSessions, whose answers are promises that reject with `StoreUnavailableError`).
 * `open` trades a one-time link, which only the loopback page has.
 */
export interface SessionBook {
  use(key: string | undefined): SessionUse | Promise<SessionUse>;
  handOver(person: Approver, started: string, until: number): string | Promise<string>;
  openSignedIn(code: string, started: string): SignedInOpening | Promise<SignedInOpening>;
  open?(secret: string): { ok: true; session: string } | { ok: false; reason: 'invalid' | 'reused' };
}

interface Session {
  /** The link generation that opened it (none for a signed-in one): a second use of that link revokes it. */
  link?: number;
  /** Who signed in to it; none for a session the one-time link opened. */
  person?: Approver;
  /**
   * Epoch ms: when the access token that named `person` expires. Their authority is that token's, so the session
   * ends with it, however busy.
   */
  until?: number;
  openedAt: number;
  usedAt: number;
  revoked: boolean;
}

/**
 * Who may use the page: whoever traded the current one-time link's secret (in the link's fragment) for a session
 * key, or, with sign-in, a person whose sign-in's callback handed the page a one-time code for one. The page's
 * script keeps the key in `sessionStorage` and sends it as a header. No cookie: a browser scopes cookies by host,
 * not port, so every other server on 127.0.0.1 would receive one (and could overwrite it).
 * A link is good for one trade: a second use proves that someone else read it, so the session it opened is
 * revoked and the link replaced (whoever spent it first may be the thief; the person gets the fresh link).
 * All in memory: a restart prints a new link, and signed-in people sign in again.
 */
export class PageSessions implements SessionBook {
  private secret = token();
  private generation = 0;
  private linkUsed = false;
  private readonly sessions = new Map<string, Session>();
  /**
   * Sign-ins finished and not yet traded by the page: code to person and the sign-in's id (which only the tab
   * that started it holds, so a callback link sent to someone else opens nothing), each spent by its first use.
   */
  private readonly handovers = new Map<string, { person: Approver; started: string; until: number; expires: number }>();
  private seenAt: number;

  constructor(private readonly now: () => number = Date.now) {
    this.seenAt = now();
  }

  /** The current link's secret; spent by its first use, void once `renew` replaces it. */
  get linkSecret(): string {
    return this.secret;
  }

  /**
   * Trades the link's secret for a new session key, once. `invalid` for a wrong secret (or a replaced link's old
   * one); `reused` for the right one a second time: the session that link opened is revoked and the link
   * renewed, so the caller must announce the fresh one.
   */
  open(secret: string): { ok: true; session: string } | { ok: false; reason: 'invalid' | 'reused' } {
    if (!sameText(secret, this.secret)) return { ok: false, reason: 'invalid' };
    this.prune(this.now());
    if (this.linkUsed) {
      for (const session of this.sessions.values()) {
        if (session.link === this.generation) session.revoked = true;
      }
      this.renew();
      return { ok: false, reason: 'reused' };
    }
    this.linkUsed = true;
    return { ok: true, session: this.start({ link: this.generation }) };
  }

  /**
   * A one-time code (HANDOVER_MS) for a person whose sign-in `started` just finished, with an access token that
   * expires at `until` (epoch ms); `openSignedIn` trades it.
   */
  handOver(person: Approver, started: string, until: number): string {
    const now = this.now();
    for (const [code, held] of this.handovers) if (held.expires <= now) this.handovers.delete(code);
    const code = token();
    this.handovers.set(code, { person, started, until, expires: now + HANDOVER_MS });
    return code;
  }

  /**
   * Trades a sign-in's code, with the id of the sign-in the page started, for a session naming its person; spent
   * by its first use, whatever the outcome. Nothing opens once the sign-in's access token has expired.
   */
  openSignedIn(code: string, started: string): SignedInOpening {
    const held = this.handovers.get(code);
    this.handovers.delete(code);
    const now = this.now();
    if (held === undefined || held.expires <= now || held.until <= now || !sameText(started, held.started)) {
      return { ok: false };
    }
    this.prune(now);
    return { ok: true, session: this.start({ person: held.person, until: held.until }), person: held.person };
  }

  private start(entry: { link?: number; person?: Approver; until?: number }): string {
    const now = this.now();
    const session = token();
    this.sessions.set(session, { ...entry, openedAt: now, usedAt: now, revoked: false });
    this.seenAt = now;
    return session;
  }

  /**
   * Checks `key` and, when live, counts it as used now (the page was seen): `ok` with who signed in to it (none
   * for a link-opened one), or why it decides nothing.
   * A revoked or lapsed key never counts as the page being seen, so it cannot hold off a fresh link.
   */
  use(key: string | undefined): SessionUse {
    const session = key === undefined ? undefined : this.sessions.get(key);
    if (key === undefined || session === undefined) return { ok: false, reason: 'unknown' };
    if (session.revoked) return { ok: false, reason: 'revoked' };
    const now = this.now();
    if (this.lapsed(session, now)) {
      this.sessions.delete(key);
      return { ok: false, reason: 'expired' };
    }
    session.usedAt = now;
    this.seenAt = now;
    return { ok: true, ...(session.person === undefined ? {} : { person: session.person }) };
  }

  /** Ms since a page last asked with a live key, or since the current link was made. */
  idleMs(): number {
    return this.now() - this.seenAt;
  }

  /** A fresh link secret: the old one is void, used or not; sessions already open stay open. */
  renew(): string {
    this.secret = token();
    this.generation += 1;
    this.linkUsed = false;
    this.seenAt = this.now();
    return this.secret;
  }

  private lapsed(session: Session, now: number): boolean {
    return (
      now - session.usedAt >= SESSION_IDLE_MS ||
      now - session.openedAt >= SESSION_MAX_MS ||
      (session.until !== undefined && now >= session.until)
    );
  }

  /**
   * Drops lapsed keys. A revoked key is kept (so its page is told why) until its absolute lifetime ends: at
   * most one per leaked link, since a link that leaked is replaced.
   */
  private prune(now: number): void {
    for (const [key, session] of this.sessions) {
      if (session.revoked ? now - session.openedAt >= SESSION_MAX_MS : this.lapsed(session, now)) {
        this.sessions.delete(key);
      }
    }
  }
}
