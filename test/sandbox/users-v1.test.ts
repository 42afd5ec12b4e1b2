import { describe, expect, it } from 'vitest';
import { DEMO_GROUPS, DEMO_PERMISSIONS, DEMO_PROFILES, DEMO_USERS } from '../../src/sandbox/index.js';
import { sandboxSuite } from './session.js';

const env = sandboxSuite({ users: 50 });

describe('GET /v1/admin/users', () => {
  it('pages with limit/start and echoes them; accountEnabled is a boolean', async () => {
    const first = await env.session.get('/v1/admin/users', { limit: 2 });
    expect(first.status).toBe(200);
    const body = first.json as { users: Record<string, unknown>[]; limit: number; start: number };
    expect(body.limit).toBe(2);
    expect(body.start).toBe(0);
    expect(body.users.map((u) => u.userId)).toEqual([DEMO_USERS.admin.userId, DEMO_USERS.dana.userId]);
    expect(body.users[1]).toEqual({
      userId: DEMO_USERS.dana.userId,
      username: DEMO_USERS.dana.username,
      displayName: 'Dana Whitfield',
      employeeId: 'E000002',
      accountEnabled: true,
      email: DEMO_USERS.dana.username,
      lastLogin: { timestamp: String(Date.UTC(2026, 10, 1) - 2 * 3_600_000) },
    });
    const all = snapshotIds();
    const page = await env.session.get('/v1/admin/users', { limit: 20, start: 40 });
    expect((page.json as { users: { userId: string }[] }).users.map((u) => u.userId)).toEqual(all.slice(40, 60));
  });

  it('adds the profiles, permissions and userGroups wrappers only when asked', async () => {
    const call = await env.session.get(`/v1/admin/users/${DEMO_USERS.dana.userId}`, {
      assignedProfiles: true,
      assignedPermissions: true,
      assignedUserGroups: true,
    });
    const user = call.json as Record<string, unknown>;
    expect(user.profiles).toEqual({
      assignedProfiles: [
        {
          profileId: DEMO_PROFILES.analyst.profileId,
          displayName: 'Analyst',
          validityStartTime: String(Date.UTC(2025, 0, 1)),
          capabilities: [{ capability: 'Analytics', accessLevel: 'ReadOnly', viewLevel: 'Detailed' }],
          additionalCapabilities: { additionalCapabilities: [] },
        },
      ],
    });
    expect(user.permissions).toEqual({
      assignedPermissions: [
        {
          permissionId: DEMO_PERMISSIONS.headcount.permissionId,
          displayName: 'Headcount Viewer',
          description: 'Headcount and turnover at aggregate level only.',
        },
      ],
    });
    expect(user.userGroups).toEqual({
      assignedUserGroups: [DEMO_GROUPS.salesAnalysts, DEMO_GROUPS.allEmployees],
    });
    const plain = (await env.session.get(`/v1/admin/users/${DEMO_USERS.dana.userId}`)).json as Record<string, unknown>;
    expect(Object.keys(plain)).not.toContain('permissions');
  });

  it('rejects limit over 1000 and non-boolean flags with 400', async () => {
    const over = await env.session.get('/v1/admin/users', { limit: 1001 });
    expect(over.status).toBe(400);
    expect(over.json).toMatchObject({ code: 'InvalidArgument', userError: true });
    expect((await env.session.get('/v1/admin/users', { assignedProfiles: 'yes' })).status).toBe(400);
  });
});

describe('create, update, delete', () => {
  it('POST creates (201, accountEnabled as a string), GET reads it back', async () => {
    const created = await env.session.call('POST', '/v1/admin/users', {
      body: {
        username: 'new.hire@wff-demo.example',
        displayName: 'New Hire',
        employeeId: 'E900001',
        accountEnabled: 'false',
      },
    });
    expect(created.status).toBe(201);
    const body = created.json as Record<string, string>;
    expect(body).toEqual({
      userId: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
      username: 'new.hire@wff-demo.example',
      displayName: 'New Hire',
      employeeId: 'E900001',
      accountEnabled: 'false',
      email: 'new.hire@wff-demo.example',
    });
    const read = await env.session.get(`/v1/admin/users/${body.userId}`);
    expect(read.json).toEqual({ ...body, accountEnabled: false });
  });

  it('POST refuses a duplicate username, a boolean accountEnabled and a missing username', async () => {
    const dup = await env.session.call('POST', '/v1/admin/users', {
      body: { username: DEMO_USERS.dana.username.toUpperCase() },
    });
    expect(dup.status).toBe(400);
    expect(dup.json).toMatchObject({ code: 'AlreadyExists' });
    const bool = await env.session.call('POST', '/v1/admin/users', {
      body: { username: 'x@y.example', accountEnabled: true },
    });
    expect(bool.status).toBe(400);
    expect(bool.json).toMatchObject({ localizedMessage: "'accountEnabled' must be a string" });
    expect((await env.session.call('POST', '/v1/admin/users', { body: { displayName: 'Nobody' } })).status).toBe(400);
  });

  it('PUT replaces the user: omitted fields are removed, a username is required; it echoes the update DTO', async () => {
    const created = (
      await env.session.call('POST', '/v1/admin/users', {
        body: { username: 'patch.me@wff-demo.example', employeeId: 'E7' },
      })
    ).json as { userId: string };
    const nameless = await env.session.call('PUT', `/v1/admin/users/${created.userId}`, {
      body: { displayName: 'Patched' },
    });
    expect(nameless.status).toBe(400);
    expect(nameless.json).toMatchObject({ localizedMessage: 'username is required: a PUT replaces the whole user' });
    const put = await env.session.call('PUT', `/v1/admin/users/${created.userId}`, {
      body: { username: 'patch.me@wff-demo.example', displayName: 'Patched' },
    });
    expect(put.status).toBe(200);
    expect(put.json).toEqual({
      username: 'patch.me@wff-demo.example',
      displayName: 'Patched',
      employeeId: '',
      accountEnabled: 'false',
      email: '',
    });
    expect(env.sandbox.snapshot().users.find((u) => u.userId === created.userId)).toMatchObject({
      displayName: 'Patched',
      employeeId: '',
      email: '',
      accountEnabled: false,
    });
  });

  it('DELETE answers 204 with no body, then the user is 404 and gone from groups and permissions', async () => {
    const created = (
      await env.session.call('POST', '/v1/admin/users', { body: { username: 'short.lived@wff-demo.example' } })
    ).json as {
      userId: string;
    };
    await env.session.call('PUT', '/v1/admin/permissions/users', {
      body: { permissions: [{ permissionId: DEMO_PERMISSIONS.compensation.permissionId, userIds: [created.userId] }] },
    });
    await env.session.call('PUT', '/v1/admin/user-groups/users', {
      body: { userGroups: [{ userGroupId: DEMO_GROUPS.executives.userGroupId, userIds: [created.userId] }] },
    });
    const del = await env.session.call('DELETE', `/v1/admin/users/${created.userId}`);
    expect(del.status).toBe(204);
    expect(del.text).toBe('');
    const gone = await env.session.get(`/v1/admin/users/${created.userId}`);
    expect(gone.status).toBe(404);
    expect(gone.json).toMatchObject({
      code: 'NotFound',
      localizedMessage: `User '${created.userId}' was not found`,
      userError: true,
    });
    const snap = env.sandbox.snapshot();
    expect(snap.userPermissions[DEMO_PERMISSIONS.compensation.permissionId]).not.toContain(created.userId);
    expect(snap.userGroups.find((g) => g.userGroupId === DEMO_GROUPS.executives.userGroupId)?.memberIds).not.toContain(
      created.userId,
    );
    expect((await env.session.call('DELETE', `/v1/admin/users/${created.userId}`)).status).toBe(404);
  });
});

function snapshotIds(): string[] {
  return env.sandbox.snapshot().users.map((u) => u.userId);
}
