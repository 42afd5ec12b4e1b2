// The bulk helpers: upsert many and deactivate a list of e-mails, each item accounted for exactly once as
// succeeded, failed with the reason, or not attempted.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SalescookieClient } from '../../../src/providers/salescookie/index.js';
import { DEMO_USERS, type SalescookieSandbox } from '../../../src/sandbox/salescookie/index.js';
import { clientFor, startTestSandbox } from './harness.js';

let sandbox: SalescookieSandbox;
let client: SalescookieClient;

beforeAll(async () => {
  sandbox = await startTestSandbox();
  client = clientFor(sandbox);
});
afterAll(async () => {
  await client.close();
  await sandbox.close();
});

describe('bulk upsert', () => {
  it('accounts for each item: created, updated, failed by Sales Cookie, refused, duplicate', async () => {
    sandbox.faults.set('bulk-fail=^fail');
    const before = client.stats.requests;
    const progress: number[] = [];
    const result = await client.bulkUpsertUsers(
      [
        { email: 'bulk.one@wff-demo.example', role: 'Participant', tags: ['AE'] },
        { email: DEMO_USERS.dana.emailAddress, role: 'LimitedAdmin', tags: ['EMEA'] },
        { email: 'fail.me@wff-demo.example', role: 'Participant' },
        { email: 'bulk.two@wff-demo.example', role: 'Participant', tags: ['A|B'] },
        { email: 'BULK.ONE@wff-demo.example', role: 'LimitedAdmin' },
      ],
      { onProgress: (done) => progress.push(done) },
    );
    sandbox.faults.clear();
    expect(result.items.map((i) => [i.index, i.status])).toEqual([
      [0, 'succeeded'],
      [1, 'succeeded'],
      [2, 'failed'],
      [3, 'failed'],
      [4, 'failed'],
    ]);
    expect(result.items.map((i) => i.message)).toEqual([
      'created',
      'updated',
      expect.stringContaining('An error has occurred. (HTTP 500, code Internal, request id '),
      "tags[0] must not contain '|', Sales Cookie's separator",
      'duplicate of item 0; not sent',
    ]);
    const failedId = result.items[2]!.rci!;
    expect(sandbox.requests.some((r) => r.requestId === failedId && r.status === 500)).toBe(true);
    expect(result).toMatchObject({ succeeded: 2, failed: 3, notAttempted: 0 });
    // create 1+1+1, update 3+1, failed create 1+1 (a POST's 500 is not retried), refused 0.
    expect(result.requests).toBe(9);
    expect(client.stats.requests - before).toBe(9);
    expect(progress).toEqual([1, 2, 3, 4, 5]);
    expect(sandbox.state().users.some((u) => u.emailAddress === 'fail.me@wff-demo.example')).toBe(false);
  });

  it('marks the rest not attempted once cancelled', async () => {
    const controller = new AbortController();
    const result = await client.bulkUpsertUsers(
      [
        { email: 'cancel.one@wff-demo.example', role: 'Participant' },
        { email: 'cancel.two@wff-demo.example', role: 'Participant' },
      ],
      { signal: controller.signal, onProgress: () => controller.abort() },
    );
    expect(result.items.map((i) => i.status)).toEqual(['succeeded', 'not_attempted']);
    expect(result.items[1]!.message).toBe('not attempted: cancelled');
  });
});

describe('bulk deactivate', () => {
  it('deactivates known e-mails, fails unknown ones unsent, and stops once the key is refused', async () => {
    const [a, b, c] = sandbox.state().users.slice(5, 8);
    // Deactivating the key's owner (the only full admin) makes every later call answer 403, as Sales Cookie's
    // "must be full admin" implies.
    const result = await client.bulkDeactivateUsers([
      a!.emailAddress,
      'ghost@wff-demo.example',
      a!.emailAddress.toUpperCase(),
      DEMO_USERS.admin.emailAddress,
      b!.emailAddress,
      c!.emailAddress,
    ]);
    expect(result.items.map((i) => i.status)).toEqual([
      'succeeded',
      'failed',
      'failed',
      'succeeded',
      'failed',
      'not_attempted',
    ]);
    expect(result.items[1]!.message).toContain(
      'no user has this e-mail; SetUser would create one, so nothing was sent',
    );
    expect(result.items[2]!.message).toBe('duplicate of item 0; not sent');
    expect(result.items[4]!.message).toContain('Only full admins of the workspace can use the API (HTTP 403');
    expect(result.items[5]!.message).toMatch(/^not attempted: an earlier item failed: /);
    expect(result).toMatchObject({ succeeded: 2, failed: 3, notAttempted: 1 });
    const roles = sandbox.state().users;
    expect(roles.find((u) => u.id === a!.id)!.role).toBe('Deactivated');
    expect(roles.find((u) => u.id === b!.id)!.role).toBe(b!.role);
    expect(roles.find((u) => u.id === c!.id)!.role).toBe(c!.role);
  });
});
