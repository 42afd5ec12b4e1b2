import { randomBytes, timingSafeEqual } from 'node:crypto';

const token = () => randomBytes(32).toString('base64url');

const sameText = (a: string, b: string) => {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
};

/**
 * Who may use the page: whoever traded the current one-time link's secret (stderr only, in the link's fragment)
 * for a session key, which the page's script keeps in `sessionStorage` and sends as a header. No cookie: a browser
 * scopes cookies by host, not port, so every other server on 127.0.0.1 would receive one (and could overwrite it).
 * All in memory: a restart prints a new link.
 */
export class PageSessions {
  private secret = token();
  private linkUsed = false;
  private readonly sessions = new Set<string>();
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
    const session = token();
    this.sessions.add(session);
    this.seenAt = this.now();
    return { ok: true, session };
  }

  /** Whether `session` is a live key; a live one counts as the page being seen now. */
  has(session: string | undefined): session is string {
    if (session === undefined || !this.sessions.has(session)) return false;
    this.seenAt = this.now();
    return true;
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
