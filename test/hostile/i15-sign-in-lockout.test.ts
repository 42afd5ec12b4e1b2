// Hostile: the approvals page's sign-in start (`POST /approvals/sign-in`) needs nobody to be signed in, by its
// nature. Whoever reaches the server over the network (no token, no account at the issuer) sends it in a loop;
// the approvers must still be able to sign in, or every change that needs them waits and times out. Real parts:
// oidc-provider on loopback, the server's HTTP transport serving the page under /approvals/.
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { protectedResource } from '../../src/auth/protected-resource.js';
import { loadConfig } from '../../src/config.js';
import { type Runtime, startRuntime } from '../../src/runtime.js';
import { type HttpHandle, startHttp } from '../../src/transports/http.js';
import { freePort, type Issuer, startIssuer } from '../support/oidc-issuer.js';

const PAGE_CLIENT = { id: 'approvals-page', secret: 'the-approvals-page-client-secret' };
const logger = pino({ level: 'silent' });
/** Sign-ins a script starts from one address, none finished: more than the server holds at once. */
const FLOOD = 1_100;

let issuer: Issuer;
let served: Runtime;
let http: HttpHandle;
let publicUrl: string;

beforeAll(async () => {
  const port = await freePort();
  publicUrl = `http://127.0.0.1:${port}`;
  issuer = await startIssuer({
    resource: `${publicUrl}/mcp`,
    people: [],
    webClient: { ...PAGE_CLIENT, redirectUri: `${publicUrl}/approvals/callback` },
  });
  served = await startRuntime(
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
        '--oauth-client-id',
        PAGE_CLIENT.id,
        '--approvers',
        'access=2',
      ],
      { VISIER_MCP_OAUTH_CLIENT_SECRET: PAGE_CLIENT.secret },
    ),
    logger,
  );
  const handle = served.approvals?.handle;
  if (handle === undefined) throw new Error('the page with sign-in gave the HTTP server no handler');
  http = await startHttp({
    host: '127.0.0.1',
    port,
    sessionIdleMs: 60_000,
    maxSessions: 5,
    logger,
    createServer: served.createServer,
    onRefusedToolCall: served.rejectCall,
    oauth: await protectedResource({ issuer: new URL(issuer.url), publicUrl: new URL(publicUrl) }),
    approvalsPage: handle,
  });
}, 60_000);

afterAll(async () => {
  await http?.close();
  await served?.close();
  await issuer?.close();
});

/** What the page's script sends to start a sign-in; no token, no session, nothing secret. */
const startSignIn = () =>
  fetch(`${publicUrl}/approvals/sign-in`, {
    method: 'POST',
    headers: { origin: publicUrl, 'content-type': 'application/json' },
    body: '{}',
  });

describe('hostile: starting sign-ins without finishing them', () => {
  it('an approver can still start a sign-in after an anonymous script started a thousand and finished none', async () => {
    for (let i = 0; i < FLOOD; i += 50) {
      await Promise.all(Array.from({ length: 50 }, async () => (await startSignIn()).arrayBuffer()));
    }
    const approver = await startSignIn();
    expect(approver.status).toBe(200);
    const started = (await approver.json()) as { url?: string };
    expect(new URL(started.url ?? '').origin).toBe(issuer.url);
  }, 120_000);
});
