import { describe, expect, it } from 'vitest';
import { DEMO_PERMISSIONS, DEMO_USERS } from '../../src/sandbox/index.js';
import { sandboxSuite } from './session.js';

const env = sandboxSuite({ users: 40 });

type Users = { users: { userId: string; username: string }[] };

describe('two tenants', () => {
  it('primary by default; tenantCode or TargetTenantID selects the secondary, whose users differ', async () => {
    expect(env.sandbox.tenants).toEqual({ primary: 'WFF_demo~c01', secondary: 'WFF_demo~c02' });
    const primary = (await env.session.get('/v1/admin/users', { limit: 1000 })).json as Users;
    const byQuery = (
      await env.session.get('/v1/admin/users', { limit: 1000, tenantCode: env.sandbox.tenants.secondary })
    ).json as Users;
    const byHeader = (
      await env.session.get('/v1/admin/users', { limit: 1000 }, { TargetTenantID: env.sandbox.tenants.secondary })
    ).json as Users;
    expect(primary.users).toHaveLength(40);
    expect(byQuery.users).toHaveLength(25);
    expect(byHeader.users).toEqual(byQuery.users);
    expect(byQuery.users.map((u) => u.userId)).not.toContain(DEMO_USERS.dana.userId);
    expect(byQuery.users[0]?.username).toBe(DEMO_USERS.admin.username);
    const shared = byQuery.users.filter((u) => primary.users.some((p) => p.userId === u.userId));
    expect(shared).toEqual([]);
  });

  it('an unknown tenant code is a 403 Status', async () => {
    const call = await env.session.get('/v1/admin/users', { tenantCode: 'WFF_nope~c99' });
    expect(call.status).toBe(403);
    expect(call.json).toMatchObject({
      code: 'PermissionDenied',
      localizedMessage: "Tenant 'WFF_nope~c99' does not exist or is not accessible",
    });
  });

  it('writes in one tenant never show in the other', async () => {
    const before = env.sandbox.snapshot(env.sandbox.tenants.primary);
    const created = await env.session.call('POST', '/v1/admin/users', {
      query: { tenantCode: env.sandbox.tenants.secondary },
      body: { username: 'only.in.c02@wff-demo.example' },
    });
    expect(created.status).toBe(201);
    const secondaryUser = (created.json as { userId: string }).userId;
    const assigned = await env.session.call('PUT', '/v1/admin/permissions/users', {
      headers: { TargetTenantID: env.sandbox.tenants.secondary },
      body: { permissions: [{ permissionId: DEMO_PERMISSIONS.compensation.permissionId, userIds: [secondaryUser] }] },
    });
    expect((assigned.json as { tenants: { tenantCode: string; status: string }[] }).tenants[0]).toMatchObject({
      tenantCode: env.sandbox.tenants.secondary,
      status: 'Succeed',
    });
    expect(env.sandbox.snapshot(env.sandbox.tenants.primary)).toEqual(before);
    expect((await env.session.get(`/v1/admin/users/${secondaryUser}`)).status).toBe(404);
    expect(
      env.sandbox.snapshot(env.sandbox.tenants.secondary).userPermissions[DEMO_PERMISSIONS.compensation.permissionId],
    ).toContain(secondaryUser);
  });

  it('targetProjectForTenantsList applies an assignment per tenant, an unknown tenant failing alone', async () => {
    const call = await env.session.call('PUT', '/v1/admin/permissions/users', {
      body: {
        permissions: [
          { permissionId: DEMO_PERMISSIONS.payrollAuditor.permissionId, userIds: [DEMO_USERS.dana.userId] },
        ],
        targetProjectForTenantsList: {
          targetProjectForTenants: [
            { tenantCode: env.sandbox.tenants.primary },
            { tenantCode: 'WFF_nope~c99', projectId: 'p1' },
          ],
        },
      },
    });
    const tenants = (call.json as { tenants: Record<string, unknown>[] }).tenants;
    expect(tenants.map((t) => [t.tenantCode, t.status])).toEqual([
      [env.sandbox.tenants.primary, 'Succeed'],
      ['WFF_nope~c99', 'Failed'],
    ]);
    expect(tenants[1]).toEqual({
      tenantCode: 'WFF_nope~c99',
      status: 'Failed',
      message: "Tenant 'WFF_nope~c99' does not exist or is not accessible",
      projectId: 'p1',
    });
  });

  it('the request log records the tenant each call named', async () => {
    env.sandbox.clearRequests();
    await env.session.get('/v1/admin/permissions', { tenantCode: env.sandbox.tenants.secondary });
    await env.session.get('/v1/admin/permissions', undefined, { TargetTenantID: env.sandbox.tenants.secondary });
    await env.session.get('/v1/admin/permissions');
    expect(env.sandbox.requests.map((r) => [r.method, r.path, r.tenant, r.status])).toEqual([
      ['GET', '/v1/admin/permissions', env.sandbox.tenants.secondary, 200],
      ['GET', '/v1/admin/permissions', env.sandbox.tenants.secondary, 200],
      ['GET', '/v1/admin/permissions', undefined, 200],
    ]);
    expect(env.sandbox.requests[0]?.query).toEqual({ tenantCode: env.sandbox.tenants.secondary });
  });
});
