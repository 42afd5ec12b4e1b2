import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_USERS, type SandboxHandle, startSandbox } from '../../src/sandbox/index.js';
import { asidToken, oauthRequest, rawCall, Session } from './session.js';

let sandbox: SandboxHandle;
beforeAll(async () => {
  sandbox = await startSandbox({ users: 20, rateLimit: false });
});
afterAll(() => sandbox.close());

const usersPath = `/v1/admin/users/${DEMO_USERS.dana.userId}`;

describe('ASID token', () => {
  it('issues a text/plain token for the demo credentials without an apikey', async () => {
    const res = await fetch(`${sandbox.url}/v1/admin/visierSecureToken`, {
      method: 'POST',
      body: new URLSearchParams({ username: sandbox.credentials.username, password: sandbox.credentials.password }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect((await res.text()).length).toBeGreaterThanOrEqual(40);
  });

  it('refuses a wrong password with a 401 Status body', async () => {
    const call = await rawCall(sandbox, 'POST', '/v1/admin/visierSecureToken', {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(call.status).toBe(401);
    const res = await fetch(`${sandbox.url}/v1/admin/visierSecureToken`, {
      method: 'POST',
      body: new URLSearchParams({ username: sandbox.credentials.username, password: 'wrong' }),
    });
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(await res.json()).toMatchObject({
      code: 'Unauthenticated',
      localizedMessage: 'Invalid username or password',
      userError: true,
      rci: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
  });

  it('opens data calls with apikey + cookie', async () => {
    const session = await Session.login(sandbox);
    const call = await session.get(usersPath);
    expect(call.status).toBe(200);
    expect(call.json).toMatchObject({ userId: DEMO_USERS.dana.userId, username: DEMO_USERS.dana.username });
  });
});

describe('OAuth2 token endpoint', () => {
  it('password grant returns the five token fields and the access token works as Bearer', async () => {
    const res = await oauthRequest(sandbox, {
      grant_type: 'password',
      username: sandbox.credentials.username,
      password: sandbox.credentials.password,
      scope: 'read',
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(['access_token', 'expires_in', 'id_token', 'refresh_token', 'token_type']);
    expect(body.token_type).toBe('Bearer');
    expect(body.expires_in).toBe(3600);
    expect(String(body.access_token).split('.')).toHaveLength(3);
    const call = await Session.bearer(sandbox, String(body.access_token)).get(usersPath);
    expect(call.status).toBe(200);
  });

  it('refresh_token grant issues a new pair and spends the old refresh token', async () => {
    const first = (await (
      await oauthRequest(sandbox, {
        grant_type: 'password',
        username: sandbox.credentials.username,
        password: sandbox.credentials.password,
      })
    ).json()) as { refresh_token: string; access_token: string };
    const renewed = await oauthRequest(sandbox, { grant_type: 'refresh_token', refresh_token: first.refresh_token });
    expect(renewed.status).toBe(200);
    const second = (await renewed.json()) as { access_token: string };
    expect(second.access_token).not.toBe(first.access_token);
    expect((await Session.bearer(sandbox, second.access_token).get(usersPath)).status).toBe(200);
    const replay = await oauthRequest(sandbox, { grant_type: 'refresh_token', refresh_token: first.refresh_token });
    expect(replay.status).toBe(401);
  });

  it('rejects a missing apikey, a wrong client secret, wrong user credentials and unknown grants', async () => {
    const good = {
      grant_type: 'password',
      username: sandbox.credentials.username,
      password: sandbox.credentials.password,
    };
    expect((await oauthRequest(sandbox, good, { apiKey: 'nope' })).status).toBe(401);
    expect((await oauthRequest(sandbox, good, { clientSecret: 'nope' })).status).toBe(401);
    expect((await oauthRequest(sandbox, { ...good, password: 'nope' })).status).toBe(401);
    const unknown = await oauthRequest(sandbox, { grant_type: 'client_credentials' });
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toMatchObject({ code: 'InvalidArgument' });
  });
});

describe('data calls without valid credentials', () => {
  it('401 without apikey, even with a valid token', async () => {
    const token = await asidToken(sandbox);
    const call = await rawCall(sandbox, 'GET', usersPath, { headers: { cookie: `VisierASIDToken=${token}` } });
    expect(call.status).toBe(401);
    expect(call.json).toMatchObject({ code: 'Unauthenticated', localizedMessage: 'Missing or invalid API key' });
  });

  it('401 with apikey but no token, or a made-up token', async () => {
    const apikey = sandbox.credentials.apiKey;
    const none = await rawCall(sandbox, 'GET', usersPath, { headers: { apikey } });
    expect(none.status).toBe(401);
    expect(none.json).toMatchObject({ localizedMessage: 'Missing, invalid or expired session token' });
    const forged = await rawCall(sandbox, 'GET', usersPath, { headers: { apikey, authorization: 'Bearer forged' } });
    expect(forged.status).toBe(401);
  });

  it('expireTokens() makes every issued token fail with 401', async () => {
    const session = await Session.login(sandbox);
    expect((await session.get(usersPath)).status).toBe(200);
    sandbox.expireTokens();
    const after = await session.get(usersPath);
    expect(after.status).toBe(401);
    expect(after.json).toMatchObject({ code: 'Unauthenticated' });
  });

  it('a token past tokenTtlSeconds is refused', async () => {
    const shortLived = await startSandbox({ users: 5, tokenTtlSeconds: 0, rateLimit: false });
    try {
      const session = await Session.login(shortLived);
      expect((await session.get('/v1/admin/users')).status).toBe(401);
    } finally {
      await shortLived.close();
    }
  });
});
