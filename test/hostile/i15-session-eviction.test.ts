// Hostile: 2025-11-25 sessions on a shared server. The server holds at most --max-sessions and, at the cap, closes
// the least recently active idle one to make room. Mallory holds an ordinary read-scoped token; she opens sessions
// in a loop and closes, one by one, every other person's session between their calls. Real parts: oidc-provider
// on loopback issuing the tokens, the server's OAuth verifier and HTTP transport, SDK clients.
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { protectedResource } from '../../src/auth/protected-resource.js';
import { SUPPORTED_SCOPES } from '../../src/auth/scopes.js';
import { loadConfig } from '../../src/config.js';
import { type Runtime, startRuntime } from '../../src/runtime.js';
import { type HttpHandle, startHttp } from '../../src/transports/http.js';
import { freePort, type Issuer, startIssuer, type TestPerson } from '../support/oidc-issuer.js';

const alice: TestPerson = {
  id: 'alice',
  secret: 'alice-client-secret-012345678',
  scope: SUPPORTED_SCOPES.join(' '),
  email: 'alice@example.com',
};
const mallory: TestPerson = {
  id: 'mallory',
  secret: 'mallory-client-secret-0123456',
  scope: 'visier-admin:read',
  email: 'mallory@example.com',
};
const MAX_SESSIONS = 5;
const logger = pino({ level: 'silent' });

let issuer: Issuer;
let served: Runtime;
let http: HttpHandle;
let publicUrl: string;

beforeAll(async () => {
  const port = await freePort();
  publicUrl = `http://127.0.0.1:${port}`;
  issuer = await startIssuer({ resource: `${publicUrl}/mcp`, people: [alice, mallory] });
  served = await startRuntime(
    loadConfig(['--sandbox', '--mode', 'full', '--http', '--oauth-issuer', issuer.url, '--public-url', publicUrl], {}),
    logger,
  );
  http = await startHttp({
    host: '127.0.0.1',
    port,
    sessionIdleMs: 60_000,
    maxSessions: MAX_SESSIONS,
    logger,
    createServer: served.createServer,
    onRefusedToolCall: served.rejectCall,
    oauth: await protectedResource({ issuer: new URL(issuer.url), publicUrl: new URL(publicUrl) }),
  });
}, 60_000);

afterAll(async () => {
  await http?.close();
  await served?.close();
  await issuer?.close();
});

/** A 2025-11-25 session of `person`'s own, opened with a fresh token. */
async function sessionOf(person: TestPerson): Promise<Client> {
  const client = new Client({ name: `${person.id}-assistant`, version: '1.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`${publicUrl}/mcp`), {
      requestInit: { headers: { authorization: `Bearer ${await issuer.token(person)}` } },
    }),
  );
  return client;
}

describe('hostile: one person filling the session cap', () => {
  it("a person opening sessions in a loop never closes another person's open session", async () => {
    const alices = await sessionOf(alice);
    await alices.listTools();
    const mallorys: Client[] = [];
    try {
      for (let i = 0; i < MAX_SESSIONS; i++) mallorys.push(await sessionOf(mallory));
      // Alice's assistant comes back for its next call on the session it opened a moment ago.
      await expect(alices.listTools()).resolves.toMatchObject({ tools: expect.any(Array) });
    } finally {
      await Promise.all([alices, ...mallorys].map((client) => client.close()));
    }
  }, 60_000);
});
