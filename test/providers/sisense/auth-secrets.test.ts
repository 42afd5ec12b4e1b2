// Authentication by HTTP-X-PARTNER-AUTH, and no key in any error or log line, whatever fails.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SisenseClient } from '../../../src/providers/sisense/client.js';
import type { SisenseSandboxHandle } from '../../../src/sandbox/sisense/handle.js';
import { SISENSE_DEMO_USERS } from '../../../src/sandbox/sisense/index.js';
import { captureLogs, clientFor, failure, startTestSandbox } from './harness.js';

let handle: SisenseSandboxHandle;

beforeAll(async () => {
  handle = await startTestSandbox({ users: 5 });
});
afterAll(() => handle.close());

const WRONG_KEY = 'wrong-key-9c1d7e55aa';

describe('authentication', () => {
  it('a wrong key is a typed 401 with Sisense’s message and code; the static key is tried twice', async () => {
    const client = clientFor(handle, { site: handle.sites.primary.site, apiKey: WRONG_KEY });
    const error = await failure(client.listUsers());
    expect(error).toMatchObject({ status: 401, code: 'unauthorized', retryable: false, kind: 'http' });
    expect(error.message).toContain('Invalid site or API key');
    // The shared HttpClient re-authenticates once on a 401; a static key has nothing to renew, so it is resent.
    expect(client.stats.requests).toBe(2);
    await client.close();
  });

  it('an unknown site is answered as a wrong key', async () => {
    const client = clientFor(handle, { site: 'no-such-site', apiKey: handle.sites.primary.apiKey });
    expect((await failure(client.getUser(SISENSE_DEMO_USERS.admin.email))).status).toBe(401);
    await client.close();
  });

  it('a valid key of a site whose plan lacks the API is a 403 saying so', async () => {
    const client = clientFor(handle, handle.siteWithoutApi);
    const error = await failure(client.listGroups());
    expect(error).toMatchObject({ status: 403, code: 'forbidden' });
    expect(error.message).toContain('not enabled for this site');
    await client.close();
  });

  it('each key reaches its own site only', async () => {
    const eu = clientFor(handle, handle.sites.secondary);
    expect((await eu.listUsers()).map((u) => u.email)).toEqual([
      SISENSE_DEMO_USERS.admin.email,
      SISENSE_DEMO_USERS.dana.email,
    ]);
    await eu.close();
  });

  it('refuses a site or key that cannot form the header, naming the field', () => {
    const base = { host: handle.url, site: 'a', apiKey: 'k' };
    expect(() => new SisenseClient({ ...base, site: 'a:b' })).toThrow(/^site: /);
    expect(() => new SisenseClient({ ...base, apiKey: '' })).toThrow(/^apiKey: /);
    expect(() => new SisenseClient({ ...base, host: 'ftp://x' })).toThrow(/^host: /);
  });
});

describe('secrets stay out of errors and logs', () => {
  function leaks(text: string, secrets: string[]): string[] {
    return secrets.filter((s) => text.includes(s));
  }

  it('on a refused key, a 5xx, a network failure and an e-mail no header can carry', async () => {
    const { logger, lines } = captureLogs();
    const secrets = [WRONG_KEY, handle.sites.primary.apiKey];
    const errors: Error[] = [];
    const wrong = clientFor(handle, { site: handle.sites.primary.site, apiKey: WRONG_KEY }, { logger });
    errors.push(await failure(wrong.listUsers()));
    const right = clientFor(handle, handle.sites.primary, { logger, retry: { maxAttempts: 1 } });
    handle.faults.set({ rules: [{ kind: '500', count: 1 }] });
    errors.push(await failure(right.getUser(SISENSE_DEMO_USERS.admin.email)));
    errors.push(await failure(right.getUser('bad\r\nHTTP-X-PARTNER-AUTH: x@y.example')));
    const closed = clientFor(handle, handle.sites.primary, {
      logger,
      host: 'http://127.0.0.1:9',
      retry: { maxAttempts: 1 },
    });
    errors.push(await failure(closed.listGroups()));
    handle.faults.clear();
    const text = [...lines, ...errors.map((e) => `${e.message} ${JSON.stringify(e)} ${e.stack}`)].join('\n');
    expect(lines.length).toBeGreaterThan(3);
    expect(leaks(text, secrets)).toEqual([]);
    expect(errors[2]).toMatchObject({ kind: 'invalid-request', sent: false });
    for (const c of [wrong, right, closed]) await c.close();
  });
});
