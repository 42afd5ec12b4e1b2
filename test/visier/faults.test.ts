import { createServer } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { VisierApiError } from '../../src/providers/http/errors.js';
import type { VisierClient } from '../../src/providers/visier/client.js';
import type { SandboxHandle } from '../../src/sandbox/handle.js';
import { ManualClock } from '../support/manual-clock.js';
import { clientFor, startTestSandbox } from './harness.js';

// Waits are read from the client's clock, not measured in wall time: the shared client's clock records each
// wait and moves on at once, and a test that must act during a wait uses a clock that holds it.

const USERS = '/v1/admin/users';
let handle: SandboxHandle;
let client: VisierClient;
const clock = new ManualClock({ instant: true });

beforeAll(async () => {
  handle = await startTestSandbox({ users: 20 });
  client = clientFor(handle, { timeouts: { requestMs: 400 }, clock });
  await client.listUsers({ limit: 1 }); // obtain the session up front so logs below show data calls only
  handle.clearRequests();
});
afterEach(() => {
  handle.faults.clear();
  handle.clearRequests();
});
afterAll(async () => {
  await client.close();
  await handle.close();
});

function log(path = USERS) {
  return handle.requests
    .filter((r) => r.path === path)
    .map((r) => `${r.method} ${r.status}${r.fault ? ` ${r.fault}` : ''}`);
}

async function failure(promise: Promise<unknown>): Promise<VisierApiError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(VisierApiError);
  return error as VisierApiError;
}

describe('retries', () => {
  it('absorbs a burst of 429s with backoff, honouring Retry-After', async () => {
    const before = { ...client.stats };
    const waited = clock.waits.length;
    handle.faults.set({ rules: [{ kind: '429', path: `^${USERS}$`, count: 2 }] });
    const page = await client.listUsers({ limit: 2 });
    expect(page.items.length).toBe(2);
    expect(log()).toEqual(['GET 429 429', 'GET 429 429', 'GET 200']);
    expect(client.stats.rateLimited - before.rateLimited).toBe(2);
    expect(client.stats.retries - before.retries).toBe(2);
    // Retry-After: 1 is a floor above the backoff (at most 2 and 4 ms here): each retry waits exactly a second.
    expect(clock.waits.slice(waited)).toEqual([1000, 1000]);
  });

  it('retries a POST after a 429, since Visier did not process it', async () => {
    const waited = clock.waits.length;
    handle.faults.set({ rules: [{ kind: '429', method: 'POST', path: `^${USERS}$`, count: 1 }] });
    const user = await client.createUser({ username: 'after.429@wff-demo.example', displayName: 'After 429' });
    expect(log()).toEqual(['POST 429 429', 'POST 201']);
    expect(clock.waits.slice(waited)).toEqual([1000]);
    expect(
      handle
        .snapshot()
        .users.filter((u) => u.username === 'after.429@wff-demo.example')
        .map((u) => u.userId),
    ).toEqual([user.userId]);
  });

  it('retries a GET on 503, 502 and 504 and on a dropped connection', async () => {
    handle.faults.set({
      rules: [
        { kind: '503', method: 'GET', path: `^${USERS}$`, count: 1 },
        { kind: '502', method: 'GET', path: `^${USERS}$`, count: 1 },
        { kind: 'drop', method: 'GET', path: `^${USERS}$`, count: 1 },
      ],
    });
    const page = await client.listUsers({ limit: 3 });
    expect(page.items.map((u) => u.userId)).toEqual(
      handle
        .snapshot()
        .users.slice(0, 3)
        .map((u) => u.userId),
    );
    expect(log().length).toBe(4);
    expect(log().at(-1)).toBe('GET 200');
    expect(
      handle.requests
        .map((r) => r.fault)
        .filter(Boolean)
        .sort(),
    ).toEqual(['502', '503', 'drop']);
  });

  it('a deletion whose answer was lost is done: the retry finds no such user, and that is success', async () => {
    const created = await client.createUser({ username: 'lost.delete@wff-demo.example' });
    const path = `${USERS}/${created.userId}`;
    handle.clearRequests();
    handle.faults.set({ rules: [{ kind: 'lost-response', method: 'DELETE', count: 1 }] });
    await client.deleteUser(created.userId);
    expect(log(path)).toEqual(['DELETE 0 lost-response', 'DELETE 404']);
    expect(handle.snapshot().users.some((u) => u.userId === created.userId)).toBe(false);
  });

  it('a 404 on a first attempt is still an error', async () => {
    const error = await failure(client.deleteUser('no-such-user'));
    expect(error.status).toBe(404);
    expect(error.afterUnknownOutcome).toBe(false);
  });

  it('gives up after maxAttempts with the last error', async () => {
    handle.faults.set({ rules: [{ kind: '504', method: 'GET', path: `^${USERS}$` }] });
    const error = await failure(client.listUsers({ limit: 1 }));
    expect(error.status).toBe(504);
    expect(error.kind).toBe('http');
    expect(error.retryable).toBe(true);
    expect(log()).toEqual(['GET 504 504', 'GET 504 504', 'GET 504 504', 'GET 504 504']);
  });
});

describe('a POST is never replayed once it may have reached Visier', () => {
  it('does not resend on 503', async () => {
    handle.faults.set({ rules: [{ kind: '503', method: 'POST', path: `^${USERS}$` }] });
    const error = await failure(client.createUser({ username: 'once.503@wff-demo.example' }));
    expect(error.status).toBe(503);
    expect(error.retryable).toBe(false);
    expect(log()).toEqual(['POST 503 503']);
  });

  it('does not resend after a timeout', async () => {
    const before = { ...client.stats };
    handle.faults.set({ rules: [{ kind: 'timeout', method: 'POST', path: `^${USERS}$` }] });
    const error = await failure(client.createUser({ username: 'once.timeout@wff-demo.example' }));
    expect(error.kind).toBe('timeout');
    expect(error.status).toBeUndefined();
    expect(error.message).toBe(`Visier POST ${USERS}: no complete response within 400 ms (timeout)`);
    // The client sends one exchange at a time and has given up: its own count is final, nothing is left to land.
    expect(client.stats.requests - before.requests).toBe(1);
    expect(client.stats.retries - before.retries).toBe(0);
    expect(log().map((l) => l.split(' ')[0])).toEqual(['POST']);
  });

  it('does not resend after a dropped connection', async () => {
    handle.faults.set({ rules: [{ kind: 'drop', method: 'POST', path: `^${USERS}$` }] });
    const error = await failure(client.createUser({ username: 'once.drop@wff-demo.example' }));
    expect(error.kind).toBe('network');
    expect(error.sent).toBe(true);
    expect(log().map((l) => l.split(' ')[0])).toEqual(['POST']);
  });

  it('does retry a POST whose connection was refused, since nothing was sent', async () => {
    const port = await closedPort();
    const offline = clientFor({ ...handle, url: `http://127.0.0.1:${port}` });
    const error = await failure(offline.createUser({ username: 'nobody@wff-demo.example' }));
    expect(error.kind).toBe('network');
    expect(error.sent).toBe(false);
    expect(error.message).toContain('ECONNREFUSED');
    expect(offline.stats.requests).toBe(4);
    expect(offline.stats.retries).toBe(3);
    await offline.close();
  });
});

describe('bad answers, timeouts and cancellation', () => {
  it('turns a malformed body into a clear malformed error', async () => {
    handle.faults.set({ rules: [{ kind: 'malformed', method: 'GET', path: `^${USERS}$`, count: 1 }] });
    const error = await failure(client.listUsers({ limit: 1 }));
    expect(error.kind).toBe('malformed');
    expect(error.retryable).toBe(false);
    expect(error.message).toMatch(
      /^Visier GET \/v1\/admin\/users: response body is not valid JSON \(\d+ bytes\) \(malformed\)$/,
    );
    expect(log()).toEqual(['GET 200 malformed']);
  });

  it('times out a GET that gets no answer, retrying as configured', async () => {
    const once = clientFor(handle, { timeouts: { requestMs: 200 }, retry: { maxAttempts: 1 } });
    handle.faults.set({ rules: [{ kind: 'timeout', method: 'GET', path: `^${USERS}$` }] });
    const error = await failure(once.listUsers({ limit: 1 }));
    expect(error.kind).toBe('timeout');
    expect(error.retryable).toBe(true);
    await once.close();
    handle.faults.set({ rules: [{ kind: 'timeout', method: 'GET', path: `^${USERS}$`, count: 1 }] });
    handle.clearRequests();
    const page = await client.listUsers({ limit: 1 });
    expect(page.items.length).toBe(1);
    expect(log()).toEqual(['GET 0 timeout', 'GET 200']);
  });

  it('cancels an in-flight call through AbortSignal and sends nothing more', async () => {
    handle.faults.set({ rules: [{ kind: 'timeout', method: 'GET', path: `^${USERS}$` }] });
    const before = { ...client.stats };
    const controller = new AbortController();
    const arrived = handle.nextRequest((r) => r.path === USERS);
    const pending = failure(client.listUsers({ limit: 1 }, { signal: controller.signal }));
    await arrived;
    controller.abort();
    const error = await pending;
    expect(error.kind).toBe('aborted');
    expect(error.retryable).toBe(false);
    expect(client.stats.requests - before.requests).toBe(1);
    expect(client.stats.retries - before.retries).toBe(0);
    expect(log().length).toBe(1);
  });

  it('sends nothing at all for an already-aborted signal', async () => {
    const error = await failure(client.listUsers({ limit: 1 }, { signal: AbortSignal.abort() }));
    expect(error.kind).toBe('aborted');
    expect(handle.requests).toEqual([]);
  });

  it('cancels during a backoff wait without another attempt', async () => {
    const held = new ManualClock();
    const waiting = clientFor(handle, { clock: held });
    await waiting.listUsers({ limit: 1 });
    handle.clearRequests();
    handle.faults.set({ rules: [{ kind: '429', method: 'GET', path: `^${USERS}$`, count: 1 }] });
    const controller = new AbortController();
    const retryWait = held.nextWait();
    const pending = failure(waiting.listUsers({ limit: 1 }, { signal: controller.signal }));
    expect(await retryWait).toBe(1000); // inside the one-second Retry-After wait
    controller.abort();
    // The wait ended with the abort, not later.
    expect(held.sleeping).toBe(0);
    const error = await pending;
    expect(error.kind).toBe('aborted');
    expect(waiting.stats.retries).toBe(1);
    expect(log()).toEqual(['GET 429 429']);
    await waiting.close();
  });
});

describe('client-side rate limit', () => {
  it('holds a call when Visier reports no calls remaining, instead of earning a 429', async () => {
    const limited = await startTestSandbox({ users: 5, rateLimit: { perMinute: 3, perHour: 100 } });
    const held = new ManualClock();
    const polite = clientFor(limited, { rateLimit: { perMinute: 100, perHour: 6000 }, clock: held });
    // The token call carries no apikey, so only data calls count against the key's 3 per minute.
    for (let i = 0; i < 3; i++) await polite.listUsers({ limit: 1 });
    const controller = new AbortController();
    const fourth = held.watch(() => polite.listUsers({ limit: 1 }, { signal: controller.signal }));
    // X-RateLimit-Remaining-Minute: 0 on the third answer holds the fourth call for the rest of the minute.
    expect(await fourth.outcome).toBe(60_000);
    const failed = failure(fourth.pending);
    controller.abort();
    const error = await failed;
    expect(error.kind).toBe('aborted');
    expect(limited.requests.map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([
      'POST /v1/admin/visierSecureToken 200',
      `GET ${USERS} 200`,
      `GET ${USERS} 200`,
      `GET ${USERS} 200`,
    ]);
    expect(polite.stats.rateLimited).toBe(0);
    await polite.close();
    await limited.close();
  });
});

function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
