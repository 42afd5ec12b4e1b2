// The seed's bulk scripts: one user onto several sites, and a list of e-mails deleted; every item accounted for.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { addUserToSites, deleteUsers } from '../../../src/providers/sisense/bulk.js';
import type { SisenseClient } from '../../../src/providers/sisense/client.js';
import type { SisenseSandboxHandle } from '../../../src/sandbox/sisense/handle.js';
import { SISENSE_DEMO_USERS } from '../../../src/sandbox/sisense/index.js';
import { clientFor, startTestSandbox } from './harness.js';

let handle: SisenseSandboxHandle;
let primary: SisenseClient;
let secondary: SisenseClient;
let wrongKey: SisenseClient;

beforeAll(async () => {
  handle = await startTestSandbox({ users: 5 });
  primary = clientFor(handle, handle.sites.primary);
  secondary = clientFor(handle, handle.sites.secondary);
  wrongKey = clientFor(handle, { site: handle.sites.secondary.site, apiKey: 'not-the-key-0000' });
});
afterEach(() => {
  handle.faults.clear();
  handle.clearRequests();
});
afterAll(async () => {
  for (const c of [primary, secondary, wrongKey]) await c.close();
  await handle.close();
});

const admin = SISENSE_DEMO_USERS.admin.email;
const user = (email: string) => ({ firstName: 'New', lastName: 'Hire', email, groups: [], invitedByEmail: admin });
const on = (site: string, email: string) => handle.snapshot(site).users.some((u) => u.email === email);

describe('one user onto several sites', () => {
  it('a dry run validates on every site and stores nothing', async () => {
    const result = await addUserToSites([primary, secondary], user('multi@wff-demo.example'), { dryRun: true });
    expect(result.items.map((i) => [i.site, i.status])).toEqual([
      ['wff-demo', 'succeeded'],
      ['wff-demo-eu', 'succeeded'],
    ]);
    expect(handle.requests.map((r) => `${r.tenant} ${r.query.test_mode}`)).toEqual([
      'wff-demo true',
      'wff-demo-eu true',
    ]);
    expect(on('wff-demo', 'multi@wff-demo.example')).toBe(false);
  });

  it('a refused key or an existing user fails that site only, with the reason; the others go ahead', async () => {
    await primary.createUser(user('multi@wff-demo.example'));
    const progress: number[] = [];
    const result = await addUserToSites([primary, wrongKey, secondary], user('multi@wff-demo.example'), {
      onProgress: (done) => progress.push(done),
    });
    expect(result).toMatchObject({ succeeded: 1, failed: 2, notAttempted: 0, requests: 4 });
    expect(result.items.map((i) => [i.index, i.site, i.status, i.username])).toEqual([
      [0, 'wff-demo', 'failed', 'multi@wff-demo.example'],
      [1, 'wff-demo-eu', 'failed', 'multi@wff-demo.example'],
      [2, 'wff-demo-eu', 'succeeded', 'multi@wff-demo.example'],
    ]);
    expect(result.items[0]!.message).toContain('already exists');
    expect(result.items[1]!.message).toContain('Invalid site or API key');
    expect(progress).toEqual([1, 2, 3]);
    expect(on('wff-demo-eu', 'multi@wff-demo.example')).toBe(true);
  });

  it('a cancelled run leaves every remaining site not attempted', async () => {
    const abort = new AbortController();
    abort.abort();
    const result = await addUserToSites([primary, secondary], user('late@wff-demo.example'), { signal: abort.signal });
    expect(result.items.map((i) => i.status)).toEqual(['not_attempted', 'not_attempted']);
    expect(handle.requests).toHaveLength(0);
  });
});

describe('a list of e-mails deleted', () => {
  it('one DELETE each; an unknown e-mail fails with Sisense’s reason and the rest go ahead', async () => {
    for (const e of ['gone1@wff-demo.example', 'gone2@wff-demo.example']) await primary.createUser(user(e));
    handle.clearRequests();
    const result = await deleteUsers(primary, [
      'gone1@wff-demo.example',
      'ghost@wff-demo.example',
      'gone2@wff-demo.example',
    ]);
    expect(result).toMatchObject({ succeeded: 2, failed: 1, notAttempted: 0, requests: 3 });
    expect(result.items[1]).toMatchObject({ status: 'failed', username: 'ghost@wff-demo.example' });
    expect(result.items[1]!.message).toContain('No user with email');
    expect(handle.requests.every((r) => r.query.test_mode === 'false')).toBe(true);
  });

  it('a refused key stops the run: the first fails with the reason, the rest are not attempted', async () => {
    const result = await deleteUsers(wrongKey, ['a@wff-demo.example', 'b@wff-demo.example', 'c@wff-demo.example']);
    expect(result.items.map((i) => i.status)).toEqual(['failed', 'not_attempted', 'not_attempted']);
    expect(result.items[2]!.message).toMatch(/^not sent: an earlier chunk failed/);
  });

  it('a 429 that outlasts the retries leaves that e-mail and the rest not attempted', async () => {
    const quick = clientFor(handle, handle.sites.primary, { retry: { maxAttempts: 1 } });
    await primary.createUser(user('kept@wff-demo.example'));
    handle.faults.set({ rules: [{ kind: '429', method: 'DELETE', count: 1 }] });
    const result = await deleteUsers(quick, ['kept@wff-demo.example', SISENSE_DEMO_USERS.dana.email]);
    expect(result.items.map((i) => i.status)).toEqual(['not_attempted', 'not_attempted']);
    expect(on('wff-demo', 'kept@wff-demo.example')).toBe(true);
    await quick.close();
  });
});
