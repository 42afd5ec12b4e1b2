// Who takes part when approvers sign in through a real issuer: the page's web client and Alice, who asks for
// changes with an access token (a client-credentials client whose `sub` is her id).
import { SUPPORTED_SCOPES } from '../../src/auth/scopes.js';
import type { TestPerson } from './oidc-issuer.js';

/** The approvals page's client at the issuer: `--oauth-client-id` and `VISIER_MCP_OAUTH_CLIENT_SECRET`. */
export const PAGE_CLIENT = { id: 'approvals-page', secret: 'the-approvals-page-client-secret' };

export const alice: TestPerson = {
  id: 'alice',
  secret: 'alice-client-secret-012345678',
  scope: SUPPORTED_SCOPES.join(' '),
  email: 'alice@example.com',
};
