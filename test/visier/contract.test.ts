// Every request the client sends, checked against Visier's published OpenAPI spec: JSON and form bodies
// against the request schema, and every header and query parameter against those the operation declares.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { VisierClient } from '../../src/providers/visier/client.js';
import type { SandboxHandle } from '../../src/sandbox/handle.js';
import { findOperation, requireSpec, SPEC_FILES, validateRequestBody } from '../support/openapi.js';
import { clientFor, startTestSandbox } from './harness.js';
import { type RecordedRequest, type RecordingProxy, startRecordingProxy } from './recording-proxy.js';

const specPresent = requireSpec() !== undefined;

/** Headers and query parameters each operation declares, keyed "METHOD /template", lower-cased. */
function declaredParameters(): Map<string, { header: Set<string>; query: Set<string> }> {
  const out = new Map<string, { header: Set<string>; query: Set<string> }>();
  for (const file of SPEC_FILES) {
    const doc = parse(readFileSync(file, 'utf8')) as {
      paths: Record<string, Record<string, { parameters?: { in: string; name: string }[] }>>;
    };
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(item)) {
        const params = op.parameters ?? [];
        out.set(`${method.toUpperCase()} ${path}`, {
          header: new Set(params.filter((p) => p.in === 'header').map((p) => p.name.toLowerCase())),
          query: new Set(params.filter((p) => p.in === 'query').map((p) => p.name)),
        });
      }
    }
  }
  return out;
}

/** Headers that are transport or security-scheme business, not operation parameters. */
const TRANSPORT_HEADERS = new Set([
  'accept',
  'content-type',
  'content-length',
  'host',
  'connection',
  'user-agent',
  'accept-encoding',
  'accept-language',
  'sec-fetch-mode',
  'apikey',
  'cookie',
  'authorization',
]);

describe.skipIf(!specPresent)('requests match the OpenAPI spec', () => {
  let handle: SandboxHandle;
  let proxy: RecordingProxy;
  let client: VisierClient;

  beforeAll(async () => {
    handle = await startTestSandbox({ users: 30 });
    proxy = await startRecordingProxy(handle.url);
    client = clientFor({ ...handle, url: proxy.url }, { tenantCode: handle.tenants.primary });
  });
  afterAll(async () => {
    await client.close();
    await proxy.close();
    await handle.close();
  });

  async function exerciseEveryOperation(c: VisierClient) {
    const snap = handle.snapshot();
    const [u1, u2] = snap.users;
    const [p1, p2] = snap.permissions;
    const group = snap.userGroups[0]!;
    await c.listUsers({ limit: 5, include: { profiles: true, permissions: true, userGroups: true } });
    await c.getUser(u1!.userId, { profiles: true });
    const created = await c.createUser({
      username: 'contract@wff-demo.example',
      displayName: 'C',
      accountEnabled: true,
    });
    await c.updateUser(created.userId, { email: 'c@wff-demo.example', accountEnabled: false });
    await c.deleteUser(created.userId);
    const bulk = await c.bulkCreateUsers([
      { username: 'contract.b1@wff-demo.example', displayName: 'B1', employeeId: 'CB1', accountEnabled: true },
      { username: 'contract.b2@wff-demo.example' },
    ]);
    const ids = bulk.items.map((i) => i.userId!);
    await c.bulkUpdateUsers(
      ids.map((userId) => ({
        userId,
        username: `${userId}@wff-demo.example`,
        displayName: 'renamed',
        employeeId: '',
        email: '',
        accountEnabled: false,
      })),
    );
    await c.bulkDeleteUsers(ids);
    await c.listPermissions({ includeDetails: true });
    await c.listUsersWithPermission(p1!.permissionId, { includeUserGroups: true, limit: 10, start: 0 });
    await c.assignPermissionsToUsers([{ permissionId: p1!.permissionId, userIds: [u1!.userId, u2!.userId] }]);
    await c.removePermissionsFromUsers([{ permissionId: p1!.permissionId, userIds: [u1!.userId] }]);
    await c.listUserGroups({ limit: 10 });
    await c.listUserGroupsV2({ with: 'details', displayNameFilter: '*' });
    await c.getUserGroup(group.userGroupId, { with: 'users' });
    await c.listUserGroupMembers(group.userGroupId, { limit: 10 });
    await c.addUsersToGroups([{ userGroupId: group.userGroupId, userIds: [u2!.userId] }]);
    await c.removeUsersFromGroups([{ userGroupId: group.userGroupId, userIds: [u2!.userId] }]);
    await c.assignPermissionsToGroups([{ userGroupId: group.userGroupId, permissionIds: [p2!.permissionId] }]);
    await c.removePermissionsFromGroups([{ userGroupId: group.userGroupId, permissionIds: [p2!.permissionId] }]);
    const made = await c.createUserGroups([
      {
        displayName: 'Contract group',
        description: 'd',
        permissionIds: [p1!.permissionId],
        users: { manuallyIncludedIds: [u1!.userId], manuallyExcludedIds: [u2!.userId] },
      },
    ]);
    const gid = made.successes[0]!.userGroupId!;
    await c.updateUserGroups([{ userGroupId: gid, description: 'patched', users: { includeAllUsers: true } }]);
    await c.deleteUserGroups([{ userGroupId: gid }]);
    await c.getReport('permissions-list');
    await c.getReport('application-logs', { startTime: '0', endTime: '1' });
    await c.getReport('data-security', { userId: u1!.userId });
    const [profile] = await c.listProfiles();
    await c.getProfile(profile!.profileId);
    await c.getUserProfiles(u1!.userId);
    await c.assignProfile(profile!.profileId, {
      userIds: [u2!.userId],
      validityStartTime: String(Date.UTC(2026, 0, 1)),
      validityEndTime: String(Date.UTC(2027, 0, 1)),
    });
    await c.removeProfile(profile!.profileId, [u2!.userId]);
    await c.createProject({ name: 'Contract project', description: 'd', releaseVersion: 'r', ticketNumber: 't' });
    await c.listProjects({ states: ['Open', 'Archived'], limit: 10 });
  }

  function templateOf(r: RecordedRequest): string {
    const op = findOperation(r.method, r.path);
    expect(op, `${r.method} ${r.path} is not in the spec`).toBeDefined();
    return `${op!.method} ${op!.path}`;
  }

  it('every body, header and query parameter the client sends is one the spec declares', async () => {
    proxy.recorded.length = 0;
    await exerciseEveryOperation(client);
    const declared = declaredParameters();
    const seen = new Set<string>();
    const problems: string[] = [];
    for (const r of proxy.recorded) {
      const template = templateOf(r);
      seen.add(template);
      const contentType = String(r.headers['content-type'] ?? '');
      const body =
        r.body === ''
          ? undefined
          : contentType.includes('json')
            ? JSON.parse(r.body)
            : Object.fromEntries(new URLSearchParams(r.body));
      for (const e of validateRequestBody(r.method, r.path, body)) problems.push(`${template} body: ${e}`);
      const params = declared.get(template)!;
      for (const name of Object.keys(r.headers)) {
        if (!TRANSPORT_HEADERS.has(name) && !params.header.has(name))
          problems.push(`${template} header ${name} not declared`);
      }
      for (const name of r.query.keys()) {
        if (!params.query.has(name)) problems.push(`${template} query ${name} not declared`);
      }
    }
    expect(problems).toEqual([]);
    expect(seen.size).toBe(34);
  });

  it('would catch the wire mistakes the client normalises away', () => {
    expect(
      validateRequestBody('POST', '/v2/admin/users', { users: [{ username: 'x', accountEnabled: true }] }),
    ).not.toEqual([]);
    expect(
      validateRequestBody('POST', '/v2/admin/user-groups', {
        userGroups: [{ displayName: 'g', permissionIds: ['p'] }],
      }),
    ).not.toEqual([]);
  });

  it('sends ProjectID only where the endpoint takes it, and tenantCode where it has the parameter', async () => {
    const projectClient = clientFor(
      { ...handle, url: proxy.url },
      { projectId: '2f1e2d3c-0000-4000-8000-000000000001' },
    );
    const [u1] = handle.snapshot().users;
    proxy.recorded.length = 0;
    await projectClient.getUser(u1!.userId).catch(() => undefined);
    await projectClient.createUser({ username: 'project.create@wff-demo.example' }).catch(() => undefined);
    await projectClient.bulkDeleteUsers(['none']).catch(() => undefined);
    await projectClient.listUserGroupMembers('g').catch(() => undefined);
    await projectClient.close();
    const data = proxy.recorded.filter((r) => !r.path.includes('visierSecureToken'));
    expect(
      data.map((r) => [
        `${r.method} ${r.path}`,
        r.headers.projectid,
        r.query.get('tenantCode'),
        r.headers.targettenantid,
      ]),
    ).toEqual([
      [`GET /v1/admin/users/${u1!.userId}`, '2f1e2d3c-0000-4000-8000-000000000001', handle.tenants.primary, undefined],
      ['POST /v1/admin/users', undefined, handle.tenants.primary, undefined],
      ['DELETE /v2/admin/users', undefined, handle.tenants.primary, undefined],
      ['GET /v1/admin/user-groups/g/users', '2f1e2d3c-0000-4000-8000-000000000001', null, handle.tenants.primary],
    ]);
  });
});
