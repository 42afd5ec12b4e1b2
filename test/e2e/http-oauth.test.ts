// Streamable HTTP as an OAuth 2.1 protected resource, against a real authorization server on loopback
// (oidc-provider): discovery, the SDK client following the 401 challenge, every way a token can be wrong, scopes
// narrowing what a person sees and may do, sessions and confirmations bound to the person, and no secret written
// anywhere. Visier is the embedded sandbox, reached over real HTTP; its requests are counted.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import {
  type CallToolResult,
  Client,
  ClientCredentialsProvider,
  StreamableHTTPClientTransport,
} from '@modelcontextprotocol/client';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { protectedResource } from '../../src/auth/protected-resource.js';
import { SUPPORTED_SCOPES } from '../../src/auth/scopes.js';
import { loadConfig } from '../../src/config.js';
import { type Runtime, startRuntime } from '../../src/runtime.js';
import { DEMO_PERMISSIONS, DEMO_USERS } from '../../src/sandbox/index.js';
import { CONFIRMATION_META_KEY } from '../../src/server.js';
import { type HttpHandle, startHttp } from '../../src/transports/http.js';
import { changeRequests, textOf } from '../guards/e2e-harness.js';
import { freePort, type Issuer, signingKey, startIssuer, type TestPerson } from '../support/oidc-issuer.js';
import { CATALOGUE, READ_TOOLS } from '../support/tool-names.js';
import { INIT, MCP_HEADERS } from './http-runtime.js';

const [READ, WRITE, ADMIN] = SUPPORTED_SCOPES as [string, string, string];
const ALL = `${READ} ${WRITE} ${ADMIN}`;
const dana: TestPerson = {
  id: 'dana',
  secret: 'dana-client-secret-0123456789',
  scope: ALL,
  email: 'dana@example.com',
  emailVerified: true,
};
const frank: TestPerson = {
  id: 'frank',
  secret: 'frank-client-secret-012345678',
  scope: ALL,
  email: 'frank@example.com',
  emailVerified: true,
};
const erin: TestPerson = {
  id: 'erin',
  secret: 'erin-client-secret-0123456789',
  scope: READ,
  email: 'erin@example.com',
  emailVerified: true,
};
const nobody: TestPerson = { id: 'nobody', secret: 'nobody-client-secret-01234567', scope: 'profile-extra' };
const PEOPLE = [dana, frank, erin, nobody];

const GRANT = { permissionIds: [DEMO_PERMISSIONS.payrollAuditor.permissionId], userIds: [DEMO_USERS.dana.userId] };

/** Everything the server logged, as text: checked for secrets. */
const logged: string[] = [];
const logger = pino(
  { level: 'debug' },
  new Writable({
    write(chunk, _encoding, done) {
      logged.push(String(chunk));
      done();
    },
  }),
);

let issuer: Issuer;
let runtime: Runtime;
let http: HttpHandle;
let auditPath: string;
let publicUrl: URL;
/** Every access token issued in this file, and every text a client got back. */
const tokens: string[] = [];
const answers: string[] = [];

async function tokenFor(person: TestPerson, options: { scope?: string; resource?: string } = {}) {
  const token = await issuer.token(person, options);
  tokens.push(token);
  return token;
}

/** Another endpoint, trusting the same issuer: on `served` (the shared runtime when absent), with `now` its clock. */
async function startServer(options: { now?: () => number; served?: Runtime } = {}) {
  const served = options.served ?? runtime;
  const port = await freePort();
  const url = new URL(`http://127.0.0.1:${port}`);
  const oauth = await protectedResource({
    issuer: new URL(issuer.url),
    publicUrl: url,
    ...(options.now === undefined ? {} : { now: options.now }),
  });
  const handle = await startHttp({
    host: '127.0.0.1',
    port,
    sessionIdleMs: 60_000,
    maxSessions: 20,
    logger,
    createServer: served.createServer,
    onRefusedToolCall: served.rejectCall,
    oauth,
  });
  return { handle, url };
}

/** An SDK v2 client over Streamable HTTP sending `token`: each one is a new MCP session. */
async function session(token: string, url = http.url): Promise<Client> {
  const client = new Client({ name: 'oauth-test', version: '1.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { authorization: `Bearer ${token}` } } }),
  );
  return client;
}

async function call(client: Client, name: string, args: Record<string, unknown>): Promise<CallToolResult> {
  const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
  answers.push(JSON.stringify(result));
  return result;
}

/** A raw POST to /mcp: for the answers no SDK client shows (status, challenge, session refusal). */
function post(body: unknown, headers: Record<string, string>, url = http.url) {
  return fetch(url, { method: 'POST', headers: { ...MCP_HEADERS, ...headers }, body: JSON.stringify(body) });
}

const auditLines = (path = auditPath) =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);

const snapshotUser = (userId: string) =>
  (runtime.sandbox.snapshot().users as { userId: string; displayName?: string }[]).find((u) => u.userId === userId);

beforeAll(async () => {
  auditPath = join(mkdtempSync(join(tmpdir(), 'vam-oauth-')), 'audit.jsonl');
  runtime = await startRuntime(loadConfig(['--sandbox', '--mode', 'full', '--audit-log', auditPath], {}), logger);
  const port = await freePort();
  publicUrl = new URL(`http://127.0.0.1:${port}`);
  issuer = await startIssuer({ resource: `${publicUrl.origin}/mcp`, people: PEOPLE });
  const oauth = await protectedResource({ issuer: new URL(issuer.url), publicUrl });
  http = await startHttp({
    host: '127.0.0.1',
    port,
    sessionIdleMs: 60_000,
    maxSessions: 20,
    logger,
    createServer: runtime.createServer,
    onRefusedToolCall: runtime.rejectCall,
    oauth,
  });
});

afterAll(async () => {
  await http.close();
  await runtime.close();
  await issuer.close();
});

describe('discovery (RFC 9728) and the challenge', () => {
  it('serves the protected-resource metadata at the path-inserted and the root well-known path', async () => {
    const expected = {
      resource: `${publicUrl.origin}/mcp`,
      authorization_servers: [issuer.url],
      scopes_supported: [READ, WRITE, ADMIN],
    };
    for (const path of ['/.well-known/oauth-protected-resource/mcp', '/.well-known/oauth-protected-resource']) {
      const response = await fetch(new URL(path, publicUrl));
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject(expected);
    }
    const as = await fetch(new URL('/.well-known/oauth-authorization-server', publicUrl));
    expect(((await as.json()) as { issuer: string }).issuer).toBe(issuer.url);
  });

  it('answers a request without a token 401 invalid_token, naming the metadata in WWW-Authenticate', async () => {
    const response = await post(INIT, {});
    expect(response.status).toBe(401);
    const challenge = response.headers.get('www-authenticate') ?? '';
    expect(challenge).toContain('Bearer');
    expect(challenge).toContain(`resource_metadata="${publicUrl.origin}/.well-known/oauth-protected-resource/mcp"`);
    expect(((await response.json()) as { error: string }).error).toBe('invalid_token');
  });

  it('an SDK client with client credentials follows the challenge to the issuer, and an admin token changes a user', async () => {
    const provider = new ClientCredentialsProvider({
      clientId: dana.id,
      clientSecret: dana.secret,
      scope: ADMIN,
      expectedIssuer: issuer.url,
    });
    const client = new Client({ name: 'oauth-discovering', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(http.url), { authProvider: provider }));
    tokens.push(provider.tokens()?.access_token ?? '');
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(CATALOGUE);

    const before = changeRequests(runtime.sandbox).length;
    const updated = await call(client, 'update_user', {
      userId: DEMO_USERS.dana.userId,
      displayName: 'Dana W. (OAuth)',
    });
    expect(updated.isError).toBeFalsy();
    expect(changeRequests(runtime.sandbox).length - before).toBe(1);
    expect(snapshotUser(DEMO_USERS.dana.userId)?.displayName).toBe('Dana W. (OAuth)');
    const line = auditLines().findLast((l) => l.tool === 'update_user');
    expect(line?.caller).toEqual({ issuer: issuer.url, subject: dana.id, email: dana.email });
    await client.close();
  });
});

describe('tokens refused', () => {
  it('a token for another resource (wrong audience) is 401 invalid_token', async () => {
    const token = await tokenFor(dana, { resource: 'https://other.example/mcp' });
    const response = await post(INIT, { authorization: `Bearer ${token}` });
    expect(response.status).toBe(401);
    const body = (await response.json()) as { error: string; error_description: string };
    expect(body).toEqual({
      error: 'invalid_token',
      error_description: "Token claim 'aud' is not valid for this resource",
    });
  });

  it('a token of another issuer is 401 invalid_token', async () => {
    const other = await startIssuer({ resource: `${publicUrl.origin}/mcp`, people: [dana] });
    try {
      const token = await other.token(dana);
      tokens.push(token);
      const response = await post(INIT, { authorization: `Bearer ${token}` });
      expect(response.status).toBe(401);
      expect(((await response.json()) as { error: string }).error).toBe('invalid_token');
    } finally {
      await other.close();
    }
  });

  it('an expired token is 401 invalid_token (the server clock two hours on)', async () => {
    const later = await startServer({ now: () => Date.now() + 2 * 3600_000 });
    try {
      const token = await tokenFor(dana, { resource: `${later.url.origin}/mcp` });
      const response = await post(INIT, { authorization: `Bearer ${token}` }, later.handle.url);
      expect(response.status).toBe(401);
      expect(await response.json()).toEqual({ error: 'invalid_token', error_description: 'Token has expired' });
    } finally {
      await later.handle.close();
    }
  });

  it('a token with none of our scopes is 403 insufficient_scope, naming the scope to ask for', async () => {
    const token = await tokenFor(nobody);
    const response = await post(INIT, { authorization: `Bearer ${token}` });
    expect(response.status).toBe(403);
    expect(response.headers.get('www-authenticate')).toContain(`scope="${READ}"`);
    expect(((await response.json()) as { error: string }).error).toBe('insufficient_scope');
  });

  it('an unsigned token (alg none) with every claim right is 401 invalid_token', async () => {
    const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const now = Math.floor(Date.now() / 1000);
    const claims = { iss: issuer.url, sub: dana.id, aud: `${publicUrl.origin}/mcp`, exp: now + 600, scope: ADMIN };
    const unsigned = `${part({ alg: 'none', typ: 'at+jwt' })}.${part(claims)}.`;
    const response = await post(INIT, { authorization: `Bearer ${unsigned}` });
    expect(response.status).toBe(401);
    expect(((await response.json()) as { error: string }).error).toBe('invalid_token');
  });

  it('a garbled token is 401, and the answer never echoes it', async () => {
    const garbled = `${await tokenFor(dana)}x`;
    const response = await post(INIT, { authorization: `Bearer ${garbled}` });
    expect(response.status).toBe(401);
    const text = await response.text();
    expect(text).not.toContain(garbled.slice(0, 40));
  });
});

describe('scopes narrow the surface', () => {
  it('a read-scoped person sees only read tools, and a change tool call is refused with nothing sent', async () => {
    const client = await session(await tokenFor(erin));
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual([...READ_TOOLS].sort());
    const before = changeRequests(runtime.sandbox).length;
    const refused = await call(client, 'update_user', { userId: DEMO_USERS.dana.userId, displayName: 'Not allowed' });
    expect(refused.isError).toBe(true);
    expect(textOf(refused)).toContain(`needs the scope ${WRITE}`);
    expect(changeRequests(runtime.sandbox).length).toBe(before);
    const line = auditLines().findLast((l) => l.tool === 'update_user');
    expect(line).toMatchObject({ decision: 'refused', reason: 'insufficient-scope', caller: { subject: erin.id } });
    await client.close();
  });

  it('a write-scoped token of an admin person is the write surface: access tools stay hidden and refused', async () => {
    const client = await session(await tokenFor(dana, { scope: WRITE }));
    const names = (await client.listTools()).tools.map((t) => t.name);
    expect(names).toContain('update_user');
    expect(names).not.toContain('assign_permissions_to_users');
    const refused = await call(client, 'assign_permissions_to_users', GRANT);
    expect(textOf(refused)).toContain(`needs the scope ${ADMIN}`);
    await client.close();
  });
});

describe('the 2026-07-28 route (stateless, one request each)', () => {
  const META = {
    'io.modelcontextprotocol/protocolVersion': '2026-07-28',
    'io.modelcontextprotocol/clientInfo': { name: 'modern', version: '1' },
    'io.modelcontextprotocol/clientCapabilities': {},
  };
  const modern = (method: string, params: Record<string, unknown>, token: string, name?: string) =>
    post(
      { jsonrpc: '2.0', id: 1, method, params: { ...params, _meta: META } },
      {
        authorization: `Bearer ${token}`,
        'mcp-protocol-version': '2026-07-28',
        'mcp-method': method,
        ...(name === undefined ? {} : { 'mcp-name': name }),
      },
    );

  it('lists the read surface to a read-scoped person', async () => {
    const response = await modern('tools/list', {}, await tokenFor(erin));
    expect(response.status).toBe(200);
    const { result } = (await response.json()) as { result: { tools: { name: string }[] } };
    expect(result.tools.map((t) => t.name).sort()).toEqual([...READ_TOOLS].sort());
  });

  it('a call the transport refuses for its headers leaves an audit line naming the person', async () => {
    const token = await tokenFor(dana);
    const response = await modern(
      'tools/call',
      { name: 'delete_user', arguments: { userId: 'u-1' } },
      token,
      'get_user',
    );
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(auditLines().at(-1)).toMatchObject({
      tool: 'delete_user',
      reason: 'transport-refused',
      caller: { issuer: issuer.url, subject: dana.id, email: dana.email },
    });
  });
});

describe('bound to the person', () => {
  it("another person's token, or a narrower one, cannot ride a session", async () => {
    const opened = await post(INIT, { authorization: `Bearer ${await tokenFor(dana)}` });
    expect(opened.status).toBe(200);
    const sessionId = opened.headers.get('mcp-session-id') as string;
    const list = { jsonrpc: '2.0', id: 2, method: 'tools/list', params: {} };
    const headers = (token: string) => ({
      authorization: `Bearer ${token}`,
      'mcp-session-id': sessionId,
      'mcp-protocol-version': '2025-11-25',
    });
    const foreign = await post(list, headers(await tokenFor(frank)));
    expect(foreign.status).toBe(403);
    const narrower = await post(list, headers(await tokenFor(dana, { scope: READ })));
    expect(narrower.status).toBe(403);
    const own = await post(list, headers(await tokenFor(dana)));
    expect(own.status).toBe(200);
  });

  it('a confirmation token issued to one person is refused to another; the preview names who asked', async () => {
    const asker = await session(await tokenFor(dana));
    const other = await session(await tokenFor(frank));
    const asked = await call(asker, 'assign_permissions_to_users', GRANT);
    expect(textOf(asked)).toContain(`Asked by "${dana.email} (subject dana at ${new URL(issuer.url).host})".`);
    const token = asked._meta?.[CONFIRMATION_META_KEY] as { confirmationToken: string } | undefined;
    const before = changeRequests(runtime.sandbox).length;
    const replayed = await call(other, 'assign_permissions_to_users', {
      ...GRANT,
      confirmationToken: token?.confirmationToken,
    });
    expect(replayed.isError).toBe(true);
    expect(textOf(replayed)).toContain('issued in another session or to another caller');
    expect(changeRequests(runtime.sandbox).length).toBe(before);
    const own = await call(asker, 'assign_permissions_to_users', {
      ...GRANT,
      confirmationToken: token?.confirmationToken,
    });
    expect(own.isError).toBeFalsy();
    expect(changeRequests(runtime.sandbox).length).toBeGreaterThan(before);
    await Promise.all([asker.close(), other.close()]);
  });
});

describe("a person's change budget", () => {
  it('is spent by every session of that person, and by no other person', async () => {
    const audit = join(mkdtempSync(join(tmpdir(), 'vam-oauth-budget-')), 'audit.jsonl');
    const served = await startRuntime(
      loadConfig(['--sandbox', '--mode', 'full', '--max-changes-per-session', '1', '--audit-log', audit], {}),
      logger,
    );
    const { handle, url } = await startServer({ served });
    const resource = `${url.origin}/mcp`;
    const edit = (displayName: string) => ({ userId: DEMO_USERS.dana.userId, displayName });
    try {
      const first = await session(await tokenFor(dana, { resource }), handle.url);
      expect((await call(first, 'update_user', edit('Budget one'))).isError).toBeFalsy();
      const again = await session(await tokenFor(dana, { resource }), handle.url);
      const spent = await call(again, 'update_user', edit('Budget two'));
      expect(spent.isError).toBe(true);
      expect(auditLines(audit).at(-1)).toMatchObject({ reason: 'caller-budget' });
      const other = await session(await tokenFor(frank, { resource }), handle.url);
      expect((await call(other, 'update_user', edit('Budget three'))).isError).toBeFalsy();
      expect(changeRequests(served.sandbox).length).toBe(2);
      await Promise.all([first.close(), again.close(), other.close()]);
    } finally {
      await handle.close();
      await served.close();
    }
  });
});

describe('the approvals page', () => {
  it('shows the person who asked for a pending change', async () => {
    const audit = join(mkdtempSync(join(tmpdir(), 'vam-oauth-page-')), 'audit.jsonl');
    const served = await startRuntime(
      loadConfig(['--sandbox', '--mode', 'full', '--confirm', 'access=web', '--audit-log', audit], {}),
      logger,
    );
    const { handle, url } = await startServer({ served });
    const page = served.approvals as { link: string; origin: string };
    const asker = await session(await tokenFor(dana, { resource: `${url.origin}/mcp` }), handle.url);
    const cancel = new AbortController();
    try {
      const waiting = asker.callTool(
        { name: 'assign_permissions_to_users', arguments: GRANT },
        { signal: cancel.signal },
      );
      // As the page's script does: the link's fragment secret traded for a session key, then the list asked for.
      const opened = await fetch(`${page.origin}/session`, {
        method: 'POST',
        headers: { origin: page.origin, 'content-type': 'application/json' },
        body: JSON.stringify({ link: new URLSearchParams(new URL(page.link).hash.slice(1)).get('k') }),
      });
      const { session: key } = (await opened.json()) as { session: string };
      let html = '';
      // The change reaches the page once its preview is read: polled, as the page's script does.
      for (let tries = 0; tries < 200 && !html.includes('assign_permissions_to_users'); tries++) {
        html = await (await fetch(`${page.origin}/pending`, { headers: { 'x-approvals-session': key } })).text();
      }
      expect(html).toContain(`Asked by ${dana.email} (subject dana at ${new URL(issuer.url).host})`);
      cancel.abort();
      await waiting.catch(() => undefined);
      expect(changeRequests(served.sandbox)).toEqual([]);
    } finally {
      await asker.close();
      await handle.close();
      await served.close();
    }
  });
});

describe('key rotation', () => {
  it('a token signed with a key the issuer rotated in is accepted: jose refetches the JWKS on the unknown kid', async () => {
    const first = await signingKey('rotation-1');
    const port = await freePort();
    const resourcePort = await freePort();
    const resource = `http://127.0.0.1:${resourcePort}/mcp`;
    let rotating = await startIssuer({ resource, people: [dana], keys: [first], port });
    const oauth = await protectedResource({
      issuer: new URL(rotating.url),
      publicUrl: new URL(`http://127.0.0.1:${resourcePort}`),
      jwksCooldownMs: 0,
    });
    const server = await startHttp({
      host: '127.0.0.1',
      port: resourcePort,
      sessionIdleMs: 60_000,
      maxSessions: 5,
      logger,
      createServer: runtime.createServer,
      oauth,
    });
    try {
      const before = await rotating.token(dana);
      expect((await post(INIT, { authorization: `Bearer ${before}` }, server.url)).status).toBe(200);
      await rotating.close();
      rotating = await startIssuer({ resource, people: [dana], keys: [await signingKey('rotation-2'), first], port });
      const after = await rotating.token(dana);
      tokens.push(before, after);
      expect(JSON.parse(Buffer.from(after.split('.')[0] as string, 'base64url').toString()).kid).toBe('rotation-2');
      expect((await post(INIT, { authorization: `Bearer ${after}` }, server.url)).status).toBe(200);
    } finally {
      await server.close();
      await rotating.close();
    }
  });
});

describe('secrets', () => {
  it('no access token or client secret is in the logs, the audit log or any answer', () => {
    expect(tokens.length).toBeGreaterThan(10);
    const places = { logs: logged.join(''), audit: readFileSync(auditPath, 'utf8'), answers: answers.join('\n') };
    for (const [where, text] of Object.entries(places)) {
      for (const token of tokens) expect(text.includes(token), `an access token in the ${where}`).toBe(false);
      for (const person of PEOPLE) expect(text.includes(person.secret), `a client secret in the ${where}`).toBe(false);
    }
    expect(places.audit).toContain(`"subject":"${dana.id}"`);
  });
});
