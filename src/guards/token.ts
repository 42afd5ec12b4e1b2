import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { SharedStore } from '../shared-state/store.js';
import { canonicalJson } from './canonical.js';
import type { ShownCount } from './unconfirmed.js';

/** What a confirmation token is bound to: changing any of it invalidates the token. */
export interface TokenBinding {
  tool: string;
  /** The call's arguments without the token itself. */
  args: Record<string, unknown>;
  /** Every tenant the call reaches. */
  tenants: string[];
  /** The fingerprint of the preview the human was shown. */
  fingerprint: string;
  /** The MCP session the token was issued in ('' for a sessionless transport). */
  session: string;
  /** The caller it was issued to (`CallerInfo.principal`). */
  principal: string;
}

interface TokenClaims {
  /** Random id, for single use. */
  id: string;
  /** Expiry, epoch milliseconds. */
  exp: number;
  /** The fingerprint confirmed, so a later change of targets can be told apart from a tampered call. */
  fp: string;
  /** A digest of the session and caller it was issued to, so a foreign token is refused saying so. */
  who: string;
  /** The caller's unconfirmed count the preview stated: what confirming this token takes off that count. */
  seen: ShownCount;
  /** Which secret signed it (`keyIdOf`), so a token of a replica with another secret is refused saying so. */
  kid: string;
}

export type TokenCheck =
  | { ok: true; id: string; exp: number; seen: ShownCount }
  | { ok: false; reason: 'token-invalid' | 'token-expired' | 'token-replayed' | 'store-unavailable'; text: string }
  /** Genuine and unspent, but the data moved since the preview: `id` names the token, to say what changed. */
  | { ok: false; reason: 'target-changed'; id: string; text: string };

// Used token ids are remembered until they expire; past this many live ids new confirmations are refused
// (fail closed) rather than letting the set grow without bound or forgetting ids that could be replayed.
const MAX_REMEMBERED = 10_000;

/** Where replicas record a spent token's id (`--redis-url`), and under which kind of record. */
export interface SharedSpends {
  store: Pick<SharedStore, 'claimOnce'>;
  /** Names the record kind in the store's keys: `token`, `state`, `approval`. */
  kind: string;
}

/**
 * Stateless HMAC-SHA256 confirmation tokens plus a single-use record. Any replica that shares the secret verifies a
 * token. Single use holds across replicas when they share a store (`redeemOnce`: the store's record alone), else in
 * this process (a set of spent ids); without a store a token could be spent once on each replica.
 */
export class ConfirmationTokens {
  private readonly used = new Map<string, number>();

  /**
   * `noun` names what the client holds, in refusal texts: a confirmation token, or an input request's state.
   * `kid` names the configured secret (`keyIdOf`), that of the root secret where `secret` is derived from it.
   */
  constructor(
    private readonly secret: string,
    private readonly ttlSeconds: number,
    private readonly now: () => number,
    private readonly noun = 'confirmation token',
    private readonly shared?: SharedSpends,
    private readonly kid = keyIdOf(secret),
  ) {}

  /**
   * A token for exactly this call, session and caller, carrying the unconfirmed count its preview stated
   * (`seen`, signed with the rest); `id` and `exp` (epoch ms) identify it in this process.
   */
  issue(binding: TokenBinding, seen: ShownCount): { token: string; expiresAt: string; id: string; exp: number } {
    const claims: TokenClaims = {
      id: randomBytes(12).toString('base64url'),
      exp: this.now() + this.ttlSeconds * 1000,
      fp: binding.fingerprint,
      who: whoOf(binding),
      seen: { items: seen.items, at: seen.at },
      kid: this.kid,
    };
    const body = Buffer.from(JSON.stringify(claims)).toString('base64url');
    return {
      token: `${body}.${this.sign(body, binding)}`,
      expiresAt: new Date(claims.exp).toISOString(),
      id: claims.id,
      exp: claims.exp,
    };
  }

  /**
   * Checks the token against this call and the fingerprint of a preview taken just now, and spends it in this
   * process's own record. A tampered, foreign, expired or replayed token never passes.
   */
  redeem(token: string, binding: TokenBinding): TokenCheck {
    const claims = this.current(token, binding);
    if ('ok' in claims) return claims;
    const now = this.now();
    this.forgetExpired(now);
    if (this.used.has(claims.id)) {
      return {
        ok: false,
        reason: 'token-replayed',
        text: `the ${this.noun} was already used. Nothing was sent.`,
      };
    }
    if (this.used.size >= MAX_REMEMBERED) {
      return {
        ok: false,
        reason: 'token-invalid',
        text: 'too many confirmations in flight; try again in a few minutes.',
      };
    }
    this.used.set(claims.id, claims.exp);
    return this.outcome(claims, binding);
  }

  /**
   * `redeem`, with the spend recorded in the shared store when replicas share one, as the only record (Redis's,
   * so no process keeps a second): a token spent on any replica is refused as replayed, and with the store
   * unreachable nothing passes (`store-unavailable`). Without a store, `redeem` alone.
   */
  async redeemOnce(token: string, binding: TokenBinding): Promise<TokenCheck> {
    if (this.shared === undefined) return this.redeem(token, binding);
    const claims = this.current(token, binding);
    if ('ok' in claims) return claims;
    let first: boolean;
    try {
      first = await this.shared.store.claimOnce(this.shared.kind, claims.id, claims.exp - this.now());
    } catch (error) {
      return {
        ok: false,
        reason: 'store-unavailable',
        text: `the shared state that records a spent ${this.noun} is unreachable (${(error as Error).message}); nothing was sent. Try again when it is back.`,
      };
    }
    if (!first)
      return { ok: false, reason: 'token-replayed', text: `the ${this.noun} was already used. Nothing was sent.` };
    return this.outcome(claims, binding);
  }

  /** The claims of a genuine, unexpired token for this call, or why it is refused; nothing spent. */
  private current(token: string, binding: TokenBinding): TokenClaims | (TokenCheck & { ok: false }) {
    const claims = this.verify(token, binding);
    if (claims === 'other-secret') {
      return {
        ok: false,
        reason: 'token-invalid',
        text: `the ${this.noun} was signed with another confirmation secret: another replica's, or this server's before a restart. Nothing was sent; ask for a new preview, and give every replica the same VISIER_MCP_CONFIRM_SECRET.`,
      };
    }
    if (claims === 'foreign') {
      return {
        ok: false,
        reason: 'token-invalid',
        text: `the ${this.noun} was issued in another session or to another caller; a token works only where it was issued. Nothing was sent; ask for a new preview.`,
      };
    }
    if (claims === undefined) {
      return {
        ok: false,
        reason: 'token-invalid',
        text: `the ${this.noun} does not match this call (another tool, tenant or changed arguments). Nothing was sent; ask for a new preview.`,
      };
    }
    if (this.now() >= claims.exp) {
      return {
        ok: false,
        reason: 'token-expired',
        text: `the ${this.noun} has expired. Nothing was sent; ask for a new preview.`,
      };
    }
    return claims;
  }

  /** A spent token's answer: it passes, or its preview's targets changed since (spent all the same). */
  private outcome(claims: TokenClaims, binding: TokenBinding): TokenCheck {
    if (claims.fp !== binding.fingerprint) {
      return {
        ok: false,
        reason: 'target-changed',
        id: claims.id,
        text: 'the targets changed since the preview was confirmed (the data is no longer what the user approved). Nothing was sent; ask for a new preview.',
      };
    }
    return { ok: true, id: claims.id, exp: claims.exp, seen: claims.seen };
  }

  /**
   * The claims of a genuine token for this binding; 'other-secret' when another secret signed it, 'foreign' when
   * it was made for another session or caller.
   */
  private verify(token: string, binding: TokenBinding): TokenClaims | 'other-secret' | 'foreign' | undefined {
    const [body, mac, extra] = token.split('.');
    if (body === undefined || mac === undefined || extra !== undefined) return undefined;
    let claims: TokenClaims;
    try {
      claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as TokenClaims;
    } catch {
      return undefined;
    }
    if (
      typeof claims?.id !== 'string' ||
      typeof claims.exp !== 'number' ||
      typeof claims.fp !== 'string' ||
      typeof claims.who !== 'string' ||
      !Number.isSafeInteger(claims.seen?.items) ||
      !Number.isSafeInteger(claims.seen?.at) ||
      typeof claims.kid !== 'string'
    ) {
      return undefined;
    }
    // Claims, not proof: a forged kid only earns a refusal worded differently, the MAC still decides.
    if (claims.kid !== this.kid) return 'other-secret';
    // Likewise only a claim; the MAC below, which covers session and caller, is what decides.
    if (claims.who !== whoOf(binding)) return 'foreign';
    const expected = Buffer.from(this.sign(body, { ...binding, fingerprint: claims.fp }));
    const given = Buffer.from(mac);
    return given.length === expected.length && timingSafeEqual(given, expected) ? claims : undefined;
  }

  private sign(body: string, binding: TokenBinding): string {
    const bound = canonicalJson({
      tool: binding.tool,
      args: binding.args,
      tenants: [...new Set(binding.tenants)].sort(),
      fp: binding.fingerprint,
      session: binding.session,
      principal: binding.principal,
      body,
    });
    return createHmac('sha256', this.secret).update(bound).digest('base64url');
  }

  private forgetExpired(now: number): void {
    for (const [id, exp] of this.used) if (exp <= now) this.used.delete(id);
  }
}

function whoOf(binding: Pick<TokenBinding, 'session' | 'principal'>): string {
  return createHash('sha256')
    .update(canonicalJson([binding.session, binding.principal]))
    .digest('base64url')
    .slice(0, 16);
}

/**
 * A short public name of a secret: 8 characters of an HMAC of a fixed text under it, which says nothing of the
 * secret (the HMAC is one-way) yet differs between two secrets.
 */
export function keyIdOf(secret: string): string {
  return createHmac('sha256', secret).update('visier-admin-mcp confirmation key id').digest('base64url').slice(0, 8);
}
