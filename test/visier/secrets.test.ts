// No API key, password, client secret, token or cookie value may appear in any log line or error.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientLogger } from '../../src/providers/http/redact.js';
import { VisierClient } from '../../src/providers/visier/client.js';
import type { SandboxHandle } from '../../src/sandbox/handle.js';
import { authFor, captureLogs, startTestSandbox } from './harness.js';
import { type RecordingProxy, startRecordingProxy } from './recording-proxy.js';

let handle: SandboxHandle;
let proxy: RecordingProxy;

beforeAll(async () => {
  handle = await startTestSandbox({ users: 10 });
  proxy = await startRecordingProxy(handle.url);
});
afterAll(async () => {
  await proxy.close();
  await handle.close();
});

/** Every secret that crossed the wire in the recorded traffic, plus the configured ones. */
function secretsSeen(extra: string[]): string[] {
  const values = new Set(extra);
  for (const r of proxy.recorded) {
    const cookie = String(r.headers.cookie ?? '');
    const match = /VisierASIDToken=([^;]+)/.exec(cookie);
    if (match?.[1]) values.add(match[1]);
    const auth = String(r.headers.authorization ?? '');
    if (auth) values.add(auth.replace(/^(Bearer|Basic) /, ''));
    if (r.path === '/v1/admin/visierSecureToken' && r.responseBody) values.add(r.responseBody.trim());
    if (r.path === '/v1/auth/oauth2/token' && r.responseBody.startsWith('{')) {
      const body = JSON.parse(r.responseBody) as Record<string, string>;
      for (const key of ['access_token', 'refresh_token', 'id_token']) if (body[key]) values.add(body[key]);
    }
  }
  return [...values].filter((v) => v.length >= 6);
}

async function caught(promise: Promise<unknown>): Promise<Error> {
  const outcome = await promise.then(
    () => new Error('expected the call to fail'),
    (e: unknown) => e,
  );
  expect(outcome).toBeInstanceOf(Error);
  expect((outcome as Error).message).not.toBe('expected the call to fail');
  return outcome as Error;
}

function leaks(haystack: string, secrets: string[]): string[] {
  return secrets.filter((s) => haystack.includes(s) || haystack.includes(encodeURIComponent(s)));
}

describe('secrets stay out of logs and errors', () => {
  it('on an authentication failure', async () => {
    const { logger, lines } = captureLogs();
    proxy.recorded.length = 0;
    const wrongPassword = 'Wr0ng-Pa55word!';
    const client = new VisierClient({
      host: proxy.url,
      apiKey: handle.credentials.apiKey,
      auth: {
        kind: 'oauth2',
        clientId: handle.credentials.clientId,
        clientSecret: handle.credentials.clientSecret,
        username: handle.credentials.username,
        password: wrongPassword,
      },
      rateLimit: false,
      retry: { baseDelayMs: 1, maxDelayMs: 5 },
      logger,
    });
    const error = await caught(client.listUsers({ limit: 1 }));
    await client.close();
    expect(error).toBeInstanceOf(Error);
    expect((error as { status?: number }).status).toBe(401);
    const secrets = secretsSeen([handle.credentials.apiKey, wrongPassword, handle.credentials.clientSecret]);
    expect(secrets.length).toBeGreaterThanOrEqual(4);
    const everything = [...lines, error.message, JSON.stringify(error), String(error.stack)].join('\n');
    expect(leaks(everything, secrets)).toEqual([]);
    expect(lines.some((l) => l.includes('"path":"/v1/auth/oauth2/token"') && l.includes('"status":401'))).toBe(true);
  });

  it.each(['asid', 'oauth2'] as const)(
    'through a %s session with re-authentication, retries and failures',
    async (kind) => {
      const { logger, lines } = captureLogs();
      proxy.recorded.length = 0;
      const client = new VisierClient({
        host: proxy.url,
        apiKey: handle.credentials.apiKey,
        auth: authFor(handle, kind),
        rateLimit: false,
        retry: { baseDelayMs: 1, maxDelayMs: 5 },
        logger,
      });
      await client.listUsers({ limit: 2 });
      handle.expireTokens();
      handle.faults.set({ rules: [{ kind: '503', method: 'GET', path: '^/v1/admin/users$', count: 1 }] });
      await client.listUsers({ limit: 2 });
      handle.faults.set({ rules: [{ kind: 'drop', method: 'POST', path: '^/v1/admin/users$', count: 1 }] });
      const dropped = await caught(client.createUser({ username: 'secret.test@wff-demo.example' }));
      const missing = await caught(client.getUser('missing-user'));
      handle.faults.clear();
      await client.close();

      const secrets = secretsSeen([
        handle.credentials.apiKey,
        handle.credentials.password,
        handle.credentials.clientSecret,
      ]);
      // apikey, password, client secret, and at least two session tokens (before and after expiry).
      expect(secrets.length).toBeGreaterThanOrEqual(5);
      const everything = [
        ...lines,
        dropped.message,
        JSON.stringify(dropped),
        missing.message,
        JSON.stringify(missing),
      ].join('\n');
      expect(leaks(everything, secrets)).toEqual([]);
      const requestLines = lines
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .filter((l) => l.msg === 'visier request');
      expect(requestLines.map((l) => [l.method, l.path, l.status, l.attempt])).toEqual(
        expect.arrayContaining([
          ['GET', '/v1/admin/users', 503, 1],
          ['GET', '/v1/admin/users', 401, 2],
          ['GET', '/v1/admin/users', 200, 2],
          ['GET', '/v1/admin/users/missing-user', 404, 1],
        ]),
      );
      expect(requestLines.every((l) => typeof l.durationMs === 'number' && l.level === 20)).toBe(true);
      expect(requestLines.find((l) => l.status === 404)?.rci).toMatch(/\S/);
    },
  );

  it("the client's logger censors credential fields by name, whatever a log call passes", () => {
    const { logger, lines } = captureLogs();
    clientLogger(logger).debug(
      {
        headers: { apikey: 'k-123456', cookie: 'VisierASIDToken=t-123456', authorization: 'Bearer b-123456' },
        form: { username: 'u', password: 'p-123456' },
        token: 't-654321',
        path: '/v1/admin/users',
      },
      'probe',
    );
    const line = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(line).toMatchObject({
      component: 'visier',
      headers: { apikey: '[REDACTED]', cookie: '[REDACTED]', authorization: '[REDACTED]' },
      form: '[REDACTED]',
      token: '[REDACTED]',
      path: '/v1/admin/users',
    });
    expect(leaks(lines.join(''), ['k-123456', 't-123456', 'b-123456', 'p-123456', 't-654321'])).toEqual([]);
  });
});
