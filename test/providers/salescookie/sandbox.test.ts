// The sandbox on the wire, with plain fetch and none of the client's code: auth on both APIs, SetUser's upsert
// and additive semantics, the OData options it serves and refuses, server-driven paging, seeded determinism.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEMO_USERS,
  type SalescookieSandbox,
  startSalescookieSandbox,
} from '../../../src/sandbox/salescookie/index.js';

let sandbox: SalescookieSandbox;

beforeAll(async () => {
  sandbox = await startSalescookieSandbox({ users: 1100, seed: 3, odataRateLimit: false });
});
afterAll(async () => {
  await sandbox.close();
});

const setUser = (body: unknown, key = sandbox.apiKey) =>
  fetch(`${sandbox.url}/Api/SetUser`, {
    method: 'POST',
    headers: { 'X-ApiKey': key, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });

const odata = (entitySet: string, query = '', key = sandbox.apiKey) =>
  fetch(`${sandbox.url}/odata/${encodeURIComponent(key)}/${entitySet}${query}`);

describe('authentication', () => {
  it('answers a wrong or missing X-ApiKey with 401 and the OData error form', async () => {
    const wrong = await setUser({ emailAddress: 'a@b.example', role: 'Participant' }, 'nope');
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toEqual({ error: { code: 'Unauthorized', message: 'Invalid API key' } });
    const missing = await fetch(`${sandbox.url}/Api/SetUser`, { method: 'POST', body: '{}' });
    expect(missing.status).toBe(401);
  });

  it('answers a wrong key in the OData path with 401', async () => {
    expect((await odata('SystemUser', '', 'nope')).status).toBe(401);
  });

  it('echoes the X-Request-Id it was sent', async () => {
    const res = await fetch(`${sandbox.url}/odata/${sandbox.apiKey}/Team`, { headers: { 'X-Request-Id': 'abc-123' } });
    expect(res.headers.get('x-request-id')).toBe('abc-123');
    expect(sandbox.requests.at(-1)?.requestId).toBe('abc-123');
  });
});

describe('SetUser', () => {
  it('creates, then updates by e-mail in any case, adding tags and aliases and never removing any', async () => {
    expect(
      (await setUser({ emailAddress: 'wire@wff-demo.example', role: 'Participant', tags: 'A|B', aliases: 'X' })).status,
    ).toBe(200);
    expect(
      (await setUser({ emailAddress: 'WIRE@wff-demo.example', role: 'LimitedAdmin', tags: 'B|C', aliases: 'Y' }))
        .status,
    ).toBe(200);
    const users = sandbox.state().users.filter((u) => u.emailAddress.toLowerCase() === 'wire@wff-demo.example');
    expect(users).toHaveLength(1);
    expect(users[0]).toMatchObject({ role: 'LimitedAdmin', prevAccessLevel: 'Participant', tags: ['A', 'B', 'C'] });
    expect(users[0]!.aliases.map((a) => a.name)).toEqual(['X', 'Y']);
  });

  it('requires a known role and an e-mail, naming the field', async () => {
    const noRole = await setUser({ emailAddress: 'r@wff-demo.example' });
    expect(noRole.status).toBe(400);
    expect(((await noRole.json()) as { error: { message: string } }).error.message).toContain('role must be one of');
    const noEmail = await setUser({ role: 'Participant' });
    expect(((await noEmail.json()) as { error: { message: string } }).error.message).toContain('emailAddress');
  });

  it('serves POST only', async () => {
    expect((await fetch(`${sandbox.url}/Api/SetUser`, { headers: { 'X-ApiKey': sandbox.apiKey } })).status).toBe(405);
  });
});

describe('OData', () => {
  it('caps a page at 1,000 rows and links to the next', async () => {
    const first = (await (await odata('SystemUser')).json()) as Record<string, unknown> & { value: unknown[] };
    expect(first.value).toHaveLength(1000);
    expect(first['@odata.context']).toBe(`${sandbox.url}/odata/${sandbox.apiKey}/$metadata#SystemUser`);
    const next = new URL(first['@odata.nextLink'] as string);
    expect(next.searchParams.get('$skip')).toBe('1000');
    const second = (await (await fetch(next)).json()) as Record<string, unknown> & { value: unknown[] };
    expect(second.value.length).toBe(sandbox.state().users.length - 1000);
    expect(second['@odata.nextLink']).toBeUndefined();
  });

  it('filters with eq, or and tolower, and refuses what it does not serve', async () => {
    const q = `?$filter=${encodeURIComponent(`tolower(emailAddress) eq 'dana.whitfield@wff-demo.example' or id eq ${DEMO_USERS.admin.id}`)}`;
    const body = (await (await odata('SystemUser', q)).json()) as { value: { id: string }[] };
    expect(body.value.map((u) => u.id)).toEqual([DEMO_USERS.admin.id, DEMO_USERS.dana.id]);
    expect((await odata('SystemUser', `?$filter=${encodeURIComponent("contains(emailAddress,'a')")}`)).status).toBe(
      400,
    );
    expect((await odata('SystemUser', '?$orderby=emailAddress')).status).toBe(400);
    expect((await odata('SystemUser', `?$filter=${encodeURIComponent("nope eq 'x'")}`)).status).toBe(400);
    expect((await odata('Nothing')).status).toBe(404);
  });

  it('is read-only', async () => {
    expect((await fetch(`${sandbox.url}/odata/${sandbox.apiKey}/SystemUser`, { method: 'POST' })).status).toBe(405);
  });
});

describe('demo data', () => {
  it('is the same for a seed and differs between seeds', async () => {
    const [a, b, c] = await Promise.all([
      startSalescookieSandbox({ users: 5, seed: 9 }),
      startSalescookieSandbox({ users: 5, seed: 9 }),
      startSalescookieSandbox({ users: 5, seed: 10 }),
    ]);
    expect(a.state()).toEqual(b.state());
    expect(a.state().users.map((u) => u.emailAddress)).not.toEqual(c.state().users.map((u) => u.emailAddress));
    await Promise.all([a.close(), b.close(), c.close()]);
  });
});
