import * as oidc from 'openid-client';
import type { Person } from '../auth/person.js';

/** What the approvals page signs people in with: the issuer, this page's client, and where the issuer sends them back. */
export interface SignInOptions {
  /** The OpenID Connect issuer (the same one MCP bearer tokens come from). */
  issuer: string;
  clientId: string;
  /** Absent: a public client, PKCE only. Never logged, never shown. */
  clientSecret?: string;
  /** `<public-url>/approvals/callback`, registered with the issuer as a redirect URI. */
  redirectUri: string;
  /** Where sign-ins under way are kept: this process's memory when absent. */
  states?: SignInStates;
  now?: () => number;
}

/**
 * A sign-in under way: the checks its callback must pass, kept server-side so that nothing of them reaches the
 * browser but the id (its state). The PKCE verifier is a secret.
 */
export interface Transaction {
  state: string;
  nonce: string;
  verifier: string;
  /** Epoch ms. */
  expires: number;
}

/**
 * Where sign-ins under way wait for their callback: `put` keeps one until its `expires`, `take` hands it out once
 * (whatever the outcome) or undefined. Both may reject with `SignInError` (too many under way) or, shared,
 * `StoreUnavailableError`.
 */
export interface SignInStates {
  put(tx: Transaction, now: number): Promise<void>;
  take(state: string): Promise<Transaction | undefined>;
}

/** A person has this long at the issuer's login pages before the sign-in must start again. */
const TRANSACTION_MS = 10 * 60 * 1000;
/** At most this many sign-ins under way: an unauthenticated visitor cannot fill the memory by starting more. */
const MAX_TRANSACTIONS = 1000;

export class SignInError extends Error {
  override readonly name = 'SignInError';
}

/** Sign-ins under way in this process: one replica, or the loopback page. */
class MemorySignInStates implements SignInStates {
  private readonly pending = new Map<string, Transaction>();

  async put(tx: Transaction, now: number): Promise<void> {
    for (const [id, held] of this.pending) if (held.expires <= now) this.pending.delete(id);
    if (this.pending.size >= MAX_TRANSACTIONS) {
      throw new SignInError('too many sign-ins are under way; try again in a few minutes');
    }
    this.pending.set(tx.state, tx);
  }

  async take(state: string): Promise<Transaction | undefined> {
    const tx = this.pending.get(state);
    this.pending.delete(state);
    return tx;
  }
}

// An http issuer is accepted only on loopback (a test's, a developer's); anywhere else the tokens would cross
// the network in the clear.
function loopbackHttp(url: URL): boolean {
  return url.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
}

/**
 * OpenID Connect sign-in for the approvals page (authorization code flow with PKCE S256, state and nonce) through
 * `openid-client`: `begin` gives the issuer's authorization URL and the id of the sign-in (its state), which the
 * page's script keeps in `sessionStorage` so that only the tab that started it can use what it yields; `finish` trades the callback's code, checking state, nonce, the ID token's signature,
 * issuer, audience and expiry, and names the person (iss, sub, email, name from the validated ID token). Each
 * sign-in finishes at most once. The issuer's metadata is discovered on first use, so an issuer that is down
 * refuses sign-ins, not the server's start.
 */
export class PageSignIn {
  private config: Promise<oidc.Configuration> | undefined;
  private readonly states: SignInStates;
  private readonly now: () => number;

  constructor(private readonly options: SignInOptions) {
    this.now = options.now ?? Date.now;
    this.states = options.states ?? new MemorySignInStates();
  }

  private configuration(): Promise<oidc.Configuration> {
    if (this.config === undefined) {
      const issuer = new URL(this.options.issuer);
      const { clientId, clientSecret } = this.options;
      this.config = oidc
        .discovery(
          issuer,
          clientId,
          clientSecret,
          clientSecret === undefined ? oidc.None() : undefined,
          loopbackHttp(issuer) ? { execute: [oidc.allowInsecureRequests] } : undefined,
        )
        .catch((error: unknown) => {
          this.config = undefined;
          throw new SignInError(`the issuer's metadata could not be read (${(error as Error).message})`);
        });
    }
    return this.config;
  }

  /**
   * Reads the issuer's metadata as a sign-in does (for `doctor`): where sign-in sends people, whether the issuer
   * offers PKCE S256 (which every sign-in uses), and the redirect URI to register. Rejects with SignInError.
   */
  async check(): Promise<{ authorizationEndpoint: string; pkceS256: boolean; redirectUri: string }> {
    const metadata = (await this.configuration()).serverMetadata();
    return {
      authorizationEndpoint: metadata.authorization_endpoint ?? 'none stated',
      pkceS256: metadata.supportsPKCE('S256'),
      redirectUri: this.options.redirectUri,
    };
  }

  /** A new sign-in: the URL to send the browser to, and its id, which is its state (single use, 10 minutes). */
  async begin(): Promise<{ id: string; url: URL }> {
    const config = await this.configuration();
    const now = this.now();
    const tx: Transaction = {
      state: oidc.randomState(),
      nonce: oidc.randomNonce(),
      verifier: oidc.randomPKCECodeVerifier(),
      expires: now + TRANSACTION_MS,
    };
    // Keyed by its state: the issuer sends the person back with it, so the callback needs no cookie to find it.
    const id = tx.state;
    await this.states.put(tx, now);
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: this.options.redirectUri,
      scope: 'openid email profile',
      code_challenge: await oidc.calculatePKCECodeChallenge(tx.verifier),
      code_challenge_method: 'S256',
      state: tx.state,
      nonce: tx.nonce,
    });
    return { id, url };
  }

  /**
   * The callback of sign-in `id` at `currentUrl` (the issuer's redirect, with its query): the person, or a
   * SignInError saying what failed (no such sign-in, expired, a state or nonce that is not this sign-in's, a
   * refused code, an ID token that does not verify). The sign-in is spent whatever the outcome.
   */
  async finish(id: string | undefined, currentUrl: URL): Promise<Person> {
    const tx = id === undefined ? undefined : await this.states.take(id);
    if (tx === undefined || tx.expires <= this.now()) {
      throw new SignInError('no sign-in under way has this state, or it has expired; start again');
    }
    const config = await this.configuration();
    let claims: oidc.IDToken | undefined;
    let shown: Record<string, unknown> = {};
    try {
      const tokens = await oidc.authorizationCodeGrant(config, currentUrl, {
        pkceCodeVerifier: tx.verifier,
        expectedState: tx.state,
        expectedNonce: tx.nonce,
        idTokenExpected: true,
      });
      claims = tokens.claims();
      shown = claims ?? {};
      // Issuers that follow OpenID Connect Core §5.4 strictly keep scope claims (email, name) out of the ID token
      // of a code flow: they are read from the UserInfo endpoint, checked to be about the same subject.
      if (claims !== undefined && shown.email === undefined && config.serverMetadata().userinfo_endpoint) {
        shown = { ...(await oidc.fetchUserInfo(config, tokens.access_token, claims.sub)), ...claims };
      }
    } catch (error) {
      // openid-client wraps the check that failed; its cause names it (state, nonce, signature...) with no value.
      const cause = (error as Error).cause;
      const check = cause instanceof Error ? ` (${cause.message})` : '';
      throw new SignInError(`the sign-in was refused: ${(error as Error).message}${check}`);
    }
    if (claims === undefined) throw new SignInError('the issuer sent no ID token');
    const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);
    const email = text(shown.email);
    const name = text(shown.name);
    return {
      issuer: claims.iss,
      subject: claims.sub,
      ...(email === undefined ? {} : { email }),
      ...(name === undefined ? {} : { name }),
    };
  }
}
