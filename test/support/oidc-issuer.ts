// A real OAuth 2.1 authorization server on loopback for the OAuth tests: oidc-provider 9 issuing RFC 9068 JWT
// access tokens for one resource (resource indicators) through the client-credentials grant, each test "person"
// being one client (its `sub` is the client id, RFC 9068 §2.2) with an e-mail claim the provider adds to its tokens,
// marked verified only when the person says so.
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import Provider from 'oidc-provider';
import { SUPPORTED_SCOPES } from '../../src/auth/scopes.js';

export interface TestPerson {
  /** The client id: the token's `sub`. */
  id: string;
  secret: string;
  /** Scopes the client may ask for, space-separated. */
  scope: string;
  email?: string;
  /** The issuer vouches for `email` (`email_verified: true`); absent, the e-mail is one the person chose. */
  emailVerified?: boolean;
}

/** A login the web client knows but that holds none of the server's scopes: an employee with no role for it. */
export const NO_ROLE_LOGIN = 'intern';

export interface Issuer {
  url: string;
  /** A fresh access token through the client-credentials grant; `resource` defaults to the issuer's resource. */
  token(person: TestPerson, options?: { scope?: string; resource?: string }): Promise<string>;
  close(): Promise<void>;
}

export interface IssuerOptions {
  /** The resource tokens are issued for (`aud`). */
  resource: string;
  people: TestPerson[];
  /** Signing keys, the first signing; one fresh RS256 key when absent. */
  keys?: JWK[];
  /** Listen on this port (a restarted issuer keeps its URL); 0 when absent. */
  port?: number;
  /**
   * A web client people sign in through (authorization code, the provider's own login and consent pages):
   * whoever logs in as `x` is account `x`, verified e-mail `x@example.com`. A login that is one of `people` holds
   * that person's scopes at the resource, NO_ROLE_LOGIN none, any other every scope it asks for. An access token
   * it asks for the resource names the account as the resource's tokens do (`sub` the account, as the people's
   * own tokens carry theirs). `subjectType: 'pairwise'` gives its ID tokens a subject of its own per person
   * (OpenID Connect Core §8.1), as Microsoft Entra ID does for every application: the person's `sub` in the web
   * client's ID tokens is not the one their access tokens for the resource carry. `accessTokenTtlSeconds`: how
   * long the access tokens its sign-ins get for the resource live (600 when absent), as an issuer's policy sets it.
   * `tokenAudience`: the `aud` those tokens carry instead of the resource, as an issuer that ignores the resource
   * asked for (or is configured for another API) gives.
   */
  webClient?: {
    id: string;
    secret: string;
    redirectUri: string;
    subjectType?: 'public' | 'pairwise';
    accessTokenTtlSeconds?: number;
    tokenAudience?: string;
  };
}

/** A private RS256 signing key as a JWK, with a key id. */
export async function signingKey(kid: string): Promise<JWK> {
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  return { ...(await exportJWK(privateKey)), kid, alg: 'RS256', use: 'sig' };
}

export async function startIssuer(options: IssuerOptions): Promise<Issuer> {
  const http: Server = createServer();
  await new Promise<void>((resolve) => http.listen(options.port ?? 0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  const people = new Map(options.people.map((p) => [p.id, p]));
  const scopes = [...new Set([...SUPPORTED_SCOPES, ...options.people.flatMap((p) => p.scope.split(' '))])];
  /** The scopes a web login holds at the resource; undefined: any it asks for. */
  const heldBy = (login: string) => (login === NO_ROLE_LOGIN ? [] : people.get(login)?.scope.split(' '));
  const web = options.webClient;
  const provider = new Provider(url, {
    clients: [
      ...options.people.map((p) => ({
        client_id: p.id,
        client_secret: p.secret,
        grant_types: ['client_credentials'],
        redirect_uris: [],
        response_types: [],
        scope: p.scope,
      })),
      ...(web === undefined
        ? []
        : [
            {
              client_id: web.id,
              client_secret: web.secret,
              redirect_uris: [web.redirectUri],
              grant_types: ['authorization_code'],
              response_types: ['code'],
              ...(web.subjectType === 'pairwise' ? { subject_type: 'pairwise' } : {}),
            },
          ]),
    ],
    ...(web === undefined
      ? {}
      : {
          findAccount: (_ctx: unknown, sub: string) => ({
            accountId: sub,
            claims: () => ({ sub, email: `${sub}@example.com`, email_verified: true, name: sub }),
          }),
          claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
          // The ID token carries the e-mail itself, as most issuers' do: the page reads no UserInfo.
          conformIdTokenClaims: false,
          cookies: { keys: ['a-test-only-cookie-signing-key'] },
          subjectTypes: ['public', 'pairwise'],
          pairwiseIdentifier: (_ctx: unknown, accountId: string, client: { sectorIdentifier: string }) =>
            createHash('sha256').update(`${client.sectorIdentifier}|${accountId}`).digest('base64url'),
        }),
    scopes,
    ttl: {
      ClientCredentials: 600,
      // The resource server's own lifetime where getResourceServerInfo gives one (a web sign-in's, when set).
      AccessToken: (_ctx: unknown, token: { resourceServer?: { accessTokenTTL?: number } }) =>
        token.resourceServer?.accessTokenTTL ?? 600,
      AuthorizationCode: 60,
      Grant: 600,
      IdToken: 600,
      Interaction: 600,
      Session: 600,
    },
    jwks: { keys: options.keys ?? [await signingKey('first')] },
    features: {
      devInteractions: { enabled: web !== undefined },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        // The web client's sign-in asks for no resource: its access token stays the issuer's own (UserInfo).
        defaultResource: (_ctx: unknown, client: { clientId: string }) =>
          client.clientId === web?.id ? undefined : options.resource,
        // Any resource asked for gets a JWT for it: a token for another resource is the wrong-audience case.
        getResourceServerInfo: (_ctx: unknown, resource: string, client: { clientId: string }) => ({
          scope: scopes.join(' '),
          audience: resource,
          accessTokenFormat: 'jwt',
          accessTokenTTL: client.clientId === web?.id ? (web.accessTokenTtlSeconds ?? 600) : 600,
        }),
      },
    },
    extraTokenClaims: (_ctx: unknown, token: { clientId?: string }) => {
      const person = token.clientId === undefined ? undefined : people.get(token.clientId);
      if (person?.email === undefined) return undefined;
      return { email: person.email, ...(person.emailVerified === true ? { email_verified: true } : {}) };
    },
    formats: {
      customizers: {
        // A web sign-in's token for the resource: the account as the resource knows it, with the scopes it holds.
        jwt: (_ctx: unknown, token: { accountId?: string }, jwt: { payload: Record<string, unknown> }) => {
          if (token.accountId === undefined) return;
          jwt.payload.sub = token.accountId;
          if (web?.tokenAudience !== undefined) jwt.payload.aud = web.tokenAudience;
          const held = heldBy(token.accountId);
          if (held === undefined) return;
          const granted = String(jwt.payload.scope ?? '')
            .split(' ')
            .filter((scope) => held.includes(scope));
          jwt.payload.scope = granted.length === 0 ? undefined : granted.join(' ');
        },
      },
    },
  });
  http.on('request', provider.callback());
  return {
    url,
    async token(person, asked = {}) {
      const response = await fetch(`${url}/token`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${person.id}:${person.secret}`).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          scope: asked.scope ?? person.scope,
          resource: asked.resource ?? options.resource,
        }),
      });
      const body = (await response.json()) as { access_token?: string; error?: string };
      if (body.access_token === undefined) throw new Error(`issuer refused a token: ${JSON.stringify(body)}`);
      return body.access_token;
    },
    close: () =>
      new Promise<void>((resolve) => {
        http.closeAllConnections();
        http.close(() => resolve());
      }),
  };
}

/** A free loopback port, for a server whose public URL must be known before it listens. */
export async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}
