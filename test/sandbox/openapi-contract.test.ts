// Every sandbox response for each user-management path and method, checked against Visier's published
// OpenAPI spec. Where the sandbox follows observed live behaviour instead of the spec, the exception is
// named in the test that covers it.
import { describe, expect, it } from 'vitest';
import { DEMO_GROUPS, DEMO_PERMISSIONS, DEMO_PROFILES, DEMO_USERS } from '../../src/sandbox/index.js';
import { routes } from '../../src/sandbox/visier/routes/index.js';
import { findOperation, requireSpec, validateRequestBody, validateResponse } from '../support/openapi.js';
import { type Call, oauthRequest, rawCall, type SandboxSuite, type Session, sandboxSuite } from './session.js';

const spec = requireSpec();
const suite = spec ? describe : describe.skip;

let env: SandboxSuite;
const exercised = new Set<string>();

/** Sends a call, checks the request body against the spec too, and records the operation as covered. */
async function checked(
  method: string,
  template: string,
  concrete: string,
  options: Parameters<Session['call']>[2] = {},
) {
  if (options.body !== undefined) expect(validateRequestBody(method, template, options.body)).toEqual([]);
  const call = await env.session.call(method, concrete, options);
  exercised.add(`${method} ${template}`);
  return call;
}

function expectValid(method: string, template: string, call: Call) {
  expect(validateResponse(method, template, call.status, call.json)).toEqual([]);
  expect(call.headers.get('content-type')).toBe('application/json');
}

suite('OpenAPI contract: sandbox responses match Visier’s spec', () => {
  env = sandboxSuite({ users: 40 });

  const dana = DEMO_USERS.dana.userId;
  const group = DEMO_GROUPS.salesAnalysts.userGroupId;
  const permission = DEMO_PERMISSIONS.compensation.permissionId;

  it('authentication: secure token is text/plain, OAuth token matches TokenResponse, errors are Status', async () => {
    const { username, password } = env.sandbox.credentials;
    const asid = await fetch(`${env.sandbox.url}/v1/admin/visierSecureToken`, {
      method: 'POST',
      body: new URLSearchParams({ username, password }),
    });
    expect(asid.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(validateResponse('POST', '/v1/admin/visierSecureToken', 200, await asid.text())).toEqual([]);
    const bad = await rawCall(env.sandbox, 'POST', '/v1/admin/visierSecureToken', {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expectValid('POST', '/v1/admin/visierSecureToken', bad);
    const oauth = await oauthRequest(env.sandbox, { grant_type: 'password', username, password });
    expect(validateResponse('POST', '/v1/auth/oauth2/token', 200, await oauth.json())).toEqual([]);
  });

  it('users V1 list/read/create/update match; DELETE is 204 (EXCEPTION: spec says 200 {}, Visier’s own integration test sees 204)', async () => {
    const flags = { assignedProfiles: true, assignedPermissions: true, assignedUserGroups: true };
    expectValid(
      'GET',
      '/v1/admin/users',
      await checked('GET', '/v1/admin/users', '/v1/admin/users', { query: { limit: 5, ...flags } }),
    );
    expectValid(
      'GET',
      '/v1/admin/users/{userId}',
      await checked('GET', '/v1/admin/users/{userId}', `/v1/admin/users/${dana}`, { query: flags }),
    );
    const created = await checked('POST', '/v1/admin/users', '/v1/admin/users', {
      body: {
        username: 'contract@wff-demo.example',
        displayName: 'Contract',
        employeeId: 'C1',
        accountEnabled: 'true',
        email: 'contract@wff-demo.example',
      },
    });
    expect(created.status).toBe(201);
    expectValid('POST', '/v1/admin/users', created);
    const id = (created.json as { userId: string }).userId;
    expectValid(
      'PUT',
      '/v1/admin/users/{userId}',
      await checked('PUT', '/v1/admin/users/{userId}', `/v1/admin/users/${id}`, {
        body: { displayName: 'Contract 2' },
      }),
    );
    const deleted = await checked('DELETE', '/v1/admin/users/{userId}', `/v1/admin/users/${id}`);
    expect(deleted.status).toBe(204);
    expect(validateResponse('DELETE', '/v1/admin/users/{userId}', 204, undefined)).toEqual([
      'status 204 is not documented for DELETE /v1/admin/users/{userId}',
    ]);
    const missing = await checked('GET', '/v1/admin/users/{userId}', `/v1/admin/users/${id}`);
    expect(missing.status).toBe(404);
    expectValid('GET', '/v1/admin/users/{userId}', missing);
  });

  it('permissions: list, detail, assignment and holders match', async () => {
    expectValid(
      'GET',
      '/v1/admin/permissions',
      await checked('GET', '/v1/admin/permissions', '/v1/admin/permissions', { query: { includeDetails: true } }),
    );
    expectValid(
      'GET',
      '/v1/admin/permissions/{permissionId}',
      await checked('GET', '/v1/admin/permissions/{permissionId}', `/v1/admin/permissions/${permission}`),
    );
    const body = { permissions: [{ permissionId: permission, userIds: [dana, 'ghost'] }] };
    expectValid(
      'PUT',
      '/v1/admin/permissions/users',
      await checked('PUT', '/v1/admin/permissions/users', '/v1/admin/permissions/users', { body }),
    );
    expectValid(
      'DELETE',
      '/v1/admin/permissions/users',
      await checked('DELETE', '/v1/admin/permissions/users', '/v1/admin/permissions/users', { body }),
    );
    expectValid(
      'GET',
      '/v1/admin/permissions/{permissionId}/users',
      await checked('GET', '/v1/admin/permissions/{permissionId}/users', `/v1/admin/permissions/${permission}/users`, {
        query: { includeUserGroups: true },
      }),
    );
  });

  it('user groups V1 match', async () => {
    expectValid('GET', '/v1/admin/user-groups', await checked('GET', '/v1/admin/user-groups', '/v1/admin/user-groups'));
    expectValid(
      'GET',
      '/v1/admin/user-groups/{userGroupId}/users',
      await checked('GET', '/v1/admin/user-groups/{userGroupId}/users', `/v1/admin/user-groups/${group}/users`),
    );
    const members = { userGroups: [{ userGroupId: group, userIds: [dana] }] };
    expectValid(
      'PUT',
      '/v1/admin/user-groups/users',
      await checked('PUT', '/v1/admin/user-groups/users', '/v1/admin/user-groups/users', { body: members }),
    );
    expectValid(
      'DELETE',
      '/v1/admin/user-groups/users',
      await checked('DELETE', '/v1/admin/user-groups/users', '/v1/admin/user-groups/users', { body: members }),
    );
    const perms = { userGroups: [{ userGroupId: group, permissionsIds: [permission] }] };
    expectValid(
      'PUT',
      '/v1/admin/user-groups/permissions',
      await checked('PUT', '/v1/admin/user-groups/permissions', '/v1/admin/user-groups/permissions', { body: perms }),
    );
    expectValid(
      'DELETE',
      '/v1/admin/user-groups/permissions',
      await checked('DELETE', '/v1/admin/user-groups/permissions', '/v1/admin/user-groups/permissions', {
        body: perms,
      }),
    );
  });

  it('user groups V2 match', async () => {
    expectValid(
      'GET',
      '/v2/admin/user-groups',
      await checked('GET', '/v2/admin/user-groups', '/v2/admin/user-groups', { query: { with: 'details' } }),
    );
    expectValid(
      'GET',
      '/v2/admin/user-groups/{userGroupId}',
      await checked('GET', '/v2/admin/user-groups/{userGroupId}', `/v2/admin/user-groups/${group}`),
    );
    const created = await checked('POST', '/v2/admin/user-groups', '/v2/admin/user-groups', {
      body: {
        userGroups: [
          {
            displayName: 'Contract Group',
            description: 'x',
            permissionIds: { ids: [permission] },
            users: { manuallyIncludedIds: { ids: [dana] } },
            correlationId: 'c-1',
          },
          { displayName: 'Bad', permissionIds: { ids: ['nope'] } },
        ],
      },
    });
    expectValid('POST', '/v2/admin/user-groups', created);
    const id = (created.json as { successes: { userGroupId: string }[] }).successes[0]?.userGroupId as string;
    expectValid(
      'PATCH',
      '/v2/admin/user-groups',
      await checked('PATCH', '/v2/admin/user-groups', '/v2/admin/user-groups', {
        body: { userGroups: [{ userGroupId: id, description: 'y' }] },
      }),
    );
    expectValid(
      'PUT',
      '/v2/admin/user-groups',
      await checked('PUT', '/v2/admin/user-groups', '/v2/admin/user-groups', {
        body: {
          userGroups: [
            {
              userGroupId: id,
              displayName: 'Contract Group',
              visibleForSelection: { enabled: true, features: ['AnalyticsFeatures'] },
            },
          ],
        },
      }),
    );
    expectValid(
      'DELETE',
      '/v2/admin/user-groups/{userGroupId}',
      await checked('DELETE', '/v2/admin/user-groups/{userGroupId}', `/v2/admin/user-groups/${id}`),
    );
    expectValid(
      'DELETE',
      '/v2/admin/user-groups',
      await checked('DELETE', '/v2/admin/user-groups', '/v2/admin/user-groups', {
        body: { userGroups: [{ userGroupId: id }] },
      }),
    );
  });

  it('profiles match: list, detail, a user’s profiles, assign (with bad user ids) and remove', async () => {
    const profile = DEMO_PROFILES.manager.profileId;
    expectValid('GET', '/v1/admin/profiles', await checked('GET', '/v1/admin/profiles', '/v1/admin/profiles'));
    expectValid(
      'GET',
      '/v1/admin/profiles/{profileId}',
      await checked('GET', '/v1/admin/profiles/{profileId}', `/v1/admin/profiles/${profile}`),
    );
    const assigned = await checked(
      'PUT',
      '/v1/admin/profiles/{profileId}/assign',
      `/v1/admin/profiles/${profile}/assign`,
      {
        body: { targetUserIds: [dana, 'ghost'], validityStartTime: String(Date.UTC(2026, 0, 1)) },
      },
    );
    expectValid('PUT', '/v1/admin/profiles/{profileId}/assign', assigned);
    expect((assigned.json as { badUserIds: unknown[] }).badUserIds).toHaveLength(1);
    const held = await checked('GET', '/v1/admin/users/{userId}/profiles', `/v1/admin/users/${dana}/profiles`);
    expectValid('GET', '/v1/admin/users/{userId}/profiles', held);
    expect((held.json as { assignedProfiles: { validityStartTime?: string }[] }).assignedProfiles.at(-1)).toMatchObject(
      {
        profileId: profile,
        validityStartTime: String(Date.UTC(2026, 0, 1)),
      },
    );
    expectValid(
      'DELETE',
      '/v1/admin/profiles/{profileId}/remove',
      await checked('DELETE', '/v1/admin/profiles/{profileId}/remove', `/v1/admin/profiles/${profile}/remove`, {
        body: { targetUserIds: [dana, 'ghost'] },
      }),
    );
    const missing = await checked('GET', '/v1/admin/profiles/{profileId}', '/v1/admin/profiles/ghost');
    expect(missing.status).toBe(404);
    expectValid('GET', '/v1/admin/profiles/{profileId}', missing);
  });

  it('projects match: create, list by state, read one', async () => {
    const created = await checked('POST', '/v1/admin/projects', '/v1/admin/projects', {
      body: { name: 'Contract project', description: 'x', ticketNumber: 'T-1' },
    });
    expectValid('POST', '/v1/admin/projects', created);
    const id = (created.json as { id: string }).id;
    expectValid(
      'GET',
      '/v1/admin/projects',
      await checked('GET', '/v1/admin/projects', '/v1/admin/projects', { query: { with: 'Open', limit: 10 } }),
    );
    expectValid(
      'GET',
      '/v1/admin/projects/{projectId}',
      await checked('GET', '/v1/admin/projects/{projectId}', `/v1/admin/projects/${id}`),
    );
    const nameless = await checked('POST', '/v1/admin/projects', '/v1/admin/projects', { body: { description: 'x' } });
    expect(nameless.status).toBe(400);
    expectValid('POST', '/v1/admin/projects', nameless);
  });

  it('users V2 bulk matches, including per-item failures with userName', async () => {
    const created = await checked('POST', '/v2/admin/users', '/v2/admin/users', {
      body: {
        users: [
          { username: 'bulk.contract@wff-demo.example', accountEnabled: 'true' },
          { username: DEMO_USERS.dana.username },
        ],
      },
    });
    expectValid('POST', '/v2/admin/users', created);
    const id = (created.json as { successes: { userId: string }[] }).successes[0]?.userId as string;
    expectValid(
      'PUT',
      '/v2/admin/users',
      await checked('PUT', '/v2/admin/users', '/v2/admin/users', {
        body: { users: [{ userId: id, displayName: 'B' }, { userId: 'ghost' }] },
      }),
    );
    expectValid(
      'DELETE',
      '/v2/admin/users',
      await checked('DELETE', '/v2/admin/users', '/v2/admin/users', { body: { userIds: [id, 'ghost'] } }),
    );
    const tooMany = await checked('DELETE', '/v2/admin/users', '/v2/admin/users', {
      body: { userIds: Array.from({ length: 101 }, (_, i) => `u${i}`) },
    });
    expect(tooMany.status).toBe(400);
    expectValid('DELETE', '/v2/admin/users', tooMany);
  });

  it('the five reports answer with the content type the spec names', async () => {
    const reports: [string, string][] = [
      ['/v1/admin/users/reports/permissions-list', '/v1/admin/users/reports/permissions-list'],
      ['/v1/admin/users/reports/application-logs', '/v1/admin/users/reports/application-logs'],
      ['/v1/admin/users/reports/profile-assignments', '/v1/admin/users/reports/profile-assignments'],
      ['/v1/admin/users/reports/permission-assignments', '/v1/admin/users/reports/permission-assignments'],
      ['/v1/admin/users/{userId}/reports/data-security', `/v1/admin/users/${dana}/reports/data-security`],
    ];
    for (const [template, concrete] of reports) {
      const call = await checked('GET', template, concrete);
      expect(call.status).toBe(200);
      expect(findOperation('GET', template)?.responses['200']?.contentType).toBe('application/vnd.ms-excel');
      expect(call.headers.get('content-type')).toBe('application/vnd.ms-excel');
      expect(call.bytes.subarray(0, 2).toString('latin1')).toBe('PK');
    }
  });

  it('every user-management operation the sandbox serves was exercised above and exists in the spec', () => {
    const served = [
      'GET /v1/admin/users',
      'POST /v1/admin/users',
      'GET /v1/admin/users/{userId}',
      'PUT /v1/admin/users/{userId}',
      'DELETE /v1/admin/users/{userId}',
      'GET /v1/admin/permissions',
      'GET /v1/admin/permissions/{permissionId}',
      'PUT /v1/admin/permissions/users',
      'DELETE /v1/admin/permissions/users',
      'GET /v1/admin/permissions/{permissionId}/users',
      'GET /v1/admin/user-groups',
      'GET /v1/admin/user-groups/{userGroupId}/users',
      'PUT /v1/admin/user-groups/users',
      'DELETE /v1/admin/user-groups/users',
      'PUT /v1/admin/user-groups/permissions',
      'DELETE /v1/admin/user-groups/permissions',
      'GET /v2/admin/user-groups',
      'POST /v2/admin/user-groups',
      'PUT /v2/admin/user-groups',
      'PATCH /v2/admin/user-groups',
      'DELETE /v2/admin/user-groups',
      'GET /v2/admin/user-groups/{userGroupId}',
      'DELETE /v2/admin/user-groups/{userGroupId}',
      'POST /v2/admin/users',
      'PUT /v2/admin/users',
      'DELETE /v2/admin/users',
      'GET /v1/admin/users/reports/permissions-list',
      'GET /v1/admin/users/reports/application-logs',
      'GET /v1/admin/users/reports/profile-assignments',
      'GET /v1/admin/users/reports/permission-assignments',
      'GET /v1/admin/users/{userId}/reports/data-security',
      'GET /v1/admin/profiles',
      'GET /v1/admin/profiles/{profileId}',
      'PUT /v1/admin/profiles/{profileId}/assign',
      'DELETE /v1/admin/profiles/{profileId}/remove',
      'GET /v1/admin/users/{userId}/profiles',
      'GET /v1/admin/projects',
      'POST /v1/admin/projects',
      'GET /v1/admin/projects/{projectId}',
    ];
    expect([...exercised].sort()).toEqual([...served].sort());
    for (const operation of served) {
      const [method, path] = operation.split(' ') as [string, string];
      expect(findOperation(method, path)?.path, operation).toBe(path);
    }
  });

  it('a route acts inside the project a ProjectID header names exactly where the spec declares that header', () => {
    // The Data Query route belongs to Visier's Data Out spec, which the reference folder does not hold.
    const served = routes.filter((route) => !route.public && !route.path.startsWith('/v1/data/'));
    expect(served.length).toBeGreaterThan(30);
    for (const route of served) {
      const template = route.path.replace(/:([A-Za-z]+)/g, '{$1}');
      const operation = findOperation(route.method, template);
      expect(operation, `${route.method} ${template}`).toBeDefined();
      expect(route.projects === true, `${route.method} ${template}`).toBe(operation?.headers.includes('ProjectID'));
    }
  });

  it('the validator itself catches a wrong type (accountEnabled as a string in a GET response)', () => {
    expect(validateResponse('GET', '/v1/admin/users/{userId}', 200, { userId: 'x', accountEnabled: 'true' })).toEqual([
      '/accountEnabled must be boolean',
    ]);
    expect(validateRequestBody('POST', '/v1/admin/users', { username: 'x', accountEnabled: true })).toEqual([
      '/accountEnabled must be string',
    ]);
    // Nested through $ref and allOf: a component schema two levels down is still enforced.
    const nested = { users: [{ permissions: { assignedPermissions: [{ permissionId: 5 }] } }] };
    expect(validateResponse('GET', '/v1/admin/users', 200, nested)).toEqual([
      '/users/0/permissions/assignedPermissions/0/permissionId must be string',
    ]);
    expect(validateResponse('GET', '/v2/admin/user-groups/{userGroupId}', 200, { permissionIds: ['a'] })).toEqual([
      '/permissionIds must be object',
    ]);
  });
});
