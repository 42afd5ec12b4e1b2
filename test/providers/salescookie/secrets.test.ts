// The API key travels in the X-ApiKey header and inside every OData URL; it must never reach a log line, an
// error or a result. Also: a refused key is answered at once, with Sales Cookie's words and the request id.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SalescookieClient } from '../../../src/providers/salescookie/index.js';
import { DEMO_USERS, type SalescookieSandbox } from '../../../src/sandbox/salescookie/index.js';
import { captureLogs, clientFor, rejection, requestsOf, startTestSandbox } from './harness.js';

let sandbox: SalescookieSandbox;

beforeAll(async () => {
  sandbox = await startTestSandbox({ users: 5 });
});
afterAll(async () => {
  await sandbox.close();
});

function expectNoKey(text: string, key: string): void {
  expect(text).not.toContain(key);
  expect(text).not.toContain(encodeURIComponent(key));
}

describe('the API key stays secret', () => {
  it('in debug logs, results and errors of ordinary calls, though OData replies carry it in @odata.context', async () => {
    const { logger, lines } = captureLogs();
    const client = clientFor(sandbox, { logger });
    sandbox.faults.set('503:count=1:path=/Team$');
    const results = [
      await client.listUsers({ limit: 5 }),
      await client.listTeams(),
      await client.upsertUser({ email: 'secret.check@wff-demo.example', role: 'Participant' }),
    ];
    const err = await rejection(client.getUser('00000000-0000-4000-8000-000000000000'));
    await client.close();
    expect(lines.length).toBeGreaterThan(5);
    expect(lines.some((line) => line.includes('/SystemUser'))).toBe(true);
    expectNoKey(lines.join('\n'), sandbox.apiKey);
    expectNoKey(JSON.stringify(results), sandbox.apiKey);
    expectNoKey(`${err.message} ${JSON.stringify(err)}`, sandbox.apiKey);
  });

  it('in the error and logs of a refused key, answered after one request, with the message and request id', async () => {
    const { logger, lines } = captureLogs();
    const wrongKey = 'WrongKey0123456789abcdefghijklmn';
    const client = clientFor(sandbox, { apiKey: wrongKey, logger });
    sandbox.clearRequests();
    const { requests } = await requestsOf(client, async () => {
      const err = await rejection(client.findUserByEmail(DEMO_USERS.dana.emailAddress));
      expect(err).toMatchObject({
        provider: 'salescookie',
        kind: 'http',
        status: 401,
        code: 'Unauthorized',
        upstreamMessage: 'Invalid API key',
        requestId: sandbox.requests[0]!.requestId,
        retryable: false,
      });
      expectNoKey(`${err.message} ${JSON.stringify(err)}`, wrongKey);
    });
    expect(requests).toBe(1);
    expectNoKey(lines.join('\n'), wrongKey);
    await client.close();
  });

  it('in the error of a connection that fails', async () => {
    const { logger, lines } = captureLogs();
    const closed = await startTestSandbox({ users: 0 });
    await closed.close();
    const client = new SalescookieClient({
      baseUrl: closed.url,
      apiKey: sandbox.apiKey,
      retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 2 },
      logger,
    });
    const err = await rejection(client.listTeams());
    expect(err).toMatchObject({ kind: 'network', sent: false });
    expectNoKey(`${err.message} ${JSON.stringify(err)} ${lines.join('\n')}`, sandbox.apiKey);
    await client.close();
  });
});
