import type { AnyToolDefinition, ImpactPreview, ToolContext, ToolOutput } from '../tools/define.js';

/** A flat form schema as MCP form elicitation allows (no nesting). */
export interface ElicitFormSchema {
  type: 'object';
  properties: Record<string, Record<string, unknown>>;
  required?: string[];
}

export interface ElicitAnswer {
  action: 'accept' | 'decline' | 'cancel';
  content?: Record<string, unknown>;
}

/** Who is calling, as the transport knows it. */
export interface CallerInfo {
  clientName?: string;
  clientVersion?: string;
  sessionId?: string;
  /** Present only when the client declared form elicitation; rejects on error or timeout. */
  elicit?: (message: string, requestedSchema: ElicitFormSchema) => Promise<ElicitAnswer>;
}

export type GuardedOutcome =
  /** The guards let the call through and the handler ran. */
  | { kind: 'result'; output: ToolOutput }
  /** Refused before anything was sent to Visier (mode, tenant, caps, declined or failed confirmation). */
  | { kind: 'refused'; reason: string; text: string }
  /** No elicitation: the preview and a single-use token the client must send back to act. */
  | {
      kind: 'confirmation-required';
      text: string;
      preview: ImpactPreview;
      confirmationToken: string;
      expiresAt: string;
    };

/**
 * The guard layer as the server sees it. Decides from each tool's classification; never fetches on its own
 * (previews are the tool's `preview` function, run with the call's context).
 */
export interface Guard {
  /** Whether `tools/list` shows the tool: some allowed tenant's mode permits its class. */
  lists(def: AnyToolDefinition): boolean;
  /** One call through mode, tenant allowlist, caps, confirmation and audit, then the handler. */
  call(
    def: AnyToolDefinition,
    args: Record<string, unknown>,
    ctx: ToolContext,
    caller: CallerInfo,
  ): Promise<GuardedOutcome>;
}

/** The argument a client sends back, with otherwise identical arguments, to act on a confirmation token. */
export const CONFIRMATION_TOKEN_ARG = 'confirmationToken';
