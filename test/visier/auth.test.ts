import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/providers/http/clock.js';
import { VisierApiError } from '../../src/providers/http/errors.js';
import { HttpClient } from '../../src/providers/http/http.js';
import { Redactor } from '../../src/providers/http/redact.js';
import { SessionAuth } from '../../src/providers/visier/auth.js';
import type { SandboxHandle } from '../../src/sandbox/handle.js';
import { ManualClock } from '../support/manual-clock.js';
import { authFor, captureLogs, clientFor, countRequests, startTestSandbox } from './harness.js';
import { type RecordingProxy, startRecordingProxy } from './recording-proxy.js';

const ASID = '/v1/admin/visierSecureToken';
const OAUTH = '/v1/auth/oauth2/token';

let handle: SandboxHandle;
let proxy: RecordingProxy;

beforeAll(async () => {
  handle = await startTestSandbox({ users: 30 });
  proxy = await startRecordingProxy(handle.url);
});
afterAll(async () => {
  await proxy.close();
  await handle.close();
});

function viaProxy() {
  return { ...handle, url: proxy.url };
}

describe('ASID token flow', () => {
  it('gets a token once with a form body and no apikey, then sends apikey and the cookie', async () => {
    proxy.recorded.length = 0;
    const client = clientFor(viaProxy(), {}, 'asid');
    await client.listUsers({ limit: 2 });
    await client.listUsers({ limit: 2 });
    await client.close();
    const [tokenCall, first, second] = proxy.recorded;
    expect(proxy.recorded.map((r) => `${r.method} ${r.path}`)).toEqual([
      `POST ${ASID}`,
      'GET /v1/admin/users',
      'GET /v1/admin/users',
    ]);
    expect(tokenCall?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(tokenCall?.headers.apikey).toBeUndefined();
    expect(Object.fromEntries(new URLSearchParams(tokenCall?.body))).toEqual({
      username: handle.credentials.username,
      password: handle.credentials.password,
    });
    for (const call of [first, second]) {
      expect(call?.headers.apikey).toBe(handle.credentials.apiKey);
      expect(call?.headers.cookie).toMatch(/^VisierASIDToken=\S+$/);
      expect(call?.headers.authorization).toBeUndefined();
    }
    expect(first?.headers.cookie).toBe(second?.headers.cookie);
    expect(client.stats.tokenRefreshes).toBe(1);
  });

  it('re-obtains the token once on 401 and retries the call', async () => {
    const client = clientFor(handle);
    await client.listUsers({ limit: 1 });
    handle.expireTokens();
    handle.clearRequests();
    const page = await client.listUsers({ limit: 3 });
    expect(page.items.length).toBe(3);
    expect(handle.requests.map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([
      'GET /v1/admin/users 401',
      `POST ${ASID} 200`,
      'GET /v1/admin/users 200',
    ]);
    expect(client.stats.tokenRefreshes).toBe(2);
    await client.close();
  });

  it('shares one refresh among 20 concurrent calls after expiry', async () => {
    const client = clientFor(handle);
    await client.listUsers({ limit: 1 });
    handle.expireTokens();
    handle.clearRequests();
    const pages = await Promise.all(Array.from({ length: 20 }, (_, i) => client.listUsers({ limit: 1, start: i })));
    expect(pages.map((p) => p.items[0]?.userId)).toEqual(
      handle
        .snapshot()
        .users.slice(0, 20)
        .map((u) => u.userId),
    );
    expect(countRequests(handle, 'POST', ASID)).toBe(1);
    expect(client.stats.tokenRefreshes).toBe(2);
    await client.close();
  });

  it('fails with a clear 401 error when the credentials are wrong, without retrying', async () => {
    const client = clientFor({ ...handle, credentials: { ...handle.credentials, password: 'wrong-password-123' } });
    handle.clearRequests();
    const error = await client.listUsers({ limit: 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VisierApiError);
    expect((error as VisierApiError).status).toBe(401);
    expect((error as VisierApiError).path).toBe(ASID);
    expect(handle.requests.map((r) => `${r.method} ${r.path}`)).toEqual([`POST ${ASID}`]);
    await client.close();
  });

  it('fails when the session is refused even after a fresh token, re-authenticating only once', async () => {
    const client = clientFor({ ...handle, credentials: { ...handle.credentials, apiKey: 'not-the-key-42' } });
    handle.clearRequests();
    const error = await client.listUsers({ limit: 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VisierApiError);
    expect((error as VisierApiError).status).toBe(401);
    expect((error as VisierApiError).localizedMessage).toBe('Missing or invalid API key');
    expect(handle.requests.map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([
      `POST ${ASID} 200`,
      'GET /v1/admin/users 401',
      `POST ${ASID} 200`,
      'GET /v1/admin/users 401',
    ]);
    await client.close();
  });
});

describe('OAuth2 password grant', () => {
  it('uses Basic client credentials, the apikey and a form body, then sends a Bearer token', async () => {
    proxy.recorded.length = 0;
    const client = clientFor(viaProxy(), {}, 'oauth2');
    const page = await client.listUsers({ limit: 2 });
    expect(page.items.length).toBe(2);
    await client.close();
    const [tokenCall, data] = proxy.recorded;
    expect(tokenCall?.path).toBe(OAUTH);
    expect(tokenCall?.headers.apikey).toBe(handle.credentials.apiKey);
    const basic = Buffer.from(`${handle.credentials.clientId}:${handle.credentials.clientSecret}`).toString('base64');
    expect(tokenCall?.headers.authorization).toBe(`Basic ${basic}`);
    expect(Object.fromEntries(new URLSearchParams(tokenCall?.body))).toEqual({
      grant_type: 'password',
      username: handle.credentials.username,
      password: handle.credentials.password,
      client_id: handle.credentials.clientId,
      scope: 'read',
    });
    expect(data?.headers.authorization).toMatch(/^Bearer \S+$/);
    expect(data?.headers.apikey).toBe(handle.credentials.apiKey);
    expect(data?.headers.cookie).toBeUndefined();
  });

  it('falls back to the password grant when the refresh token is refused after a 401', async () => {
    const client = clientFor(handle, {}, 'oauth2');
    await client.listUsers({ limit: 1 });
    handle.expireTokens();
    handle.clearRequests();
    await client.listUsers({ limit: 1 });
    expect(handle.requests.map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([
      'GET /v1/admin/users 401',
      `POST ${OAUTH} 401`,
      `POST ${OAUTH} 200`,
      'GET /v1/admin/users 200',
    ]);
    await client.close();
  });

  it('renews with the refresh_token grant before the access token expires', async () => {
    const shortLived = await startTestSandbox({ users: 5, tokenTtlSeconds: 1 });
    const shortProxy = await startRecordingProxy(shortLived.url);
    const clock = new ManualClock();
    const client = clientFor({ ...shortLived, url: shortProxy.url }, { clock }, 'oauth2');
    await client.listUsers({ limit: 1 });
    // A tenth of the one-second lifetime before it ends, by the client's clock: the token is renewed, not reused.
    clock.advance(900);
    await client.listUsers({ limit: 1 });
    await client.close();
    await shortProxy.close();
    await shortLived.close();
    const tokenCalls = shortProxy.recorded.filter((r) => r.path === OAUTH);
    expect(tokenCalls.map((r) => new URLSearchParams(r.body).get('grant_type'))).toEqual(['password', 'refresh_token']);
    expect(shortProxy.recorded.map((r) => r.path)).toEqual([OAUTH, '/v1/admin/users', OAUTH, '/v1/admin/users']);
  });
});

describe('ASID token lifetime', () => {
  it('renews the token five minutes before the assumed hour is up, with one request', async () => {
    const stats = { requests: 0, retries: 0, rateLimited: 0, tokenRefreshes: 0 };
    const redactor = new Redactor();
    const http = new HttpClient({
      baseUrl: handle.url,
      retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 },
      connectMs: 1000,
      requestMs: 5000,
      connections: 1,
      limiter: undefined,
      logger: captureLogs().logger,
      redactor,
      stats,
      clock: systemClock,
    });
    let now = 1_000_000;
    const auth = new SessionAuth(http, authFor(handle, 'asid'), handle.credentials.apiKey, redactor, stats, () => now);
    const first = await auth.credential();
    now += 3_299_000;
    expect((await auth.credential()).token).toBe(first.token);
    now += 1_000;
    const [a, b] = await Promise.all([auth.credential(), auth.credential()]);
    expect(a.token).not.toBe(first.token);
    expect(b.token).toBe(a.token);
    expect(a.headers).toEqual({ apikey: handle.credentials.apiKey, cookie: `VisierASIDToken=${a.token}` });
    expect(stats.tokenRefreshes).toBe(2);
    expect(stats.requests).toBe(2);
    await http.close();
  });
});
