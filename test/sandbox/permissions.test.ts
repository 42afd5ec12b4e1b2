import { describe, expect, it } from 'vitest';
import { DEMO_GROUPS, DEMO_PERMISSIONS, DEMO_USERS } from '../../src/sandbox/index.js';
import { sandboxSuite } from './session.js';

const env = sandboxSuite({ users: 60 });

const compensation = DEMO_PERMISSIONS.compensation;
const dana = DEMO_USERS.dana;

type Holders = {
  tenants: { tenantCode: string; users: { userId: string; username: string; permissionFrom: string }[] }[];
};

describe('GET /v1/admin/permissions', () => {
  it('lists the twelve demo permissions with id, name and description only', async () => {
    const call = await env.session.get('/v1/admin/permissions');
    const { permissions } = call.json as { permissions: Record<string, string>[] };
    expect(permissions).toHaveLength(12);
    expect(permissions[0]).toEqual({
      permissionId: DEMO_PERMISSIONS.admin.permissionId,
      displayName: 'Admin (Full Access)',
      description: 'Every capability and all data, for tenant administrators.',
    });
    expect(permissions.map((p) => p.displayName)).toContain('Compensation Analyst');
  });

  it('GET one permission; an unknown id is 404', async () => {
    expect((await env.session.get(`/v1/admin/permissions/${compensation.permissionId}`)).json).toMatchObject(
      compensation,
    );
    expect((await env.session.get('/v1/admin/permissions/nope')).status).toBe(404);
  });
});

describe('assigning permissions to users', () => {
  it('PUT assigns, the user and the holder list show it, DELETE (with a body) removes it', async () => {
    const before = (await env.session.get(`/v1/admin/permissions/${compensation.permissionId}/users`)).json as Holders;
    expect(before.tenants[0]?.users.map((u) => u.userId)).not.toContain(dana.userId);

    const put = await env.session.call('PUT', '/v1/admin/permissions/users', {
      body: { permissions: [{ permissionId: compensation.permissionId, userIds: [dana.userId] }] },
    });
    expect(put.status).toBe(200);
    expect(put.json).toEqual({
      tenants: [
        {
          tenantCode: env.sandbox.tenants.primary,
          status: 'Succeed',
          permissions: [
            {
              permission: {
                permissionId: compensation.permissionId,
                displayName: 'Compensation Analyst',
                description: 'Salary, bonus and equity analysis across the organization.',
              },
              users: [{ userId: dana.userId, username: dana.username }],
            },
          ],
        },
      ],
    });
    const user = (await env.session.get(`/v1/admin/users/${dana.userId}`, { assignedPermissions: true })).json as {
      permissions: { assignedPermissions: { permissionId: string }[] };
    };
    expect(user.permissions.assignedPermissions.map((p) => p.permissionId)).toEqual([
      compensation.permissionId,
      DEMO_PERMISSIONS.headcount.permissionId,
    ]);
    const holders = (await env.session.get(`/v1/admin/permissions/${compensation.permissionId}/users`)).json as Holders;
    expect(holders.tenants[0]?.users).toContainEqual({
      userId: dana.userId,
      username: dana.username,
      permissionFrom: 'User',
    });

    const del = await env.session.call('DELETE', '/v1/admin/permissions/users', {
      body: { permissions: [{ permissionId: compensation.permissionId, userIds: [dana.userId] }] },
    });
    expect(del.status).toBe(200);
    expect(env.sandbox.snapshot().userPermissions[compensation.permissionId]).not.toContain(dana.userId);
  });

  it('an unknown user id is a per-tenant Failed inside a 200; the known users are still assigned', async () => {
    const put = await env.session.call('PUT', '/v1/admin/permissions/users', {
      body: {
        permissions: [{ permissionId: DEMO_PERMISSIONS.payrollAuditor.permissionId, userIds: [dana.userId, 'ghost'] }],
      },
    });
    expect(put.status).toBe(200);
    const tenant = (put.json as { tenants: Record<string, unknown>[] }).tenants[0];
    expect(tenant).toMatchObject({ status: 'Failed', message: "User 'ghost' was not found" });
    expect(tenant?.permissions).toEqual([
      expect.objectContaining({
        users: [
          { userId: dana.userId, username: dana.username },
          { userId: 'ghost', message: 'User not found' },
        ],
      }),
    ]);
    expect(env.sandbox.snapshot().userPermissions[DEMO_PERMISSIONS.payrollAuditor.permissionId]).toContain(dana.userId);
  });

  it('a malformed body is a 400 for the whole call and changes nothing', async () => {
    const before = env.sandbox.snapshot();
    const bad = await env.session.call('PUT', '/v1/admin/permissions/users', {
      body: { permissions: [{ permissionId: compensation.permissionId, userIds: dana.userId }] },
    });
    expect(bad.status).toBe(400);
    expect(env.sandbox.snapshot()).toEqual(before);
  });
});

describe('GET /v1/admin/permissions/{id}/users', () => {
  it('includeUserGroups adds group holders, marked UserGroup or UserAndUserGroup', async () => {
    const [member, viaGroup] = env.sandbox
      .snapshot()
      .users.slice(-2)
      .map((u) => u.userId) as [string, string];
    await env.session.call('PUT', '/v1/admin/user-groups/users', {
      body: { userGroups: [{ userGroupId: DEMO_GROUPS.hrBusinessPartners.userGroupId, userIds: [member, viaGroup] }] },
    });
    await env.session.call('PUT', '/v1/admin/permissions/users', {
      body: { permissions: [{ permissionId: compensation.permissionId, userIds: [member] }] },
    });
    const direct = (await env.session.get(`/v1/admin/permissions/${compensation.permissionId}/users`)).json as Holders;
    expect(new Set(direct.tenants[0]?.users.map((u) => u.permissionFrom))).toEqual(new Set(['User']));
    const withGroups = (
      await env.session.get(`/v1/admin/permissions/${compensation.permissionId}/users`, { includeUserGroups: true })
    ).json as Holders & { limit: number; start: number };
    expect(withGroups.limit).toBe(100);
    expect(withGroups.start).toBe(0);
    const users = withGroups.tenants[0]?.users ?? [];
    expect(users.find((u) => u.userId === member)?.permissionFrom).toBe('UserAndUserGroup');
    expect(users.find((u) => u.userId === viaGroup)?.permissionFrom).toBe('UserGroup');
    expect(direct.tenants[0]?.users.map((u) => u.userId)).not.toContain(viaGroup);
    expect(users.map((u) => u.userId)).not.toContain(dana.userId);
  });

  it('pages over tenants: start=1 returns no tenants', async () => {
    const page = (await env.session.get(`/v1/admin/permissions/${compensation.permissionId}/users`, { start: 1 })).json;
    expect(page).toEqual({ tenants: [], limit: 100, start: 1 });
  });
});
