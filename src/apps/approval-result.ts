import type { CallToolResult } from '@modelcontextprotocol/server';
import type { GuardedOutcome } from '../guards/guard.js';
import { sanitizeUntrustedDeep } from '../guards/untrusted.js';

/** The result `_meta` key that carries a pending approval to the view (never in the text the model reads). */
export const APPROVAL_META_KEY = 'visier-admin-mcp/approval';

/**
 * A change waiting for a person in the approval view, as the client receives it: the text (preview and that
 * the model cannot approve) for the model, and in `_meta` what the view shows and sends back: the sealed
 * approval, the call, the fitted preview lines and the preview's targets with their before and after lines.
 * An error result, like the token path's, because nothing was done; directory text passes the sanitiser.
 */
export function viewApprovalResult(
  outcome: Extract<GuardedOutcome, { kind: 'view-approval-required' }>,
): CallToolResult {
  return {
    content: [{ type: 'text', text: outcome.text }],
    _meta: {
      [APPROVAL_META_KEY]: sanitizeUntrustedDeep({ ...outcome.approval, preview: outcome.preview }),
    },
    isError: true,
  };
}
