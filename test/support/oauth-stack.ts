// The team deployment on loopback, as the CLI wires it: a real OpenID provider (oidc-provider), the server with
// `--http --oauth-issuer --public-url` (and the approvals page's sign-in under /approvals/ when a page client is
// given), the sandbox where Visier stands, and SDK clients each holding one person's access token.
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import pino from 'pino';
import { protectedResource } from '../../src/auth/protected-resource.js';
import { SUPPORTED_SCOPES } from '../../src/auth/scopes.js';
import { loadConfig } from '../../src/config.js';
import { type Runtime, startRuntime } from '../../src/runtime.js';
import { type HttpHandle, startHttp } from '../../src/transports/http.js';
import { freePort, type Issuer, startIssuer, type TestPerson } from './oidc-issuer.js';

/** The approvals page's client at the issuer: `--oauth-client-id` and `VISIER_MCP_OAUTH_CLIENT_SECRET`. */
export const PAGE_CLIENT = { id: 'approvals-page', secret: 'the-approvals-page-client-secret' };

/** A person holding every scope: her token may make any change the mode allows. */
export const ALICE: TestPerson = {
  id: 'alice',
  secret: 'alice-client-secret-012345678',
  scope: SUPPORTED_SCOPES.join(' '),
  email: 'alice@example.com',
  emailVerified: true,
};

/** A colleague the issuer grants the read surface only: her tokens cannot make any change on this server. */
export const MALLORY: TestPerson = {
  id: 'mallory',
  secret: 'mallory-client-secret-0123456',
  scope: 'visier-admin:read',
  email: 'mallory@example.com',
  emailVerified: true,
};

export interface OAuthStackOptions {
  people: TestPerson[];
  /** Flags after `--sandbox --mode full --http --oauth-issuer … --public-url …`. */
  flags?: string[];
  /** The approvals page's web client at the issuer: with it the page signs people in (`--oauth-client-id`). */
  pageClient?: {
    id: string;
    secret: string;
    subjectType?: 'public' | 'pairwise';
    accessTokenTtlSeconds?: number;
    tokenAudience?: string;
  };
  maxSessions?: number;
}

export interface OAuthStack {
  issuer: Issuer;
  served: Runtime;
  publicUrl: string;
  /** A 2025-11-25 session of `person`'s own, opened with a fresh access token. */
  sessionOf(person: TestPerson): Promise<Client>;
  close(): Promise<void>;
}

export async function startOAuthStack(options: OAuthStackOptions): Promise<OAuthStack> {
  const logger = pino({ level: 'silent' });
  const port = await freePort();
  const publicUrl = `http://127.0.0.1:${port}`;
  const page = options.pageClient;
  const issuer = await startIssuer({
    resource: `${publicUrl}/mcp`,
    people: options.people,
    ...(page === undefined ? {} : { webClient: { ...page, redirectUri: `${publicUrl}/approvals/callback` } }),
  });
  const served = await startRuntime(
    loadConfig(
      [
        '--sandbox',
        '--mode',
        'full',
        '--http',
        '--oauth-issuer',
        issuer.url,
        '--public-url',
        publicUrl,
        ...(page === undefined ? [] : ['--oauth-client-id', page.id]),
        ...(options.flags ?? []),
      ],
      page === undefined ? {} : { VISIER_MCP_OAUTH_CLIENT_SECRET: page.secret },
    ),
    logger,
  );
  const handle = served.approvals?.handle;
  if (page !== undefined && handle === undefined) throw new Error('the page with sign-in gave the server no handler');
  const http: HttpHandle = await startHttp({
    host: '127.0.0.1',
    port,
    sessionIdleMs: 120_000,
    maxSessions: options.maxSessions ?? 10,
    logger,
    createServer: served.createServer,
    onRefusedToolCall: served.rejectCall,
    oauth: await protectedResource({ issuer: new URL(issuer.url), publicUrl: new URL(publicUrl) }),
    ...(handle === undefined ? {} : { approvalsPage: handle }),
  });
  return {
    issuer,
    served,
    publicUrl,
    async sessionOf(person) {
      const client = new Client({ name: `${person.id}-assistant`, version: '1.0.0' });
      await client.connect(
        new StreamableHTTPClientTransport(new URL(`${publicUrl}/mcp`), {
          requestInit: { headers: { authorization: `Bearer ${await issuer.token(person)}` } },
        }),
      );
      return client;
    },
    async close() {
      await http.close();
      await served.close();
      await issuer.close();
    },
  };
}
