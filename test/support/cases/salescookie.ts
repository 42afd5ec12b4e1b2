// Sales Cookie as the parameterised suites see it: calls of each class on the embedded sandbox's demo workspace,
// and the sandbox's own state to tell whether a change landed. Users are keyed by e-mail; there is no delete,
// so the destructive call sets role Deactivated.
import {
  DEMO_TEAMS,
  DEMO_USERS,
  SALESCOOKIE_INJECTION_TEXT,
  type SalescookieSandbox,
} from '../../../src/sandbox/salescookie/index.js';
import type { ProviderCase } from './types.js';

const dana = DEMO_USERS.dana;
const userOf = (sandbox: SalescookieSandbox, id: string) => sandbox.state().users.find((u) => u.id === id);

// Declared, then typed: `twoItems` and `secrets` are what the suites' ProviderCase asks for on main, and the
// object must fit the type on this branch and on main alike.
const CASE = {
  id: 'salescookie' as const,
  read: { tool: 'get_user', args: { userId: dana.emailAddress }, expectText: 'Dana Whitfield' },
  write: {
    tool: 'update_user',
    args: { userId: dana.emailAddress, tags: ['SuiteTag'] },
    applied: (sandbox: SalescookieSandbox) => userOf(sandbox, dana.id)?.tags.includes('SuiteTag') ?? false,
  },
  access: {
    tool: 'add_users_to_team',
    args: { teamId: DEMO_TEAMS.enterprise.id, userIds: [dana.emailAddress] },
    applied: (sandbox: SalescookieSandbox) =>
      sandbox.state().members.some((m) => m.systemUserId === dana.id && m.teamId === DEMO_TEAMS.enterprise.id),
  },
  destructive: {
    tool: 'delete_user',
    args: { userId: dana.emailAddress },
    typedName: 'Dana Whitfield',
    applied: (sandbox: SalescookieSandbox) => userOf(sandbox, dana.id)?.role === 'Deactivated',
  },
  privileged: {
    tool: 'update_user',
    args: { userId: dana.emailAddress, role: 'FullAdmin' },
    applied: (sandbox: SalescookieSandbox) => userOf(sandbox, dana.id)?.role === 'FullAdmin',
  },
  twoItems: {
    tool: 'add_users_to_team',
    args: { teamId: DEMO_TEAMS.enterprise.id, userIds: [dana.emailAddress, DEMO_USERS.former.emailAddress] },
    applied: (sandbox: SalescookieSandbox) =>
      sandbox.state().members.some((m) => m.systemUserId === dana.id && m.teamId === DEMO_TEAMS.enterprise.id),
  },
  badInput: [
    { tool: 'get_user', args: { userId: 'not-an-email' }, field: 'userId' },
    { tool: 'add_users_to_team', args: { teamId: 'team-1', userIds: [dana.emailAddress] }, field: 'teamId' },
    { tool: 'bulk_create_users', args: { csv: `email,role\n${dana.emailAddress},Boss` }, field: 'csv' },
  ],
  injection: { tool: 'get_user', args: { userId: DEMO_USERS.mallory.emailAddress }, text: SALESCOOKIE_INJECTION_TEXT },
  changeRequests: (sandbox: SalescookieSandbox) => sandbox.requests.filter((r) => r.method !== 'GET').length,
  /** The API key: it also travels inside every OData URL, which is why the client's logs never show the path root. */
  secrets: (sandbox: SalescookieSandbox) => [sandbox.apiKey],
  requests: (sandbox: SalescookieSandbox) => sandbox.requests.length,
};

export const salescookieCase: ProviderCase = CASE;
