import { OAuthError, OAuthErrorCode } from '@modelcontextprotocol/server';
import * as oidc from 'openid-client';
import { type Person, verifiedEmail } from '../auth/person.js';
import { SUPPORTED_SCOPES } from '../auth/scopes.js';
import { type AccessTokenVerifier, jwtAccessTokenVerifier } from '../auth/token-verifier.js';
import type { Mode } from '../guards/guard.js';
import { PERSON_KEY, SCOPE_MODE_KEY } from '../server-context.js';
import type { Approver } from './click-rules.js';
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
  /** This server's resource URL, `<public-url>/mcp` (RFC 8707): the sign-in asks for an access token for it. */
  resource: string;
  /** What that token's `aud` must contain, as for every caller's token: the resource URL unless configured. */
  audience: string;
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
 * approver by the access token for this server that the same sign-in yields (RFC 8707), checked as every caller's
 * token is: subject, issuer and the mode its scopes grant. Nothing is kept per sign-in started: its checks
 * travel sealed in its `state` (sign-in-state.ts), and only a finished one is recorded, as spent, so each
 * finishes at most once. The issuer's metadata is discovered on first use, so an issuer that is down refuses
 * sign-ins, not the server's start.
 */
export class PageSignIn {
  private config: Promise<oidc.Configuration> | undefined;
  private verifier: AccessTokenVerifier | undefined;
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

  /**
   * A new sign-in: the URL to send the browser to, and its id (single use, 10 minutes). `fresh`: the issuer must
   * ask the person to sign in again (OpenID Connect `prompt=login`) rather than answer from its own single sign-on
   * session, for a sign-in started from a window another site opened, where only the person typing proves they
   * meant it.
   */
  async begin(options: { fresh?: boolean } = {}): Promise<{ id: string; url: URL }> {
    const config = await this.configuration();
    const started: SignInState = {
      id: oidc.randomState(),
      nonce: oidc.randomNonce(),
      verifier: oidc.randomPKCECodeVerifier(),
      expires: this.now() + SIGN_IN_MS,
    };
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: this.options.redirectUri,
      // The issuer grants of these only the scopes the person holds: what they may decide on the page.
      scope: ['openid', 'email', ...SUPPORTED_SCOPES].join(' '),
      resource: this.options.resource,
      code_challenge: await oidc.calculatePKCECodeChallenge(started.verifier),
      code_challenge_method: 'S256',
      state: await this.seal.seal(started),
      nonce: started.nonce,
      ...(options.fresh === true ? { prompt: 'login' } : {}),
    });
    return { id: started.id, url };
  }

  /**
   * The callback at `currentUrl` (the issuer's redirect, with its query and the sealed `state`): the approver and
   * the id of the sign-in they finished, or a SignInError saying what failed (a state this server did not seal,
   * expired or already finished, a nonce that is not this sign-in's, a refused code, an ID token that does not
   * verify, an access token this server would refuse from a caller, or one granting none of its scopes).
   * `until` (epoch ms) is when that access token expires: the approver's authority ends with it.
   */
  async finish(currentUrl: URL): Promise<{ approver: Approver; started: string; until: number }> {
    const state = currentUrl.searchParams.get('state');
    const started = state === null ? undefined : await this.seal.open(state);
    if (started === undefined || started.expires <= this.now()) {
      throw new SignInError('no sign-in under way has this state, or it has expired; start again');
    }
    const config = await this.configuration();
    let tokens: Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>;
    try {
      tokens = await oidc.authorizationCodeGrant(
        config,
        currentUrl,
        {
          pkceCodeVerifier: started.verifier,
          expectedState: state as string,
          expectedNonce: started.nonce,
          idTokenExpected: true,
        },
        { resource: this.options.resource },
      );
    } catch (error) {
      // openid-client wraps the check that failed; its cause names it (state, nonce, signature...) with no value.
      const cause = (error as Error).cause;
      const check = cause instanceof Error ? ` (${cause.message})` : '';
      throw new SignInError(`the sign-in was refused: ${(error as Error).message}${check}`);
    }
    const claims = tokens.claims();
    if (claims === undefined) throw new SignInError('the issuer sent no ID token');
    const { person, mode, until } = await this.caller(config, tokens.access_token);
    // Recorded only now, for a sign-in the issuer completed: a started one leaves nothing behind.
    if (!(await this.spend(started.id, started.expires - this.now()))) {
      throw new SignInError('this sign-in was already finished once; start again');
    }
    // The ID token is of the same sign-in; its e-mail is shown only when the issuer verified it.
    const email = person.email ?? verifiedEmail(claims);
    return { approver: { ...person, ...(email === undefined ? {} : { email }), mode }, started: started.id, until };
  }

  /**
   * Who the sign-in's access token for this server names, checked as the server checks every caller's token
   * (token-verifier.ts): the approver's subject is then the one their own calls carry, whatever subject the
   * issuer gives this page's client in its ID tokens (pairwise, per application), and their authority is what
   * the token's scopes grant, until the token expires.
   */
  private async caller(
    config: oidc.Configuration,
    token: string,
  ): Promise<{ person: Person; mode: Mode; until: number }> {
    const metadata = config.serverMetadata();
    if (this.verifier === undefined) {
      if (metadata.jwks_uri === undefined) throw new SignInError("the issuer's metadata names no jwks_uri", 503);
      this.verifier = jwtAccessTokenVerifier({
        issuer: metadata.issuer,
        jwksUri: new URL(metadata.jwks_uri),
        audience: this.options.audience,
        resource: new URL(this.options.resource),
        ...(this.options.now === undefined ? {} : { now: this.options.now }),
      });
    }
    let verified: Awaited<ReturnType<AccessTokenVerifier['verifyAccessToken']>>;
    try {
      verified = await this.verifier.verifyAccessToken(token);
    } catch (error) {
      const unreadable = error instanceof OAuthError && error.code === OAuthErrorCode.ServerError;
      throw new SignInError(
        `the access token the issuer gave this sign-in for ${this.options.resource} was refused: ${(error as Error).message}`,
        unreadable ? 503 : 403,
      );
    }
    const { extra, expiresAt } = verified;
    const mode = extra?.[SCOPE_MODE_KEY] as Mode | undefined;
    if (mode === undefined) {
      throw new SignInError(
        `your account holds none of this server's scopes (${SUPPORTED_SCOPES.join(', ')}), so it may neither read nor decide the changes waiting here; your identity provider's administrator grants them`,
      );
    }
    // The verifier requires `exp`, in seconds since the epoch, and lets it pass by its clock skew: a session made
    // from a token already past it would hold no authority at all.
    const until = (expiresAt as number) * 1000;
    if (until <= this.now()) {
      throw new SignInError(
        `the access token the issuer gave this sign-in for ${this.options.resource} has already expired (its 'exp'); sign in again`,
      );
    }
    return { person: extra?.[PERSON_KEY] as Person, mode, until };
  }
}
