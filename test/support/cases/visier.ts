// Visier's case for the parameterised suites: the demo tenant's fixed users, groups and permissions
// (src/sandbox/visier/demo-ids.ts), whatever the seed.
import type { RequestLogEntry, SandboxHandle } from '../../../src/sandbox/index.js';
import { DEMO_GROUPS, DEMO_PERMISSIONS, DEMO_TENANTS, DEMO_USERS, INJECTION_TEXT } from '../../../src/sandbox/index.js';
import { isChange } from '../visier-requests.js';
import type { ProviderCase } from './types.js';

const dana = DEMO_USERS.dana;
const mallory = DEMO_USERS.mallory;
const contractors = DEMO_GROUPS.contractors.userGroupId;
const admin = DEMO_PERMISSIONS.admin.permissionId;

// Signing in is a POST too, but changes nothing in the tenant.
const AUTH_PATHS = new Set(['/v1/admin/visierSecureToken', '/v1/auth/oauth2/token']);
const dataRequests = (sandbox: SandboxHandle): RequestLogEntry[] =>
  sandbox.requests.filter((r) => !AUTH_PATHS.has(r.path));
const user = (sandbox: SandboxHandle, userId: string) => sandbox.snapshot().users.find((u) => u.userId === userId);
const members = (sandbox: SandboxHandle, userGroupId: string) =>
  sandbox.snapshot().userGroups.find((g) => g.userGroupId === userGroupId)?.memberIds ?? [];

export const visierCase: ProviderCase = {
  id: 'visier',
  read: { tool: 'list_users', args: { search: 'whitfield' }, expectText: dana.displayName },
  write: {
    tool: 'update_user',
    args: { userId: dana.userId, displayName: 'Dana Whitfield-Ortiz' },
    applied: (sandbox: SandboxHandle) => user(sandbox, dana.userId)?.displayName === 'Dana Whitfield-Ortiz',
  },
  access: {
    tool: 'add_users_to_group',
    args: { userGroupId: contractors, userIds: [dana.userId] },
    applied: (sandbox: SandboxHandle) => members(sandbox, contractors).includes(dana.userId),
  },
  destructive: {
    tool: 'delete_user',
    args: { userId: dana.userId },
    typedName: dana.displayName,
    applied: (sandbox: SandboxHandle) => user(sandbox, dana.userId) === undefined,
  },
  privileged: {
    tool: 'assign_permissions_to_users',
    args: { permissionIds: [admin], userIds: [dana.userId] },
    applied: (sandbox: SandboxHandle) => (sandbox.snapshot().userPermissions[admin] ?? []).includes(dana.userId),
  },
  twoItems: {
    tool: 'add_users_to_group',
    args: { userGroupId: contractors, userIds: [dana.userId, mallory.userId] },
    applied: (sandbox: SandboxHandle) => members(sandbox, contractors).includes(dana.userId),
  },
  outOfScope: { tool: 'list_users', args: { tenantCode: DEMO_TENANTS.secondary } },
  badInput: [
    { tool: 'get_user', args: { userId: 42 }, field: 'userId' },
    { tool: 'list_users', args: { limit: -1 }, field: 'limit' },
    { tool: 'update_user', args: { userId: dana.userId, accountEnabled: 'maybe' }, field: 'accountEnabled' },
    { tool: 'add_users_to_group', args: { userGroupId: contractors, userIds: [] }, field: 'userIds' },
    { tool: 'delete_user', args: {}, field: 'userId' },
  ],
  injection: { tool: 'get_user', args: { userId: mallory.userId }, text: INJECTION_TEXT },
  changeRequests: (sandbox: SandboxHandle) => dataRequests(sandbox).filter(isChange).length,
  // The username is the demo admin's, listed as directory data; the key and passwords are what must never show.
  secrets: (sandbox: SandboxHandle) => {
    const { apiKey, password, clientSecret } = sandbox.credentials;
    return [apiKey, password, clientSecret];
  },
  requests: (sandbox: SandboxHandle) => sandbox.requests.length,
};
