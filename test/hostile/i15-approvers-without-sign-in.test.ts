import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';

// Hostile: a team deployment (Streamable HTTP, people named by the OAuth issuer) that asks one person to approve
// changes on the approvals page but leaves out the page's sign-in (--oauth-client-id). The page then runs on the
// replica's loopback with a one-time link on its stderr: whoever reads that link (a log pipeline, a shell on the
// host, the requester among them) approves as nobody, the rule "the requester cannot approve their own change" is
// not checked, and the audit names no approver. Start-up should refuse it, as it refuses two approvers without sign-in.
const TEAM = ['--http', '--oauth-issuer', 'https://login.example.com', '--public-url', 'https://mcp.example.com/'];

describe('hostile: approvers in a team deployment without the page sign-in', () => {
  it.each([[['--approvers', 'access=1']], [['--confirm', 'access=web']]])(
    'start-up refuses %j where people sign in to the server but not to the page',
    (flags) => {
      expect(() => loadConfig([...TEAM, ...flags], {})).toThrow(/--oauth-client-id/);
    },
  );
});
