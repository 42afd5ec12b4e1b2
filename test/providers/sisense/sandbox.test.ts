// The sandbox as any HTTP client sees it, without our client: reply shapes, refusals that name the field,
// the request id on every answer, and a cursor that survives a deletion between pages.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SisenseSandboxHandle } from '../../../src/sandbox/sisense/handle.js';
import { SISENSE_DEMO_USERS } from '../../../src/sandbox/sisense/index.js';
import { startTestSandbox } from './harness.js';

let handle: SisenseSandboxHandle;
let auth: Record<string, string>;

beforeAll(async () => {
  handle = await startTestSandbox({ users: 6, pageSize: 4 });
  auth = { 'HTTP-X-PARTNER-AUTH': `${handle.sites.primary.site}:${handle.sites.primary.apiKey}` };
});
afterAll(() => handle.close());

async function call(method: string, path: string, headers: Record<string, string> = {}, body?: unknown) {
  const res = await fetch(`${handle.url}${path}`, {
    method,
    headers: { ...auth, 'content-type': 'application/json', ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, requestId: res.headers.get('x-request-id'), json: text ? JSON.parse(text) : undefined };
}

describe('the Sisense sandbox over plain HTTP', () => {
  it('pages users in a wrapper with next_page_start and items_this_page', async () => {
    const first = await call('GET', '/api/v1/users');
    expect(Object.keys(first.json).sort()).toEqual(['items_this_page', 'next_page_start', 'users']);
    expect(first.json.items_this_page).toBe(4);
    const second = await call('GET', `/api/v1/users?next_page_start=${first.json.next_page_start}`);
    expect(second.json.users[0].email).not.toBe(first.json.users[0].email);
    expect((await call('GET', '/api/v1/users?next_page_start=abc')).json.error.message).toBe(
      "next_page_start: 'abc' is not a cursor this API issued",
    );
  });

  it('keeps a page boundary when a user before it is deleted', async () => {
    const first = await call('GET', '/api/v1/users');
    const nextFirst = (await call('GET', `/api/v1/users?next_page_start=${first.json.next_page_start}`)).json.users[0];
    await call('DELETE', '/api/v1/users?test_mode=false', { 'HTTP-X-EMAIL': first.json.users[3].email });
    const again = await call('GET', `/api/v1/users?next_page_start=${first.json.next_page_start}`);
    expect(again.json.users[0].email).toBe(nextFirst.email);
  });

  it('every answer, errors included, carries a request id, in the body of an error too', async () => {
    const bad = await call('PUT', '/api/v1/users', {}, { first_name: 'X' });
    expect(bad.status).toBe(400);
    expect(bad.json).toEqual({
      error: { message: 'HTTP-X-EMAIL: header is required', code: 'invalid_request' },
      request_id: bad.requestId,
    });
  });

  it('refuses bodies by field and rule, unknown fields included', async () => {
    const user = {
      first_name: 'A',
      last_name: 'B',
      email: 'not-an-email',
      invited_by_email: SISENSE_DEMO_USERS.admin.email,
    };
    expect((await call('POST', '/api/v1/users', {}, user)).json.error.message).toBe('email: must be an e-mail address');
    const extra = await call('PUT', '/api/v1/users', { 'HTTP-X-EMAIL': SISENSE_DEMO_USERS.dana.email }, { role: 'x' });
    expect(extra.json.error.message).toMatch(/^body: /);
    const admin = await call('POST', '/api/v1/groups', {}, { name: 'Root', access: 'Admin' });
    expect(admin.json.error.message).toBe(
      'access: must be one of SQL, Discovery, View (Admin comes only from Administrators)',
    );
    expect((await call('POST', '/api/v1/users?test_mode=maybe', {}, user)).json.error.message).toBe(
      "test_mode: must be true or false, got 'maybe'",
    );
  });

  it('answers a method a path does not have with 405 and an unknown path with 404', async () => {
    expect((await call('PATCH', '/api/v1/users')).status).toBe(405);
    expect((await call('GET', '/api/v1/roles')).status).toBe(404);
  });

  it('keeps the last administrator', async () => {
    const res = await call('DELETE', '/api/v1/users?test_mode=true', {
      'HTTP-X-EMAIL': SISENSE_DEMO_USERS.admin.email,
    });
    expect(res.json.error.message).toBe('The last administrator cannot be deleted');
  });
});
