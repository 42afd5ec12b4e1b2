import { Agent, fetch as undiciFetch } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_USERS, parseFaultSpec, startSandbox } from '../../src/sandbox/index.js';
import { Session, sandboxSuite } from './session.js';

const env = sandboxSuite({ users: 20, seed: 7 });
afterEach(() => env.sandbox.faults.clear());

const createBody = (username: string) => ({ username });

describe('parseFaultSpec', () => {
  it('reads latency, rules with options and the bulk pattern', () => {
    expect(
      parseFaultSpec('latency=5,429:count=3,503:rate=0.05:path=^/v1/admin/users,drop:method=post,bulk-fail=^fail'),
    ).toEqual({
      latencyMs: 5,
      bulkItemFailurePattern: '^fail',
      rules: [
        { kind: '429', count: 3 },
        { kind: '503', rate: 0.05, path: '^/v1/admin/users' },
        { kind: 'drop', method: 'POST' },
      ],
    });
    expect(parseFaultSpec('timeout:path=^/v1/admin/users/[^:]+:x$').rules).toEqual([
      { kind: 'timeout', path: '^/v1/admin/users/[^:]+:x$' },
    ]);
  });

  it('rejects unknown kinds, bad numbers and bad regexes with a message', () => {
    expect(() => parseFaultSpec('418')).toThrow("Unknown fault kind '418'");
    expect(() => parseFaultSpec('500:rate=2')).toThrow('Fault rate must be between 0 and 1');
    expect(() => parseFaultSpec('500:count=-1')).toThrow('Fault count must be a non-negative integer');
    expect(() => parseFaultSpec('500:path=(')).toThrow('Fault path is not a valid regular expression');
    expect(() => parseFaultSpec('500:colour=red')).toThrow("Unknown fault option 'colour=red'");
  });
});

describe('status faults', () => {
  it.each([
    ['429', 429, 'TooManyRequests'],
    ['500', 500, 'Internal'],
    ['502', 502, 'BadGateway'],
    ['503', 503, 'Unavailable'],
    ['504', 504, 'GatewayTimeout'],
  ] as const)('%s answers %i with a Status body, then retires after count', async (kind, status, code) => {
    env.sandbox.faults.set({ rules: [{ kind, count: 1, path: '^/v1/admin/permissions$' }] });
    const faulted = await env.session.get('/v1/admin/permissions');
    expect(faulted.status).toBe(status);
    expect(faulted.json).toMatchObject({ code, userError: false, rci: expect.any(String) });
    if (kind === '429') expect(faulted.headers.get('retry-after')).toBe('1');
    expect((await env.session.get('/v1/admin/permissions')).status).toBe(200);
    expect(env.sandbox.requests.at(-2)).toMatchObject({ status, fault: kind });
  });

  it('a faulted write changes nothing', async () => {
    env.sandbox.faults.set('503:method=POST:path=^/v1/admin/users$');
    const before = env.sandbox.snapshot();
    const call = await env.session.call('POST', '/v1/admin/users', { body: createBody('never@wff-demo.example') });
    expect(call.status).toBe(503);
    expect(env.sandbox.snapshot()).toEqual(before);
  });

  it('rules match by method: a GET passes a POST-only rule', async () => {
    env.sandbox.faults.set({ rules: [{ kind: '500', method: 'POST' }] });
    expect((await env.session.get('/v1/admin/permissions')).status).toBe(200);
  });

  it('rate rules are seeded: the same seed gives the same fault sequence', async () => {
    const sequence = async () => {
      const run = await startSandbox({
        users: 5,
        rateLimit: false,
        seed: 42,
        faults: '500:rate=0.5:path=^/v1/admin/permissions$',
      });
      try {
        const s = await Session.login(run);
        const statuses: number[] = [];
        for (let i = 0; i < 16; i++) statuses.push((await s.get('/v1/admin/permissions')).status);
        return statuses;
      } finally {
        await run.close();
      }
    };
    const first = await sequence();
    expect(await sequence()).toEqual(first);
    expect(first).toContain(500);
    expect(first).toContain(200);
  });

  it('current() shows the remaining count of a counted rule', async () => {
    env.sandbox.faults.set('502:count=2:path=^/v1/admin/permissions$,latency=1');
    await env.session.get('/v1/admin/permissions');
    expect(env.sandbox.faults.current()).toEqual({
      latencyMs: 1,
      rules: [{ kind: '502', count: 1, path: '^/v1/admin/permissions$' }],
    });
  });
});

describe('skip', () => {
  it('lets the first N matching requests through, then applies; current() shows what is left to skip', async () => {
    env.sandbox.faults.set('500:skip=2:count=1:path=^/v1/admin/permissions$');
    expect(env.sandbox.faults.current().rules).toEqual([
      { kind: '500', skip: 2, count: 1, path: '^/v1/admin/permissions$' },
    ]);
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      statuses.push((await env.session.call('GET', '/v1/admin/permissions')).status);
    }
    expect(statuses).toEqual([200, 200, 500, 200]);
  });

  it('refuses a negative skip', () => {
    expect(() => parseFaultSpec('500:skip=-1')).toThrow('Fault skip must be a non-negative integer');
  });
});

describe('connection faults', () => {
  it('drop destroys the socket without a response', async () => {
    env.sandbox.faults.set({ rules: [{ kind: 'drop', count: 1 }] });
    await expect(env.session.get('/v1/admin/permissions')).rejects.toThrow('fetch failed');
    expect(env.sandbox.requests.at(-1)).toMatchObject({ status: 0, fault: 'drop' });
  });

  it('lost-response carries the request out, then cuts the connection before the answer', async () => {
    const before = env.sandbox.snapshot().users.length;
    env.sandbox.faults.set({ rules: [{ kind: 'lost-response', method: 'POST', count: 1 }] });
    await expect(
      env.session.call('POST', '/v1/admin/users', {
        body: { username: 'lost.answer@wff-demo.example', accountEnabled: 'true' },
      }),
    ).rejects.toThrow('fetch failed');
    expect(env.sandbox.requests.at(-1)).toMatchObject({ status: 0, fault: 'lost-response' });
    const users = env.sandbox.snapshot().users;
    expect(users).toHaveLength(before + 1);
    expect(users.some((u) => u.username === 'lost.answer@wff-demo.example')).toBe(true);
  });

  it('malformed answers 200 with truncated JSON', async () => {
    env.sandbox.faults.set({ rules: [{ kind: 'malformed', count: 1 }] });
    const res = await fetch(`${env.sandbox.url}/v1/admin/users`, {
      headers: { apikey: env.sandbox.credentials.apiKey, authorization: 'Bearer x' },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    await expect(res.json()).rejects.toThrow(SyntaxError);
  });

  it('timeout never answers until the client gives up, and close() still ends promptly', async () => {
    const held = await startSandbox({ users: 5, rateLimit: false, faults: 'timeout' });
    const dispatcher = new Agent({ headersTimeout: 300 });
    const pending = undiciFetch(`${held.url}/v1/admin/permissions`, { dispatcher }).then(
      () => 'answered',
      (error: Error) => (error.cause as { code?: string } | undefined)?.code ?? error.message,
    );
    expect(await pending).toBe('UND_ERR_HEADERS_TIMEOUT');
    const arrived = held.nextRequest();
    const second = fetch(`${held.url}/v1/admin/permissions`).then(
      () => 'answered',
      () => 'closed by server',
    );
    // Close only once the sandbox holds the second request, unanswered.
    expect(await arrived).toMatchObject({ path: '/v1/admin/permissions', status: 0 });
    await held.close();
    expect(await second).toBe('closed by server');
    expect(held.requests.map((r) => r.fault)).toEqual(['timeout', 'timeout']);
    await dispatcher.close();
  });

  it('latency delays the answer but changes nothing else', async () => {
    env.sandbox.faults.set({ latencyMs: 20 });
    const call = await env.session.get(`/v1/admin/users/${DEMO_USERS.dana.userId}`);
    expect(call.status).toBe(200);
    expect(env.sandbox.faults.current()).toEqual({ latencyMs: 20 });
  });
});

describe('per-item bulk failures', () => {
  it('items matching bulkItemFailurePattern fail with message and rci; the others succeed', async () => {
    env.sandbox.faults.set({ bulkItemFailurePattern: '^fail' });
    const call = await env.session.call('POST', '/v2/admin/users', {
      body: {
        users: [
          createBody('ok1@wff-demo.example'),
          createBody('fail.me@wff-demo.example'),
          createBody('ok2@wff-demo.example'),
        ],
      },
    });
    const body = call.json as {
      successes: { username: string }[];
      failures: { userName: string; error: { message: string } }[];
    };
    expect(body.successes.map((s) => s.username)).toEqual(['ok1@wff-demo.example', 'ok2@wff-demo.example']);
    expect(body.failures).toEqual([
      {
        userName: 'fail.me@wff-demo.example',
        error: {
          message: 'An internal error occurred while processing this user. Try again later.',
          rci: expect.any(String),
        },
      },
    ]);
    const usernames = env.sandbox.snapshot().users.map((u) => u.username);
    expect(usernames).toContain('ok2@wff-demo.example');
    expect(usernames).not.toContain('fail.me@wff-demo.example');
  });

  it('for update and delete the pattern matches the userId', async () => {
    env.sandbox.faults.set({ bulkItemFailurePattern: `^${DEMO_USERS.dana.userId}$` });
    const call = await env.session.call('DELETE', '/v2/admin/users', { body: { userIds: [DEMO_USERS.dana.userId] } });
    expect((call.json as { failures: unknown[] }).failures).toHaveLength(1);
    expect((await env.session.get(`/v1/admin/users/${DEMO_USERS.dana.userId}`)).status).toBe(200);
  });
});
