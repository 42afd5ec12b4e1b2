import type { Provider } from '../../contract/provider.js';
import type { CallOptions } from '../../providers/salescookie/index.js';
import { TOOLS } from './index.js';

/**
 * Sales Cookie: one workspace per API key, so calls name no scope; the workspace is the allowlist's one entry.
 * Users are keyed by e-mail and changed through SetUser, an upsert; there is no delete, only role Deactivated.
 */
export const salescookieProvider: Provider<CallOptions> = {
  id: 'salescookie',
  title: 'Sales Cookie',
  scopeTerm: 'workspace',
  scopeArgs: {},
  instructions: [
    'Looks up and administers Sales Cookie users (keyed by e-mail), their roles, tags, aliases and teams.',
    'Find e-mails with list_users (search) and team ids with list_teams before acting on them.',
  ],
  tools: TOOLS,
  callOptions: (_scope, signal) => ({ signal }),
};
