import type { Provider } from '../../contract/provider.js';
import type { SisenseCall } from './define.js';
import { TOOLS } from './index.js';

/** Sisense for Cloud Data Teams' User and Group Management API: one site per API key, users keyed by e-mail. */
export const sisenseProvider: Provider<SisenseCall> = {
  id: 'sisense',
  title: 'Sisense for Cloud Data Teams',
  scopeTerm: 'site',
  scopeArgs: { tenant: 'site' },
  instructions: [
    'Looks up and administers Sisense for Cloud Data Teams users and groups; group access levels (View, Discovery, SQL, Admin via Administrators) are the permissions.',
    'Users are named by e-mail (userId), groups by name (userGroupId); find them with list_users and list_user_groups before acting.',
  ],
  tools: TOOLS,
  callOptions: (scope, signal) => {
    // The server fills in the default site when a call names none, so a scope always has one here.
    if (scope.tenant === undefined) throw new Error('sisense: a call reached routing without a site');
    return { site: scope.tenant, signal };
  },
};
