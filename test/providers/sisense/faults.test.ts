// What the client does when the network or Sisense misbehaves: 429 with Retry-After, 5xx retried for safe
// calls only, lost answers, malformed and cut bodies, timeouts.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { SisenseClient } from '../../../src/providers/sisense/client.js';
import type { SisenseSandboxHandle } from '../../../src/sandbox/sisense/handle.js';
import { SISENSE_DEMO_USERS } from '../../../src/sandbox/sisense/index.js';
import { clientFor, failure, startTestSandbox, wire } from './harness.js';

const USERS = '/api/v1/users';
const ADMIN = SISENSE_DEMO_USERS.admin.email;
let handle: SisenseSandboxHandle;
let client: SisenseClient;

beforeAll(async () => {
  handle = await startTestSandbox({ users: 10 });
  client = clientFor(handle, handle.sites.primary, { timeouts: { requestMs: 400 } });
});
afterEach(() => {
  handle.faults.clear();
  handle.clearRequests();
});
afterAll(async () => {
  await client.close();
  await handle.close();
});

const newUser = (email: string) => ({ firstName: 'F', lastName: 'L', email, invitedByEmail: ADMIN });
const stored = (email: string) => handle.snapshot().users.filter((u) => u.email === email).length;

describe('rate limiting', () => {
  it('waits out a 429 for at least its Retry-After and counts it', async () => {
    const before = { ...client.stats };
    handle.faults.set({ rules: [{ kind: '429', path: `^${USERS}$`, count: 1 }] });
    await client.listUsers();
    expect(wire(handle, USERS)).toEqual(['GET 429 429', 'GET 200']);
    expect(client.stats.rateLimited - before.rateLimited).toBe(1);
    const [first, second] = handle.requests;
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(990);
  });

  it('sends a POST again after a 429, which Sisense did not process, and creates once', async () => {
    handle.faults.set({ rules: [{ kind: '429', method: 'POST', count: 1 }] });
    await client.createUser(newUser('after.429@wff-demo.example'));
    expect(wire(handle, USERS)).toEqual(['POST 429 429', 'POST 201']);
    expect(stored('after.429@wff-demo.example')).toBe(1);
  });

  it('gives up after the configured attempts with a rate-limited error', async () => {
    const quick = clientFor(handle, handle.sites.primary, { retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 1 } });
    handle.faults.set({ rules: [{ kind: '429', count: 5 }] });
    const error = await failure(quick.getUser(ADMIN));
    expect(error).toMatchObject({ kind: 'rate-limited', status: 429, code: 'rate_limited' });
    expect(quick.stats.requests).toBe(2);
    await quick.close();
  });
});

describe('server errors and lost answers', () => {
  it('retries safe calls (GET, PUT, DELETE) on 502/503/504 and a dropped connection', async () => {
    handle.faults.set({
      rules: [
        { kind: '503', method: 'GET', count: 1 },
        { kind: 'drop', method: 'GET', count: 1 },
        { kind: '502', method: 'PUT', count: 1 },
      ],
    });
    await client.getUser(ADMIN);
    await client.updateUser(SISENSE_DEMO_USERS.dana.email, { firstName: 'Dana' });
    expect(wire(handle, USERS)).toEqual(['GET 503 503', 'GET 0 drop', 'GET 200', 'PUT 502 502', 'PUT 200']);
  });

  it('never replays a POST after a 503: one request, a typed error, nothing created', async () => {
    handle.faults.set({ rules: [{ kind: '503', method: 'POST', count: 1 }] });
    const error = await failure(client.createUser(newUser('no.replay@wff-demo.example')));
    expect(error).toMatchObject({ status: 503, retryable: false, code: 'unavailable' });
    expect(wire(handle, USERS)).toEqual(['POST 503 503']);
    expect(stored('no.replay@wff-demo.example')).toBe(0);
  });

  it('a POST whose answer is lost is not sent again: the error says the outcome is unknown', async () => {
    handle.faults.set({ rules: [{ kind: 'lost-response', method: 'POST', count: 1 }] });
    const error = await failure(client.createUser(newUser('lost.post@wff-demo.example')));
    expect(error).toMatchObject({ kind: 'network', sent: true });
    expect(wire(handle, USERS)).toEqual(['POST 0 lost-response']);
    expect(stored('lost.post@wff-demo.example')).toBe(1);
  });

  it('a DELETE whose answer is lost is sent again; its 404 then means done', async () => {
    await client.createUser(newUser('lost.delete@wff-demo.example'));
    handle.clearRequests();
    handle.faults.set({ rules: [{ kind: 'lost-response', method: 'DELETE', count: 1 }] });
    const result = await client.deleteUser('lost.delete@wff-demo.example');
    expect(result).toEqual({ dryRun: false, value: undefined });
    expect(wire(handle, USERS)).toEqual(['DELETE 0 lost-response', 'DELETE 404']);
    expect(stored('lost.delete@wff-demo.example')).toBe(0);
  });

  it('a cut body is a malformed error, not a crash or a retry', async () => {
    handle.faults.set({ rules: [{ kind: 'malformed', method: 'GET', count: 1 }] });
    const error = await failure(client.listUsers());
    expect(error).toMatchObject({ kind: 'malformed', retryable: false });
    expect(error.message).toContain('not valid JSON');
  });

  it('a silent server times out, and the GET is tried again', async () => {
    handle.faults.set({ rules: [{ kind: 'timeout', method: 'GET', count: 1 }] });
    await client.getUser(ADMIN);
    expect(wire(handle, USERS)).toEqual(['GET 0 timeout', 'GET 200']);
  });
});

describe('replies the reference cannot vouch for', () => {
  it('a next_page_start that comes back again fails as malformed instead of looping', async () => {
    let served = 0;
    const server = createServer((_req, res) => {
      served++;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ users: [{ email: `u${served}@x.example` }], next_page_start: 'same' }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const looping = clientFor(handle, handle.sites.primary, { host: `http://127.0.0.1:${port}` });
    const error = await failure(looping.listUsers());
    expect(error).toMatchObject({ kind: 'malformed' });
    expect(error.message).toContain("next_page_start 'same' repeats");
    expect(served).toBe(2);
    await looping.close();
    await new Promise((resolve) => server.close(resolve));
  });
});
