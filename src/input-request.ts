// The MCP 2026-07-28 channel for asking a person: an `input_required` result carrying a form elicitation and
// the guard's sealed state, and the repeated call that brings the answer and the state back. The guard
// decides (see InputRequestConfirmer); this file only translates between it and the protocol.
import {
  CLIENT_CAPABILITIES_META_KEY,
  type ClientCapabilities,
  type ElicitRequestFormParams,
  type InputRequiredResult,
  inputRequired,
  inputResponse,
} from '@modelcontextprotocol/server';
import type { CallerInfo, GuardedOutcome } from './guards/guard.js';
import { sanitizeMessage, sanitizeUntrustedDeep } from './guards/untrusted.js';
import type { Extra } from './server-context.js';

/** The key of the one input request a confirmation sends, and of the answer the client returns under it. */
export const APPROVAL_INPUT_KEY = 'approval';

/** Form elicitation, as a client declares it: `form`, or the bare `{}` that meant form before URL mode. */
function asksByForm(capabilities: ClientCapabilities | undefined): boolean {
  const elicitation = capabilities?.elicitation;
  return elicitation !== undefined && (elicitation.form !== undefined || elicitation.url === undefined);
}

/**
 * The input-request channel of a 2026-07-28 request whose client declared form elicitation in it; undefined
 * for 2025-era requests (they elicit while the call waits) and for clients that cannot show a form. The state
 * and the answer are passed on exactly as the client sent them: the guard verifies them.
 */
export function inputRequestOf(extra: Extra): CallerInfo['inputRequest'] {
  const envelope = extra.mcpReq.envelope as Record<string, unknown> | undefined;
  if (envelope === undefined) return undefined;
  if (!asksByForm(envelope[CLIENT_CAPABILITIES_META_KEY] as ClientCapabilities | undefined)) return undefined;
  const state = extra.mcpReq.requestState<unknown>();
  const answer = inputResponse(extra.mcpReq.inputResponses, APPROVAL_INPUT_KEY);
  return {
    ...(state === undefined ? {} : { state: typeof state === 'string' ? state : '' }),
    ...(answer.kind === 'elicit'
      ? { answer: { action: answer.action, ...(answer.content ? { content: answer.content } : {}) } }
      : {}),
  };
}

/**
 * The guard's question as an `input_required` result. The message and field titles quote directory text, so
 * they reach the person as inert as the model's text; `_meta` carries the preview and the state's expiry
 * for clients that show more than the form.
 */
export function inputRequiredResult(
  outcome: Extract<GuardedOutcome, { kind: 'input-required' }>,
  metaKey: string,
): InputRequiredResult {
  return {
    ...inputRequired({
      inputRequests: {
        [APPROVAL_INPUT_KEY]: inputRequired.elicit({
          message: sanitizeMessage(outcome.message),
          requestedSchema: sanitizeUntrustedDeep(outcome.requestedSchema) as ElicitRequestFormParams['requestedSchema'],
        }),
      },
      requestState: outcome.state,
    }),
    _meta: { [metaKey]: { expiresAt: outcome.expiresAt, preview: sanitizeUntrustedDeep(outcome.preview) } },
  };
}
