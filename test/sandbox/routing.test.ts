import { describe, expect, it } from 'vitest';
import { DEMO_PERMISSIONS } from '../../src/sandbox/index.js';
import { rawCall, sandboxSuite } from './session.js';

const env = sandboxSuite({ users: 10 });

describe('routing and request errors', () => {
  it('an unknown path is a 404 Status; a known path with another method is a 405', async () => {
    const unknown = await env.session.get('/v1/admin/nothing-here');
    expect(unknown.status).toBe(404);
    expect(unknown.json).toMatchObject({ code: 'NotFound', localizedMessage: 'No API at /v1/admin/nothing-here' });
    const wrongMethod = await env.session.call('PATCH', '/v1/admin/users');
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.json).toMatchObject({ code: 'MethodNotAllowed' });
  });

  it('a body that is not JSON is a 400 and changes nothing', async () => {
    const before = env.sandbox.snapshot();
    const call = await rawCall(env.sandbox, 'POST', '/v1/admin/users', {
      headers: { ...(await authHeaders()), 'content-type': 'application/json' },
    });
    expect(call.status).toBe(400);
    const res = await fetch(`${env.sandbox.url}/v1/admin/users`, {
      method: 'POST',
      headers: { ...(await authHeaders()), 'content-type': 'application/json' },
      body: '{"username": ',
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ localizedMessage: 'Request body is not valid JSON' });
    expect(env.sandbox.snapshot()).toEqual(before);
  });

  it('tenantFilter naming an unknown tenant is a 403 on the per-tenant listings', async () => {
    const call = await env.session.get(`/v1/admin/permissions/${DEMO_PERMISSIONS.admin.permissionId}/users`, {
      tenantFilter: 'WFF_x~c9',
    });
    expect(call.status).toBe(403);
  });

  it('a body over 5 MB is refused with 413', async () => {
    const call = await env.session.call('POST', '/v2/admin/users', {
      body: { users: [{ username: 'x'.repeat(6 * 1024 * 1024) }] },
    });
    expect(call.status).toBe(413);
    expect(call.json).toMatchObject({ code: 'PayloadTooLarge' });
  });
});

async function authHeaders(): Promise<Record<string, string>> {
  const { username, password, apiKey } = env.sandbox.credentials;
  const res = await fetch(`${env.sandbox.url}/v1/admin/visierSecureToken`, {
    method: 'POST',
    body: new URLSearchParams({ username, password }),
  });
  return { apikey: apiKey, cookie: `VisierASIDToken=${await res.text()}` };
}
