// Sisense for Cloud Data Teams as the parameterised suites see it: calls on the embedded sandbox's demo sites
// (users keyed by e-mail, groups by name) and how the sandbox shows that a change landed.
import type { SisenseSandboxHandle } from '../../../src/sandbox/sisense/index.js';
import {
  BUILT_IN_GROUPS,
  SISENSE_DEMO_GROUPS,
  SISENSE_DEMO_USERS,
  SISENSE_INJECTION_TEXT,
  SISENSE_SITES,
} from '../../../src/sandbox/sisense/index.js';
import type { ProviderCase } from './types.js';

const { dana, mallory } = SISENSE_DEMO_USERS;
const EU = SISENSE_SITES.secondary.site;

const groupsOf = (sandbox: SisenseSandboxHandle, email: string, site?: string) =>
  sandbox.snapshot(site).users.find((u) => u.email === email)?.groups ?? [];

export const sisenseCase: ProviderCase = {
  id: 'sisense',
  read: { tool: 'list_users', args: { search: 'whitfield' }, expectText: dana.email },
  write: {
    tool: 'update_user',
    args: { userId: dana.email, lastName: 'Whitfield-Case' },
    applied: (sandbox: SisenseSandboxHandle) =>
      sandbox.snapshot().users.find((u) => u.email === dana.email)?.last_name === 'Whitfield-Case',
  },
  access: {
    tool: 'add_users_to_group',
    args: { userGroupId: SISENSE_DEMO_GROUPS.discovery.name, userIds: [dana.email] },
    applied: (sandbox: SisenseSandboxHandle) =>
      groupsOf(sandbox, dana.email).includes(SISENSE_DEMO_GROUPS.discovery.name),
  },
  // On the second site, so the primary site's Dana stays for the other calls.
  destructive: {
    tool: 'delete_user',
    args: { userId: dana.email, site: EU },
    typedName: `${dana.first_name} ${dana.last_name}`,
    applied: (sandbox: SisenseSandboxHandle) => !sandbox.snapshot(EU).users.some((u) => u.email === dana.email),
  },
  privileged: {
    tool: 'add_users_to_group',
    args: { userGroupId: BUILT_IN_GROUPS.administrators, userIds: [dana.email] },
    applied: (sandbox: SisenseSandboxHandle) => groupsOf(sandbox, dana.email).includes(BUILT_IN_GROUPS.administrators),
  },
  twoItems: {
    tool: 'add_users_to_group',
    args: { userGroupId: SISENSE_DEMO_GROUPS.discovery.name, userIds: [dana.email, mallory.email] },
    applied: (sandbox: SisenseSandboxHandle) =>
      groupsOf(sandbox, mallory.email).includes(SISENSE_DEMO_GROUPS.discovery.name),
  },
  outOfScope: { tool: 'get_user', args: { userId: dana.email, site: SISENSE_SITES.withoutApi.site } },
  badInput: [
    { tool: 'get_user', args: { userId: 'not-an-email' }, field: 'userId' },
    {
      tool: 'create_user_groups',
      args: { userGroups: [{ name: 'Admins Too', accessLevel: 'Admin' }] },
      field: 'accessLevel',
    },
    { tool: 'bulk_delete_users', args: { csv: `userId\n${dana.email}\nnot-an-email` }, field: 'csv' },
  ],
  injection: { tool: 'get_user', args: { userId: mallory.email }, text: SISENSE_INJECTION_TEXT },
  // A dry run (test_mode=true) is validated and stored nowhere: it is not a change.
  changeRequests: (sandbox: SisenseSandboxHandle) =>
    sandbox.requests.filter((r) => r.method !== 'GET' && r.query.test_mode?.toLowerCase() !== 'true').length,
  secrets: () => [SISENSE_SITES.primary.apiKey, SISENSE_SITES.secondary.apiKey, SISENSE_SITES.withoutApi.apiKey],
  requests: (sandbox: SisenseSandboxHandle) => sandbox.requests.length,
};
