import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Person } from '../auth/person.js';

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
 * Who may use the page: whoever traded the current one-time link's secret (stderr only, in the link's fragment)
 * for a session key, or, with sign-in, a person whose sign-in's callback handed the page a one-time code for one.
 * The page's script keeps the key in `sessionStorage` and sends it as a header. No cookie: a browser scopes
 * cookies by host, not port, so every other server on 127.0.0.1 would receive one (and could overwrite it).
 * All in memory: a restart prints a new link, and signed-in people sign in again.
 */
export class PageSessions {
  private secret = token();
  private linkUsed = false;
  /** Each session, with the person who signed in to it (none for a session the one-time link opened). */
  private readonly sessions = new Map<string, { person?: Person }>();
  /**
   * Sign-ins finished and not yet traded by the page: code to person and the sign-in's id (which only the tab
   * that started it holds, so a callback link sent to someone else opens nothing), each spent by its first use.
   */
  private readonly handovers = new Map<string, { person: Person; started: string; expires: number }>();
  private seenAt: number;

  constructor(private readonly now: () => number = Date.now) {
    this.seenAt = now();
  }

  /** The current link's secret; spent by its first use, void once `renew` replaces it. */
  get linkSecret(): string {
    return this.secret;
  }

  /**
   * Trades the link's secret for a new session key, once. `invalid` for a wrong secret (or a renewed link's old
   * one), `used` for the right one a second time (someone else may have read it: the first holder keeps the page).
   */
  open(secret: string): { ok: true; session: string } | { ok: false; reason: 'invalid' | 'used' } {
    if (!sameText(secret, this.secret)) return { ok: false, reason: 'invalid' };
    if (this.linkUsed) return { ok: false, reason: 'used' };
    this.linkUsed = true;
    return { ok: true, session: this.start({}) };
  }

  /** A one-time code (HANDOVER_MS) for a person whose sign-in `started` just finished; `openSignedIn` trades it. */
  handOver(person: Person, started: string): string {
    const now = this.now();
    for (const [code, held] of this.handovers) if (held.expires <= now) this.handovers.delete(code);
    const code = token();
    this.handovers.set(code, { person, started, expires: now + HANDOVER_MS });
    return code;
  }

  /**
   * Trades a sign-in's code, with the id of the sign-in the page started, for a session naming its person; spent
   * by its first use, whatever the outcome.
   */
  openSignedIn(code: string, started: string): { ok: true; session: string; person: Person } | { ok: false } {
    const held = this.handovers.get(code);
    this.handovers.delete(code);
    if (held === undefined || held.expires <= this.now() || !sameText(started, held.started)) return { ok: false };
    return { ok: true, session: this.start({ person: held.person }), person: held.person };
  }

  private start(entry: { person?: Person }): string {
    const session = token();
    this.sessions.set(session, entry);
    this.seenAt = this.now();
    return session;
  }

  /** Whether `session` is a live key; a live one counts as the page being seen now. */
  has(session: string | undefined): session is string {
    if (session === undefined || !this.sessions.has(session)) return false;
    this.seenAt = this.now();
    return true;
  }

  /** Who signed in to a session; undefined for a link-opened one. */
  personOf(session: string): Person | undefined {
    return this.sessions.get(session)?.person;
  }

  /** Ms since a page last asked with a live key, or since the current link was made. */
  idleMs(): number {
    return this.now() - this.seenAt;
  }

  /** A fresh link secret: the old one is void, used or not; sessions already open stay open. */
  renew(): string {
    this.secret = token();
    this.linkUsed = false;
    this.seenAt = this.now();
    return this.secret;
  }
}
