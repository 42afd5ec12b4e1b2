// Faults injected into the sandbox: 429 with Retry-After (and the OData limit's own 429), 5xx retried for reads
// only, an answer lost after the write was done, a malformed reply, a timeout.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { SalescookieClient } from '../../../src/providers/salescookie/index.js';
import { DEMO_TEAMS, DEMO_USERS, type SalescookieSandbox } from '../../../src/sandbox/salescookie/index.js';
import { clientFor, rejection, requestsOf, startTestSandbox } from './harness.js';

let sandbox: SalescookieSandbox;
let client: SalescookieClient;

beforeAll(async () => {
  sandbox = await startTestSandbox();
  // Retry-After of 1 s is a floor, so the retries here wait about a second each.
  client = clientFor(sandbox);
});
afterAll(async () => {
  await client.close();
  await sandbox.close();
});
beforeEach(() => {
  sandbox.faults.clear();
  sandbox.clearRequests();
});

describe('rate limiting', () => {
  it('retries a 429 after Retry-After, for a read and for a write alike', async () => {
    sandbox.faults.set('429:count=1:path=/SystemUser$');
    const started = Date.now();
    const read = await requestsOf(client, () => client.findUserByEmail(DEMO_USERS.dana.emailAddress));
    expect(read.value?.systemUserId).toBe(DEMO_USERS.dana.id);
    expect(read.requests).toBe(4);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);

    sandbox.faults.set('429:count=1:path=/SetUser$');
    const rateLimited = client.stats.rateLimited;
    const write = await requestsOf(client, () =>
      client.upsertUser({ email: DEMO_USERS.dana.emailAddress, role: 'LimitedAdmin', tags: ['Retried'] }),
    );
    expect(write.requests).toBe(5);
    expect(client.stats.rateLimited - rateLimited).toBe(1);
    expect(sandbox.state().users.find((u) => u.id === DEMO_USERS.dana.id)!.tags).toContain('Retried');
  });

  it('meets the OData allowance’s own 429 and gives up after the configured attempts, saying so', async () => {
    const limited = await startTestSandbox({ odataRateLimit: { perMinute: 1, perHour: 100 } });
    const c = clientFor(limited, { retry: { maxAttempts: 1 } });
    await c.listTeams();
    const err = await rejection(c.listTeams());
    expect(err).toMatchObject({ provider: 'salescookie', kind: 'rate-limited', status: 429 });
    expect(err.message).toContain('Too many requests (HTTP 429, code TooManyRequests');
    await c.close();
    await limited.close();
  });
});

describe('server errors', () => {
  it('retries a 503 on an OData read', async () => {
    sandbox.faults.set('503:count=2:path=/Team$');
    const { value, requests } = await requestsOf(client, () => client.listTeams());
    expect(value.items).toHaveLength(4);
    expect(requests).toBe(3);
  });

  it('does not resend a SetUser that met a 503: one request, the error says what Sales Cookie said', async () => {
    sandbox.faults.set('503:count=1:path=/SetUser$');
    const before = sandbox.state();
    const err = await rejection(client.upsertUser({ email: 'five.oh.three@wff-demo.example', role: 'Participant' }));
    expect(err).toMatchObject({ kind: 'http', status: 503, code: 'ServerError', retryable: false });
    expect(sandbox.requests.filter((r) => r.path.endsWith('/SetUser'))).toHaveLength(1);
    expect(sandbox.state()).toEqual(before);
  });

  it('answers a malformed reply with the field and the rule, never retried', async () => {
    sandbox.faults.set('malformed:count=1:path=/Team$');
    const err = await rejection(client.listTeams());
    expect(err).toMatchObject({ kind: 'malformed' });
    expect(sandbox.requests).toHaveLength(1);
  });

  it('gives a timeout a kind of its own, and does not resend the write', async () => {
    sandbox.faults.set('timeout:count=1:path=/SetUser$');
    // Long enough for the plan's reads on a loaded machine; the held SetUser is what runs out.
    const quick = clientFor(sandbox, { timeouts: { requestMs: 2000 } });
    const err = await rejection(quick.upsertUser({ email: 'slow@wff-demo.example', role: 'Participant' }));
    expect(err).toMatchObject({ kind: 'timeout', retryable: false });
    expect(sandbox.requests.filter((r) => r.path.endsWith('/SetUser'))).toHaveLength(1);
    await quick.close();
  });
});

describe('a lost answer', () => {
  it('confirms a SetUser whose answer was lost by reading the user back', async () => {
    sandbox.faults.set('lost-response:count=1:path=/SetUser$');
    const { value, requests } = await requestsOf(client, () =>
      client.upsertUser({ email: 'lost.answer@wff-demo.example', role: 'Participant', tags: ['AE'] }),
    );
    expect(value.confirmedByReadBack).toBe(true);
    expect(value.user.email).toBe('lost.answer@wff-demo.example');
    // The plan's read, the one SetUser (not resent), then the read-back of SystemUser, role and aliases.
    expect(requests).toBe(1 + 1 + 3);
    expect(sandbox.requests.filter((r) => r.path.endsWith('/SetUser'))).toHaveLength(1);
  });

  it('confirms a CreateTeamMember whose answer was lost by reading the team back', async () => {
    sandbox.faults.set('lost-response:count=1:path=/CreateTeamMember$');
    const result = await client.addTeamMembers(DEMO_TEAMS.managers.id, [DEMO_USERS.admin.id]);
    expect(result.items[0]).toMatchObject({
      status: 'succeeded',
      message: 'answer lost; confirmed by reading the team back',
    });
    expect(result.requests).toBe(4);
  });

  it('reports the write as failed when the read-back does not show it', async () => {
    sandbox.faults.set('drop:count=1:path=/SetUser$');
    const err = await rejection(client.upsertUser({ email: 'dropped@wff-demo.example', role: 'Participant' }));
    expect(err).toMatchObject({ kind: 'network', sent: true });
    expect(sandbox.state().users.some((u) => u.emailAddress === 'dropped@wff-demo.example')).toBe(false);
  });
});
