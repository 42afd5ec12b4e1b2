import { type AuthInfo, OAuthError, OAuthErrorCode, type OAuthTokenVerifier } from '@modelcontextprotocol/server';
import { createRemoteJWKSet, errors, type JWTPayload, jwtVerify } from 'jose';
import { counted } from '../grammar.js';
import { PERSON_KEY, PRINCIPAL_KEY, SCOPE_MODE_KEY } from '../server-context.js';
import { type Person, personKey, verifiedEmail } from './person.js';
import { modeOfScopes } from './scopes.js';

/**
 * Asymmetric JWS algorithms only: a resource server holds no shared secret, so an HS* token (or `none`) could only
 * be a forgery made with the public key.
 */
const ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
];

/** JWT `typ` headers an access token may carry: RFC 9068's, and the plain ones Okta, Entra and others send. */
const ACCESS_TOKEN_TYPES = new Set(['at+jwt', 'application/at+jwt', 'jwt', 'application/jwt']);

/** Seconds of clock skew accepted on `exp` and `nbf` between this server and the issuer. */
const CLOCK_TOLERANCE_S = 30;

// Claims are the issuer's, but bounded so that no token can fill an audit line.
const MAX_SUBJECT = 255;

export interface TokenVerifierOptions {
  /** The issuer identifier (`iss`), exactly as the authorization server's metadata states it. */
  issuer: string;
  /** The authorization server's `jwks_uri` (RFC 8414 / OIDC discovery). */
  jwksUri: URL;
  /** What `aud` must contain: the resource URL (RFC 8707), or the audience the operator registered. */
  audience: string;
  /** The resource URL reported as `AuthInfo.resource`. */
  resource: URL;
  /**
   * Milliseconds after a JWKS fetch during which an unknown `kid` fetches nothing (jose's cooldown). Default 30 s;
   * a key the issuer rotated in is picked up on the first token signed with it after that.
   */
  jwksCooldownMs?: number;
  /** Test clock, milliseconds since the epoch. */
  now?: () => number;
}

/** The verifier, and the read of its JWKS that `doctor` makes: the number of keys, or jose's error. */
export interface AccessTokenVerifier extends OAuthTokenVerifier {
  readKeys(): Promise<number>;
}

/** Scopes from RFC 9068's space-separated `scope`, or the `scp` array (or string) Okta and Entra send. */
function scopesOf(claims: JWTPayload): string[] {
  const raw = claims.scope ?? claims.scp;
  if (typeof raw === 'string') return raw.split(' ').filter(Boolean);
  if (Array.isArray(raw)) return raw.filter((s): s is string => typeof s === 'string');
  return [];
}

/** The person a verified token names (RFC 9068 §2.2: `iss` and `sub`; `email` when the issuer verified it). */
function personOf(claims: JWTPayload & { iss: string; sub: string }): Person {
  const email = verifiedEmail(claims);
  return { issuer: claims.iss, subject: claims.sub, ...(email === undefined ? {} : { email }) };
}

/**
 * Why a token was refused, in words that name the rule and never the token or its claims' values (a client's
 * token ends up in its logs from our error otherwise, and a claim is the issuer's text).
 */
function refusal(error: unknown): OAuthError {
  if (error instanceof OAuthError) return error;
  if (error instanceof errors.JWTExpired) return new OAuthError(OAuthErrorCode.InvalidToken, 'Token has expired');
  if (error instanceof errors.JWTClaimValidationFailed) {
    return new OAuthError(OAuthErrorCode.InvalidToken, `Token claim '${error.claim}' is not valid for this resource`);
  }
  if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWSSignatureVerificationFailed) {
    return new OAuthError(OAuthErrorCode.InvalidToken, "Token is not signed by a key of the issuer's JWKS");
  }
  if (error instanceof errors.JOSEAlgNotAllowed) {
    return new OAuthError(OAuthErrorCode.InvalidToken, 'Token signing algorithm is not an asymmetric one');
  }
  if (error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid) {
    return new OAuthError(OAuthErrorCode.ServerError, "The issuer's JWKS could not be read");
  }
  return new OAuthError(OAuthErrorCode.InvalidToken, 'Token is not a valid JWT access token');
}

/**
 * Validates JWT access tokens (RFC 9068) locally against the issuer's JWKS (jose): signature by a key of the JWKS
 * with an asymmetric algorithm, `iss` exactly the issuer, `aud` containing the audience, `exp` and `nbf` within
 * 30 s of skew, `typ` (when present) an access token's, `sub` present. Throws OAuthError invalid_token otherwise
 * (server_error when the JWKS cannot be read). The AuthInfo it returns never holds the token: `token` and
 * `clientId` are the person's key, `extra` the Person and the mode the scopes grant (undefined: none of ours).
 */
export function jwtAccessTokenVerifier(options: TokenVerifierOptions): AccessTokenVerifier {
  const jwks = createRemoteJWKSet(options.jwksUri, {
    cooldownDuration: options.jwksCooldownMs ?? 30_000,
    timeoutDuration: 5_000,
  });
  const now = options.now ?? Date.now;
  return {
    async readKeys() {
      await jwks.reload();
      return jwks.jwks()?.keys.length ?? 0;
    },
    async verifyAccessToken(token: string): Promise<AuthInfo> {
      let claims: JWTPayload;
      try {
        const verified = await jwtVerify(token, jwks, {
          issuer: options.issuer,
          audience: options.audience,
          algorithms: ALGORITHMS,
          clockTolerance: CLOCK_TOLERANCE_S,
          currentDate: new Date(now()),
          requiredClaims: ['iss', 'sub', 'exp'],
        });
        const typ = verified.protectedHeader.typ?.toLowerCase();
        if (typ !== undefined && !ACCESS_TOKEN_TYPES.has(typ)) {
          throw new OAuthError(OAuthErrorCode.InvalidToken, "Token 'typ' header is not an access token's (at+jwt)");
        }
        claims = verified.payload;
      } catch (error) {
        throw refusal(error);
      }
      const { sub, iss, exp } = claims as JWTPayload & { iss: string; sub: string; exp: number };
      if (sub.length === 0 || sub.length > MAX_SUBJECT) {
        throw new OAuthError(
          OAuthErrorCode.InvalidToken,
          `Token claim 'sub' must be 1 to ${counted(MAX_SUBJECT, 'character')}`,
        );
      }
      const person = personOf({ ...claims, iss, sub });
      const key = personKey(person);
      const scopes = scopesOf(claims);
      return {
        token: key,
        clientId: key,
        scopes,
        expiresAt: exp,
        resource: options.resource,
        extra: { [PRINCIPAL_KEY]: key, [PERSON_KEY]: person, [SCOPE_MODE_KEY]: modeOfScopes(scopes) },
      };
    },
  };
}
