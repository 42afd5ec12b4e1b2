import * as oidc from 'openid-client';
import type { Person } from '../auth/person.js';
import { type SignInState, SignInStateSeal } from './sign-in-state.js';
import { type SpendSignIn, spentInMemory } from './spent-sign-ins.js';

/** What the approvals page signs people in with: the issuer, this page's client, and where the issuer sends them back. */
export interface SignInOptions {
  /** The OpenID Connect issuer (the same one MCP bearer tokens come from). */
  issuer: string;
  clientId: string;
  /** Absent: a public client, PKCE only. Never logged, never shown. */
  clientSecret?: string;
  /** `<public-url>/approvals/callback`, registered with the issuer as a redirect URI. */
  redirectUri: string;
  /** What seals sign-ins under way into their state: the same on every replica (the confirmation secret). */
  stateSecret: string;
  /** Where finished sign-ins are marked spent: this process's memory when absent. */
  spend?: SpendSignIn;
  now?: () => number;
}

/** A person has this long at the issuer's login pages before the sign-in must start again. */
const SIGN_IN_MS = 10 * 60 * 1000;

/**
 * Why a sign-in failed, in words for the person: `status` 403 for a sign-in refused (its state, the issuer's
 * answer, the person's tokens), 503 when the issuer could not be asked.
 */
export class SignInError extends Error {
  override readonly name = 'SignInError';

  constructor(
    message: string,
    readonly status: 403 | 503 = 403,
  ) {
    super(message);
  }
}

// An http issuer is accepted only on loopback (a test's, a developer's); anywhere else the tokens would cross
// the network in the clear.
function loopbackHttp(url: URL): boolean {
  return url.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
}

/**
 * OpenID Connect sign-in for the approvals page (authorization code flow with PKCE S256, state and nonce) through
 * `openid-client`: `begin` gives the issuer's authorization URL and the id of the sign-in, which the page's script
 * keeps in `sessionStorage` so that only the tab that started it can use what it yields; `finish` trades the
 * callback's code, checking state, nonce, the ID token's signature, issuer, audience and expiry, and names the
 * person (iss, sub, email, name from the validated ID token). Nothing is kept per sign-in started: its checks
 * travel sealed in its `state` (sign-in-state.ts), and only a finished one is recorded, as spent, so each
 * finishes at most once. The issuer's metadata is discovered on first use, so an issuer that is down refuses
 * sign-ins, not the server's start.
 */
export class PageSignIn {
  private config: Promise<oidc.Configuration> | undefined;
  private readonly seal: SignInStateSeal;
  private readonly spend: SpendSignIn;
  private readonly now: () => number;

  constructor(private readonly options: SignInOptions) {
    this.now = options.now ?? Date.now;
    this.seal = new SignInStateSeal(options.stateSecret);
    this.spend = options.spend ?? spentInMemory(this.now);
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
          throw new SignInError(`the issuer's metadata could not be read (${(error as Error).message})`, 503);
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

  /** A new sign-in: the URL to send the browser to, and its id (single use, 10 minutes). */
  async begin(): Promise<{ id: string; url: URL }> {
    const config = await this.configuration();
    const started: SignInState = {
      id: oidc.randomState(),
      nonce: oidc.randomNonce(),
      verifier: oidc.randomPKCECodeVerifier(),
      expires: this.now() + SIGN_IN_MS,
    };
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: this.options.redirectUri,
      scope: 'openid email profile',
      code_challenge: await oidc.calculatePKCECodeChallenge(started.verifier),
      code_challenge_method: 'S256',
      state: await this.seal.seal(started),
      nonce: started.nonce,
    });
    return { id: started.id, url };
  }

  /**
   * The callback at `currentUrl` (the issuer's redirect, with its query and the sealed `state`): the person and
   * the id of the sign-in they finished, or a SignInError saying what failed (a state this server did not seal,
   * expired or already finished, a nonce that is not this sign-in's, a refused code, an ID token that does not
   * verify).
   */
  async finish(currentUrl: URL): Promise<{ person: Person; started: string }> {
    const state = currentUrl.searchParams.get('state');
    const started = state === null ? undefined : await this.seal.open(state);
    if (started === undefined || started.expires <= this.now()) {
      throw new SignInError('no sign-in under way has this state, or it has expired; start again');
    }
    const config = await this.configuration();
    let claims: oidc.IDToken | undefined;
    let shown: Record<string, unknown> = {};
    try {
      const tokens = await oidc.authorizationCodeGrant(config, currentUrl, {
        pkceCodeVerifier: started.verifier,
        expectedState: state as string,
        expectedNonce: started.nonce,
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
    // Recorded only now, for a sign-in the issuer completed: a started one leaves nothing behind.
    if (!(await this.spend(started.id, started.expires - this.now()))) {
      throw new SignInError('this sign-in was already finished once; start again');
    }
    const person: Person = {
      issuer: claims.iss,
      subject: claims.sub,
      ...(email === undefined ? {} : { email }),
      ...(name === undefined ? {} : { name }),
    };
    return { person, started: started.id };
  }
}
