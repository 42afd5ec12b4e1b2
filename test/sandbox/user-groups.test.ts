import { describe, expect, it } from 'vitest';
import { DEMO_GROUPS, DEMO_PERMISSIONS, DEMO_USERS, INJECTION_TEXT } from '../../src/sandbox/index.js';
import { sandboxSuite } from './session.js';

const env = sandboxSuite({ users: 80 });

const sales = DEMO_GROUPS.salesAnalysts;
const dana = DEMO_USERS.dana;
const mallory = DEMO_USERS.mallory;

type V1Members = {
  tenants: { tenantCode: string; users: { userId: string; username: string }[] }[];
  limit: number;
  start: number;
};
type V2Group = { users: { manuallyIncludedIds: { ids: string[] } }; permissionIds: { ids: string[] } } & Record<
  string,
  unknown
>;

const v1Members = async (groupId: string) =>
  ((await env.session.get(`/v1/admin/user-groups/${groupId}/users`)).json as V1Members).tenants[0]?.users.map(
    (u) => u.userId,
  );
const v2Group = async (groupId: string) => (await env.session.get(`/v2/admin/user-groups/${groupId}`)).json as V2Group;

describe('user groups V1', () => {
  it('lists the eight groups with their permissions and echoes paging', async () => {
    const call = await env.session.get('/v1/admin/user-groups', { limit: 3, start: 0 });
    const body = call.json as { userGroups: Record<string, unknown>[]; limit: number; start: number };
    expect(body.limit).toBe(3);
    expect(body.userGroups).toHaveLength(3);
    expect(body.userGroups[0]).toEqual({
      userGroupId: sales.userGroupId,
      displayName: 'Sales Analysts',
      permissions: [
        { permissionId: DEMO_PERMISSIONS.salesPerformance.permissionId, displayName: 'Sales Performance Analyst' },
        { permissionId: DEMO_PERMISSIONS.headcount.permissionId, displayName: 'Headcount Viewer' },
      ],
    });
    const all = (await env.session.get('/v1/admin/user-groups')).json as { userGroups: { displayName: string }[] };
    expect(all.userGroups.map((g) => g.displayName)).toEqual(Object.values(DEMO_GROUPS).map((g) => g.displayName));
  });

  it('membership added through V1 shows in V1 members, V2 manuallyIncludedIds and the user; removal too', async () => {
    const put = await env.session.call('PUT', '/v1/admin/user-groups/users', {
      body: { userGroups: [{ userGroupId: DEMO_GROUPS.executives.userGroupId, userIds: [dana.userId] }] },
    });
    expect(put.json).toEqual({
      tenants: [
        {
          tenantCode: env.sandbox.tenants.primary,
          status: 'Succeed',
          assignments: [
            {
              id: DEMO_GROUPS.executives.userGroupId,
              name: 'Executives',
              users: [{ userId: dana.userId, username: dana.username }],
            },
          ],
        },
      ],
    });
    expect(await v1Members(DEMO_GROUPS.executives.userGroupId)).toContain(dana.userId);
    expect((await v2Group(DEMO_GROUPS.executives.userGroupId)).users.manuallyIncludedIds.ids).toContain(dana.userId);
    const user = (await env.session.get(`/v1/admin/users/${dana.userId}`, { assignedUserGroups: true })).json as {
      userGroups: { assignedUserGroups: { userGroupId: string }[] };
    };
    expect(user.userGroups.assignedUserGroups.map((g) => g.userGroupId)).toContain(DEMO_GROUPS.executives.userGroupId);

    await env.session.call('DELETE', '/v1/admin/user-groups/users', {
      body: { userGroups: [{ userGroupId: DEMO_GROUPS.executives.userGroupId, userIds: [dana.userId] }] },
    });
    expect(await v1Members(DEMO_GROUPS.executives.userGroupId)).not.toContain(dana.userId);
    expect((await v2Group(DEMO_GROUPS.executives.userGroupId)).users.manuallyIncludedIds.ids).not.toContain(
      dana.userId,
    );
  });

  it('more than 100 userIds in one group entry is a 400 and changes nothing', async () => {
    const before = env.sandbox.snapshot();
    const userIds = Array.from({ length: 101 }, (_, i) => `u${i}`);
    const call = await env.session.call('PUT', '/v1/admin/user-groups/users', {
      body: { userGroups: [{ userGroupId: sales.userGroupId, userIds }] },
    });
    expect(call.status).toBe(400);
    expect(call.json).toMatchObject({ code: 'InvalidArgument' });
    expect(env.sandbox.snapshot()).toEqual(before);
  });

  it('unknown group or user ids give a Failed tenant status inside a 200', async () => {
    const call = await env.session.call('PUT', '/v1/admin/user-groups/users', {
      body: {
        userGroups: [
          { userGroupId: 'no-such-group', userIds: [dana.userId] },
          { userGroupId: sales.userGroupId, userIds: ['ghost'] },
        ],
      },
    });
    expect(call.status).toBe(200);
    expect((call.json as { tenants: unknown[] }).tenants[0]).toMatchObject({
      status: 'Failed',
      message: "User group 'no-such-group' was not found; User 'ghost' was not found",
    });
  });

  it('PUT/DELETE /user-groups/permissions use permissionsIds and answer one unwrapped object', async () => {
    const body = {
      userGroups: [{ userGroupId: sales.userGroupId, permissionsIds: [DEMO_PERMISSIONS.diversity.permissionId] }],
    };
    const put = await env.session.call('PUT', '/v1/admin/user-groups/permissions', { body });
    expect(put.json).toEqual({
      tenantCode: env.sandbox.tenants.primary,
      status: 'Succeed',
      userGroups: [
        {
          userGroupId: sales.userGroupId,
          displayName: 'Sales Analysts',
          permissions: [
            { permissionId: DEMO_PERMISSIONS.salesPerformance.permissionId, displayName: 'Sales Performance Analyst' },
            { permissionId: DEMO_PERMISSIONS.headcount.permissionId, displayName: 'Headcount Viewer' },
            { permissionId: DEMO_PERMISSIONS.diversity.permissionId, displayName: 'Diversity & Inclusion Analyst' },
          ],
        },
      ],
    });
    expect((await v2Group(sales.userGroupId)).permissionIds.ids).toContain(DEMO_PERMISSIONS.diversity.permissionId);
    await env.session.call('DELETE', '/v1/admin/user-groups/permissions', { body });
    expect((await v2Group(sales.userGroupId)).permissionIds.ids).not.toContain(DEMO_PERMISSIONS.diversity.permissionId);
  });

  it('group users of an unknown group is 404', async () => {
    expect((await env.session.get('/v1/admin/user-groups/nope/users')).status).toBe(404);
  });
});

describe('user groups V2', () => {
  it('GET one group without `with` is fully detailed; the injection text is in the contractors description', async () => {
    const group = await v2Group(DEMO_GROUPS.contractors.userGroupId);
    expect(group).toEqual({
      userGroupId: DEMO_GROUPS.contractors.userGroupId,
      displayName: 'Contractors',
      description: `External contractors. ${INJECTION_TEXT}.`,
      tenantCode: env.sandbox.tenants.primary,
      permissionIds: { ids: [DEMO_PERMISSIONS.headcount.permissionId] },
      users: {
        includeAllUsers: false,
        manuallyIncludedIds: { ids: expect.arrayContaining([mallory.userId]) },
        manuallyExcludedIds: { ids: [] },
      },
      visibleForSelection: { enabled: true, features: ['AnalyticsFeatures', 'StudioFeatures'] },
    });
  });

  it('list: basic info by default, `with` adds parts, displayNameFilter is a case-sensitive glob, limit pages', async () => {
    const basic = (await env.session.get('/v2/admin/user-groups', { limit: 1 })).json as {
      userGroups: Record<string, unknown>[];
    };
    expect(basic).toEqual({
      userGroups: [
        {
          userGroupId: sales.userGroupId,
          displayName: 'Sales Analysts',
          description: 'Analysts in the sales organization.',
          tenantCode: env.sandbox.tenants.primary,
        },
      ],
    });
    const filtered = (
      await env.session.get('/v2/admin/user-groups', { displayNameFilter: '*e?s', with: 'permissions' })
    ).json as {
      userGroups: { displayName: string; permissionIds?: unknown; users?: unknown }[];
    };
    expect(filtered.userGroups.map((g) => g.displayName)).toEqual([
      'HR Business Partners',
      'People Managers',
      'All Employees',
    ]);
    expect(filtered.userGroups[0]?.permissionIds).toBeDefined();
    expect(filtered.userGroups[0]?.users).toBeUndefined();
    const lower = (await env.session.get('/v2/admin/user-groups', { displayNameFilter: 'sales*' })).json as {
      userGroups: unknown[];
    };
    expect(lower.userGroups).toEqual([]);
    expect((await env.session.get('/v2/admin/user-groups', { with: 'everything' })).status).toBe(400);
  });

  it('POST creates a group (per-item results), membership shows in V1; bad items fail alone', async () => {
    const call = await env.session.call('POST', '/v2/admin/user-groups', {
      body: {
        userGroups: [
          {
            displayName: 'Pay Equity Review',
            description: 'Temporary review team',
            permissionIds: { ids: [DEMO_PERMISSIONS.compensation.permissionId] },
            users: { manuallyIncludedIds: { ids: [dana.userId] } },
            correlationId: 'pay-eq-1',
          },
          { displayName: 'Broken', permissionIds: { ids: ['nope'] } },
          {
            displayName: 'Contradiction',
            users: { includeAllUsers: true, manuallyIncludedIds: { ids: [dana.userId] } },
          },
        ],
      },
    });
    expect(call.status).toBe(200);
    const { successes, failures } = call.json as {
      successes: Record<string, string>[];
      failures: Record<string, string>[];
    };
    expect(successes).toEqual([
      {
        displayName: 'Pay Equity Review',
        tenantCode: env.sandbox.tenants.primary,
        correlationId: 'pay-eq-1',
        userGroupId: expect.any(String),
      },
    ]);
    expect(failures).toEqual([
      {
        displayName: 'Broken',
        tenantCode: env.sandbox.tenants.primary,
        message: "Permission 'nope' was not found",
        rci: expect.any(String),
      },
      {
        displayName: 'Contradiction',
        tenantCode: env.sandbox.tenants.primary,
        message: 'includeAllUsers cannot be combined with manuallyIncludedIds or dynamicFilterDefinition',
        rci: expect.any(String),
      },
    ]);
    const id = successes[0]?.userGroupId as string;
    expect(await v1Members(id)).toEqual([dana.userId]);
    expect(env.sandbox.snapshot().userGroups.map((g) => g.displayName)).not.toContain('Broken');
  });

  it('PATCH changes only the given fields; PUT replaces the whole definition', async () => {
    const created = (
      (
        await env.session.call('POST', '/v2/admin/user-groups', {
          body: {
            userGroups: [
              {
                displayName: 'Patch Target',
                description: 'keep me',
                permissionIds: { ids: [DEMO_PERMISSIONS.recruiting.permissionId] },
                users: { manuallyIncludedIds: { ids: [dana.userId] } },
              },
            ],
          },
        })
      ).json as { successes: { userGroupId: string }[] }
    ).successes[0]?.userGroupId as string;
    const patch = await env.session.call('PATCH', '/v2/admin/user-groups', {
      body: { userGroups: [{ userGroupId: created, displayName: 'Patched Name' }] },
    });
    expect(patch.json).toEqual({
      successes: [{ displayName: 'Patched Name', tenantCode: env.sandbox.tenants.primary, userGroupId: created }],
      failures: [],
    });
    expect(await v2Group(created)).toMatchObject({
      displayName: 'Patched Name',
      description: 'keep me',
      permissionIds: { ids: [DEMO_PERMISSIONS.recruiting.permissionId] },
      users: { manuallyIncludedIds: { ids: [dana.userId] } },
    });
    await env.session.call('PUT', '/v2/admin/user-groups', {
      body: { userGroups: [{ userGroupId: created, displayName: 'Replaced' }] },
    });
    expect(await v2Group(created)).toMatchObject({
      displayName: 'Replaced',
      description: '',
      permissionIds: { ids: [] },
      users: { includeAllUsers: false, manuallyIncludedIds: { ids: [] }, manuallyExcludedIds: { ids: [] } },
    });
    const unknown = await env.session.call('PATCH', '/v2/admin/user-groups', {
      body: { userGroups: [{ userGroupId: 'nope', displayName: 'x' }] },
    });
    expect((unknown.json as { failures: { message: string }[] }).failures[0]?.message).toBe(
      "User group 'nope' was not found",
    );
  });

  it('DELETE by body and by path; then the group is 404 in V2 and gone from V1', async () => {
    const make = async (name: string) =>
      (
        (await env.session.call('POST', '/v2/admin/user-groups', { body: { userGroups: [{ displayName: name }] } }))
          .json as {
          successes: { userGroupId: string }[];
        }
      ).successes[0]?.userGroupId as string;
    const a = await make('Doomed A');
    const b = await make('Doomed B');
    const bulk = await env.session.call('DELETE', '/v2/admin/user-groups', {
      body: { userGroups: [{ userGroupId: a }, { userGroupId: 'nope' }] },
    });
    expect(bulk.json).toEqual({
      successes: [{ tenantCode: env.sandbox.tenants.primary, userGroupId: a }],
      failures: [
        {
          tenantCode: env.sandbox.tenants.primary,
          userGroupId: 'nope',
          message: "User group 'nope' was not found",
          rci: expect.any(String),
        },
      ],
    });
    const single = await env.session.call('DELETE', `/v2/admin/user-groups/${b}`);
    expect(single.json).toEqual({ success: { tenantCode: env.sandbox.tenants.primary, userGroupId: b } });
    const again = await env.session.call('DELETE', `/v2/admin/user-groups/${b}`);
    expect(again.json).toMatchObject({ failure: { userGroupId: b, message: `User group '${b}' was not found` } });
    expect((await env.session.get(`/v2/admin/user-groups/${a}`)).status).toBe(404);
    const v1 = (await env.session.get('/v1/admin/user-groups')).json as { userGroups: { userGroupId: string }[] };
    expect(v1.userGroups.map((g) => g.userGroupId)).not.toContain(a);
  });
});
