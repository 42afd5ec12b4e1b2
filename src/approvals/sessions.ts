import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Person } from '../auth/person.js';

const token = () => randomBytes(32).toString('base64url');

const sameText = (a: string, b: string) => {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
};

/**
 * Who may use the page: whoever opened the one-time link (its secret goes to stderr only), from then on by a
 * session cookie; and the CSRF token each session's forms carry. All in memory: a restart prints a new link.
 */
export class PageSessions {
  /** The link's secret; spent by its first use. */
  readonly linkSecret = token();
  private linkUsed = false;
  /** Each session, with the person who signed in to it (none for a session the one-time link opened). */
  private readonly sessions = new Map<string, { person?: Person }>();
  private readonly csrfKey = randomBytes(32);

  /**
   * Trades the link's secret for a new session id, once. `invalid` for a wrong secret, `used` for the right
   * one a second time (someone else may have read it: the holder of the first session keeps the page).
   */
  open(secret: string): { ok: true; session: string } | { ok: false; reason: 'invalid' | 'used' } {
    if (!sameText(secret, this.linkSecret)) return { ok: false, reason: 'invalid' };
    if (this.linkUsed) return { ok: false, reason: 'used' };
    this.linkUsed = true;
    const session = token();
    this.sessions.set(session, {});
    return { ok: true, session };
  }

  /** A new session for a person who signed in through the issuer. */
  openFor(person: Person): string {
    const session = token();
    this.sessions.set(session, { person });
    return session;
  }

  /** Who signed in to a session; undefined for a link-opened one. */
  personOf(session: string): Person | undefined {
    return this.sessions.get(session)?.person;
  }

  has(session: string | undefined): session is string {
    return session !== undefined && this.sessions.has(session);
  }

  /** The CSRF token of a session's forms: an HMAC of the session id, so nothing more is stored. */
  csrfFor(session: string): string {
    return createHmac('sha256', this.csrfKey).update(session).digest('base64url');
  }

  csrfValid(session: string, csrf: string | undefined): boolean {
    return csrf !== undefined && sameText(csrf, this.csrfFor(session));
  }
}
