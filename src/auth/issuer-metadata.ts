import type { OAuthMetadata } from '@modelcontextprotocol/server';
import { allowInsecureRequests, discovery } from 'openid-client';
import { isLoopback } from '../transports/loopback.js';

/**
 * A placeholder client id for discovery: openid-client's discovery builds a client configuration, but a resource
 * server only reads the issuer's metadata and never acts as that client.
 */
const RESOURCE_SERVER_CLIENT = 'visier-admin-mcp-resource-server';

/**
 * The authorization server's metadata: RFC 8414 (`/.well-known/oauth-authorization-server`, path-inserted), else
 * OpenID Connect discovery (`/.well-known/openid-configuration`), with the `issuer` the document states checked
 * against `issuer` exactly (openid-client). Plain http only for a loopback issuer (tests, a local look-alike).
 * Throws an Error naming the issuer and both documents when neither gives metadata with a `jwks_uri`.
 */
export async function discoverIssuer(issuer: URL): Promise<OAuthMetadata & { jwks_uri: string }> {
  const insecure = issuer.protocol === 'http:' && isLoopback(issuer.hostname);
  const failures: string[] = [];
  for (const algorithm of ['oauth2', 'oidc'] as const) {
    try {
      const config = await discovery(issuer, RESOURCE_SERVER_CLIENT, undefined, undefined, {
        algorithm,
        ...(insecure ? { execute: [allowInsecureRequests] } : {}),
      });
      const metadata = config.serverMetadata();
      if (typeof metadata.jwks_uri !== 'string') throw new Error('it names no jwks_uri');
      return metadata as unknown as OAuthMetadata & { jwks_uri: string };
    } catch (error) {
      failures.push(`${algorithm === 'oauth2' ? 'RFC 8414' : 'OpenID Connect'} discovery: ${(error as Error).message}`);
    }
  }
  throw new Error(`--oauth-issuer ${issuer.href}: no usable authorization server metadata (${failures.join('; ')})`);
}
