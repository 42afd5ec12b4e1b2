import type { Provider } from '../../contract/provider.js';
import type { CallOptions } from '../../providers/visier/api.js';
import { compareUserAccess } from './compare.js';
import { explainUserAccess } from './explain.js';
import { TOOLS } from './index.js';
import { reviewAccess } from './review.js';

/** Visier's Users APIs: tenants (and projects inside them), users, user groups, permissions, profiles. */
export const visierProvider: Provider<CallOptions> = {
  id: 'visier',
  title: 'Visier',
  scopeTerm: 'tenant',
  scopeArgs: { tenant: 'tenantCode', project: 'projectId' },
  instructions: [
    'Looks up and administers Visier users, user groups and permissions.',
    'Find ids with list_users (search), list_user_groups and list_permissions before acting on them.',
    `Access questions take one call: ${explainUserAccess.name} (why someone can or cannot), ${compareUserAccess.name} (make one user like another), ${reviewAccess.name} (who holds what, with findings); their plans are run step by step with the change tools.`,
  ],
  tools: TOOLS,
  callOptions: (scope, signal) => ({
    signal,
    ...(scope.tenant === undefined ? {} : { tenantCode: scope.tenant }),
    ...(scope.project === undefined ? {} : { projectId: scope.project }),
  }),
};
