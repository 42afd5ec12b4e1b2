// Hostile: Visier's per-key rate budget is one for the whole team (and, with Redis, for every replica). Mallory
// holds an ordinary read-scoped token; she sends more reads than the minute's budget at once, each for a different
// id so no cache answers them. Everyone else's calls, an urgent offboarding as much as a read, then queue behind
// all of hers. Real parts: oidc-provider on loopback issuing the tokens, the server's OAuth verifier and HTTP
// transport, SDK clients, the sandbox standing where Visier stands. The budget is scaled down to 10 calls a minute
// (`--rate-limit 10/6000`), so the test lasts a minute where it fails.
import { randomUUID } from 'node:crypto';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { protectedResource } from '../../src/auth/protected-resource.js';
import { SUPPORTED_SCOPES } from '../../src/auth/scopes.js';
import { loadConfig } from '../../src/config.js';
import { type Runtime, startRuntime } from '../../src/runtime.js';
import { DEMO_USERS } from '../../src/sandbox/index.js';
import { type HttpHandle, startHttp } from '../../src/transports/http.js';
import { freePort, type Issuer, startIssuer, type TestPerson } from '../support/oidc-issuer.js';

const PER_MINUTE = 10;
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
        '--rate-limit',
        `${PER_MINUTE}/6000`,
      ],
      {},
    ),
    logger,
  );
  http = await startHttp({
    host: '127.0.0.1',
    port,
    sessionIdleMs: 120_000,
    maxSessions: 10,
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

async function sessionOf(person: TestPerson): Promise<Client> {
  const client = new Client({ name: `${person.id}-assistant`, version: '1.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`${publicUrl}/mcp`), {
      requestInit: { headers: { authorization: `Bearer ${await issuer.token(person)}` } },
    }),
  );
  return client;
}

describe("hostile: one person's reads and the team's rate budget", () => {
  it("a read-scoped person flooding reads does not hold another person's call behind all of hers", async () => {
    const [mallorys, alices] = [await sessionOf(mallory), await sessionOf(alice)];
    try {
      const flood = Array.from({ length: PER_MINUTE + 3 }, () =>
        mallorys.callTool({ name: 'get_user', arguments: { userId: randomUUID() } }, { timeout: 180_000 }),
      );
      // Alice's call arrives after Mallory's, while hers still wait for the minute's budget.
      await new Promise((resolve) => setTimeout(resolve, 500));
      const aliceCall = alices.callTool(
        { name: 'get_user', arguments: { userId: DEMO_USERS.dana.userId } },
        { timeout: 180_000 },
      );
      const first = await Promise.race([
        aliceCall.then(() => 'alice'),
        Promise.all(flood).then(() => 'all of mallory'),
      ]);
      expect(first).toBe('alice');
      await Promise.allSettled([aliceCall, ...flood]);
    } finally {
      await Promise.all([mallorys.close(), alices.close()]);
    }
  }, 240_000);
});
