import { describe, expect, it } from 'vitest';
import { DEMO_USERS } from '../../src/sandbox/index.js';
import { sandboxSuite } from './session.js';

const env = sandboxSuite({ users: 30 });

type BulkResult = {
  successes: Record<string, string>[];
  failures: { userId?: string; userName?: string; displayName?: string; error: { message: string; rci: string } }[];
};

const newUser = (i: number) => ({
  username: `bulk${i}@wff-demo.example`,
  displayName: `Bulk ${i}`,
  employeeId: `B${i}`,
  accountEnabled: 'true',
});

describe('POST /v2/admin/users', () => {
  it('creates each user; a duplicate username (also within the batch) fails alone, with userName', async () => {
    const call = await env.session.call('POST', '/v2/admin/users', {
      body: {
        users: [newUser(1), { username: DEMO_USERS.dana.username, displayName: 'Dana Again' }, newUser(2), newUser(1)],
      },
    });
    expect(call.status).toBe(200);
    const body = call.json as BulkResult;
    expect(body.successes).toEqual([
      { userId: expect.any(String), ...newUser(1), email: 'bulk1@wff-demo.example' },
      { userId: expect.any(String), ...newUser(2), email: 'bulk2@wff-demo.example' },
    ]);
    expect(body.failures).toEqual([
      {
        userName: DEMO_USERS.dana.username,
        displayName: 'Dana Again',
        error: {
          message: `A user with username '${DEMO_USERS.dana.username}' already exists`,
          rci: expect.stringMatching(/^[0-9a-f-]{36}$/),
        },
      },
      {
        userName: 'bulk1@wff-demo.example',
        displayName: 'Bulk 1',
        error: { message: expect.stringContaining('already exists'), rci: expect.any(String) },
      },
    ]);
    const id = body.successes[0]?.userId as string;
    expect((await env.session.get(`/v1/admin/users/${id}`)).json).toMatchObject({
      username: 'bulk1@wff-demo.example',
      accountEnabled: true,
    });
  });

  it('more than 100 users is a 400 for the whole call and creates nobody', async () => {
    const before = env.sandbox.snapshot().users.length;
    const call = await env.session.call('POST', '/v2/admin/users', {
      body: { users: Array.from({ length: 101 }, (_, i) => newUser(1000 + i)) },
    });
    expect(call.status).toBe(400);
    expect(call.json).toMatchObject({
      code: 'InvalidArgument',
      localizedMessage: 'A request can include at most 100 users; this one has 101',
    });
    expect(env.sandbox.snapshot().users.length).toBe(before);
    expect((await env.session.call('POST', '/v2/admin/users', { body: { users: [] } })).status).toBe(400);
  });

  it('exactly 100 users is accepted', async () => {
    const call = await env.session.call('POST', '/v2/admin/users', {
      body: { users: Array.from({ length: 100 }, (_, i) => newUser(2000 + i)) },
    });
    expect((call.json as BulkResult).successes).toHaveLength(100);
  });
});

describe('PUT and DELETE /v2/admin/users', () => {
  it('PUT replaces each user (omitted fields removed, a username required); an unknown userId fails alone', async () => {
    const call = await env.session.call('PUT', '/v2/admin/users', {
      body: {
        users: [
          { userId: DEMO_USERS.dana.userId, username: DEMO_USERS.dana.username, employeeId: 'E-NEW' },
          { userId: 'ghost', username: 'ghost@wff-demo.example', displayName: 'Ghost' },
          { userId: DEMO_USERS.mallory.userId, displayName: 'No username' },
        ],
      },
    });
    const body = call.json as BulkResult;
    expect(body.successes).toEqual([
      {
        userId: DEMO_USERS.dana.userId,
        username: DEMO_USERS.dana.username,
        displayName: '',
        employeeId: 'E-NEW',
        accountEnabled: 'false',
        email: '',
      },
    ]);
    expect(body.failures).toEqual([
      {
        userId: 'ghost',
        userName: 'ghost@wff-demo.example',
        displayName: 'Ghost',
        error: { message: "User 'ghost' was not found", rci: expect.any(String) },
      },
      {
        userId: DEMO_USERS.mallory.userId,
        userName: DEMO_USERS.mallory.username,
        displayName: 'No username',
        error: { message: 'username is required: a PUT replaces the whole user', rci: expect.any(String) },
      },
    ]);
  });

  it('DELETE removes known users and reports unknown ones', async () => {
    const created = (
      (await env.session.call('POST', '/v2/admin/users', { body: { users: [newUser(3), newUser(4)] } }))
        .json as BulkResult
    ).successes.map((s) => s.userId as string);
    const call = await env.session.call('DELETE', '/v2/admin/users', { body: { userIds: [...created, 'ghost'] } });
    const body = call.json as BulkResult;
    expect(body.successes.map((s) => s.userId)).toEqual(created);
    expect(body.failures).toEqual([
      { userId: 'ghost', error: { message: "User 'ghost' was not found", rci: expect.any(String) } },
    ]);
    for (const id of created) expect((await env.session.get(`/v1/admin/users/${id}`)).status).toBe(404);
  });
});
