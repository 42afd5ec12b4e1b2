import {
  type AuthInfo,
  bearerAuthChallengeResponse,
  buildOAuthProtectedResourceMetadata,
  getOAuthProtectedResourceMetadataUrl,
  OAuthError,
  OAuthErrorCode,
  type OAuthMetadata,
  oauthMetadataResponse,
  verifyBearerToken,
} from '@modelcontextprotocol/server';
import type { Config } from '../config.js';
import { SCOPE_MODE_KEY } from '../server-context.js';
import { discoverIssuer } from './issuer-metadata.js';
import { SUPPORTED_SCOPES } from './scopes.js';
import { type AccessTokenVerifier, jwtAccessTokenVerifier } from './token-verifier.js';

/** The path of the root protected-resource document, for clients that do not insert the resource's path. */
const ROOT_METADATA_PATH = '/.well-known/oauth-protected-resource';

/** Streamable HTTP as an OAuth 2.1 protected resource (MCP authorization; RFC 9728, RFC 6750, RFC 8707). */
export interface ProtectedResource {
  /** The resource identifier: `<public-url>/mcp`. */
  resource: URL;
  /** Where its RFC 9728 metadata is: `<public-url>/.well-known/oauth-protected-resource/mcp`. */
  resourceMetadataUrl: string;
  /**
   * The discovery documents: the protected-resource metadata at the path-inserted and the root well-known path,
   * and the issuer's own metadata at `/.well-known/oauth-authorization-server` for clients that look there.
   * Undefined for any other path.
   */
  metadataResponse(request: Request): Response | undefined;
  /**
   * The caller of a request, from its `Authorization` header: the verified AuthInfo (extra: principal, person,
   * scope mode), or the answer to send instead: 401 invalid_token or 403 insufficient_scope with
   * `WWW-Authenticate` naming the metadata, 500 when the issuer's keys cannot be read.
   */
  authenticate(authorization: string | undefined): Promise<AuthInfo | Response>;
  /** Fetches the issuer's JWKS now, as a token's check would: the number of keys; rejects with jose's error. */
  readKeys(): Promise<number>;
}

export interface ProtectedResourceOptions {
  /** The authorization server's issuer identifier. */
  issuer: URL;
  /** The URL clients reach this server at, without `/mcp`. */
  publicUrl: URL;
  /** What access tokens' `aud` must contain; the resource URL by default. */
  audience?: string;
  /** Test only: jose's JWKS cooldown, and the verifier's clock. */
  jwksCooldownMs?: number;
  now?: () => number;
}

/** The resource URL of an MCP endpoint served at `<public-url>/mcp`. */
export function resourceUrlOf(publicUrl: URL): URL {
  const base = publicUrl.href.endsWith('/') ? publicUrl.href : `${publicUrl.href}/`;
  return new URL('mcp', base);
}

/** Builds the protected resource from its parts; `protectedResource` discovers them. */
function protectedResourceOf(
  resource: URL,
  issuerMetadata: OAuthMetadata,
  verifier: AccessTokenVerifier,
): ProtectedResource {
  const resourceMetadataUrl = getOAuthProtectedResourceMetadataUrl(resource);
  const metadataOptions = {
    oauthMetadata: issuerMetadata,
    resourceServerUrl: resource,
    scopesSupported: SUPPORTED_SCOPES,
    resourceName: 'Visier user administration (visier-admin-mcp)',
    // An http issuer is accepted only on loopback (discoverIssuer refused any other); the SDK knows localhost only.
    dangerouslyAllowInsecureIssuerUrl: new URL(issuerMetadata.issuer).protocol === 'http:',
  };
  // Fails at start-up, not on the first request, on an issuer the SDK would refuse.
  buildOAuthProtectedResourceMetadata(metadataOptions);
  const pathInserted = new URL(resourceMetadataUrl).pathname;
  return {
    resource,
    resourceMetadataUrl,
    readKeys: () => verifier.readKeys(),
    metadataResponse(request) {
      const url = new URL(request.url);
      if (url.pathname.replace(/\/$/, '') === ROOT_METADATA_PATH && pathInserted !== ROOT_METADATA_PATH) {
        url.pathname = pathInserted;
        return oauthMetadataResponse(
          new Request(url, { method: request.method, headers: request.headers }),
          metadataOptions,
        );
      }
      return oauthMetadataResponse(request, metadataOptions);
    },
    async authenticate(authorization) {
      try {
        const auth = await verifyBearerToken(authorization, { verifier, resourceMetadataUrl });
        if (auth.extra?.[SCOPE_MODE_KEY] === undefined) {
          throw new OAuthError(
            OAuthErrorCode.InsufficientScope,
            `Token carries none of the scopes ${SUPPORTED_SCOPES.join(', ')}`,
          );
        }
        return auth;
      } catch (error) {
        const insufficient = error instanceof OAuthError && error.code === OAuthErrorCode.InsufficientScope;
        return bearerAuthChallengeResponse(error, {
          resourceMetadataUrl,
          ...(insufficient ? { requiredScopes: [SUPPORTED_SCOPES[0] as string] } : {}),
        });
      }
    },
  };
}

/**
 * Discovers the issuer (discoverIssuer) and builds the protected resource at `<public-url>/mcp` with a JWT
 * access-token verifier over the issuer's JWKS. Throws an Error naming the flag when discovery fails.
 */
export async function protectedResource(options: ProtectedResourceOptions): Promise<ProtectedResource> {
  const metadata = await discoverIssuer(options.issuer);
  const resource = resourceUrlOf(options.publicUrl);
  const verifier = jwtAccessTokenVerifier({
    issuer: metadata.issuer,
    jwksUri: new URL(metadata.jwks_uri),
    audience: options.audience ?? resource.href,
    resource,
    ...(options.jwksCooldownMs === undefined ? {} : { jwksCooldownMs: options.jwksCooldownMs }),
    ...(options.now === undefined ? {} : { now: options.now }),
  });
  return protectedResourceOf(resource, metadata, verifier);
}

/** `protectedResource` from the configuration, as the server and `doctor` build it; undefined without an issuer. */
export function configuredResource(
  config: Pick<Config, 'oauthIssuer' | 'publicUrl' | 'oauthAudience'>,
): Promise<ProtectedResource> | undefined {
  if (config.oauthIssuer === undefined || config.publicUrl === undefined) return undefined;
  return protectedResource({
    issuer: new URL(config.oauthIssuer),
    publicUrl: new URL(config.publicUrl),
    ...(config.oauthAudience === undefined ? {} : { audience: config.oauthAudience }),
  });
}
