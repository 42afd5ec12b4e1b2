import type { Person } from '../auth/person.js';
import type { AnyToolDefinition, ImpactPreview, ToolContext, ToolOutput } from '../contract/tool.js';
import type { ChangeJournal, JournalReader } from '../journal/journal.js';
import type { SharedStore } from '../shared-state/store.js';
import type { HeldCall, ViewAnswer, ViewApproval } from './app-view.js';
import type { ApprovalDesk } from './approval-desk.js';
import type { ApproversPolicy } from './approvers.js';
import type { AuditOptions } from './audit.js';

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
  /** The JSON-RPC id of the tools/call, for the operator's log line; never written to the audit log. */
  requestId?: string | number;
  /**
   * Who is behind the session: over HTTP a digest of the bearer credential (later the signed-in person), over
   * stdio the local user. Change budgets, the confirmation threshold and confirmation tokens belong to it, so
   * a new session of the same caller starts with nothing reset.
   */
  principal?: string;
  /** The person an OAuth bearer token named (HTTP with an issuer configured); absent for a static bearer or stdio. */
  person?: Person;
  /**
   * The widest mode the caller's OAuth scopes grant (src/auth/scopes.ts); every tenant's mode is narrowed to it.
   * Absent when no token carries scopes (static bearer, loopback, stdio): the operator's modes alone decide.
   */
  scopeMode?: Mode;
  /** Present only when the client declared form elicitation; rejects on error or timeout. */
  elicit?: (message: string, requestedSchema: ElicitFormSchema) => Promise<ElicitAnswer>;
  /**
   * Present when the client asks in its request to be asked (MCP 2026-07-28 input requests, with form
   * elicitation declared): the server cannot push a question, so it answers with one and the client repeats
   * the call with the person's answer and the state the server sealed. `state` and `answer` are what that
   * repeat carries (both client-supplied, untrusted); absent on a first call.
   */
  inputRequest?: { state?: string; answer?: ElicitAnswer };
  /**
   * Starts progress beats (each with `message`, at most 15 s apart) for as long as the call waits on a person
   * outside the protocol (the approvals page); returns the stop. A no-op beat when the client gave no progress token.
   */
  keepWaiting?: (message: string) => () => void;
  /** The client declared that it renders MCP Apps views (`io.modelcontextprotocol/ui` with the HTML profile). */
  rendersViews?: boolean;
  /**
   * Set only on a call the approval view made through the app-only confirm tool: the person's click and the
   * sealed approval it brings back (client-supplied, untrusted; the guard verifies it).
   */
  viewAnswer?: ViewAnswer;
}

export type GuardedOutcome =
  /** The guards let the call through and the handler ran. */
  | { kind: 'result'; output: ToolOutput }
  /**
   * Refused before anything was sent to Visier (mode, tenant, caps, declined or failed confirmation).
   * `reason` is a stable code: mode (also when the call's effect, not its tool, needs a wider mode),
   * insufficient-scope (the caller's OAuth scopes allow a narrower mode than the call needs),
   * tenant-not-allowed, item-cap, caller-budget, hour-budget, no-preview, preview-failed, preview-too-large,
   * declined, cancelled (the person cancelled the form, or the client cancelled the call), typed-mismatch, elicitation-failed, elicitation-timeout, approval-timeout (no click on the approvals page in time), no-confirmation-channel,
   * token-invalid (also a token from another session or caller), token-expired, token-replayed,
   * state-invalid, state-expired, state-replayed, no-answer (the same for an input request's sealed state),
   * target-changed (the text says which targets and lines changed), journal-unavailable (the prior state to
   * record could not be read), or a code the tool's preview gave with its refusal (changed-since),
   * approval-invalid, approval-expired, approval-replayed (the same for the approval view's sealed approval).
   * `text` is for the model and the human:
   * what happened and what would allow the call.
   */
  | { kind: 'refused'; reason: string; text: string }
  /**
   * A person must answer first and the client asks them itself (MCP 2026-07-28): the question (message and
   * flat form schema) and the sealed single-use state the repeated call must bring back with the answer.
   */
  | {
      kind: 'input-required';
      message: string;
      requestedSchema: ElicitFormSchema;
      state: string;
      expiresAt: string;
      preview: ImpactPreview;
    }
  /**
   * The client renders MCP Apps: a person approves or denies in the approval view. `text` is for the model (the
   * preview, and that it cannot approve); `approval` is for the view only (see app-view.ts).
   */
  | { kind: 'view-approval-required'; text: string; preview: ImpactPreview; approval: ViewApproval }
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
  /**
   * One call through mode, tenant allowlist, caps, confirmation and audit, then the handler. An error the
   * handler throws is audited (with its `rci`, redacted) and re-thrown unchanged: the server maps it to an
   * `isError` result, so Visier's message, code and rci reach the model in one place for every tool.
   * `args` may carry `confirmationToken`; the guard strips it before preview, token binding and handler.
   */
  call(
    def: AnyToolDefinition,
    args: Record<string, unknown>,
    ctx: ToolContext,
    caller: CallerInfo,
  ): Promise<GuardedOutcome>;
  /**
   * Audits a call refused before any tool's guard ran: an unknown tool name, arguments that fail the tool's
   * input schema, or a malformed request. `reason` is a stable code (unknown-tool, invalid-arguments,
   * invalid-request, approval-invalid: an approval view's answer naming no call this process holds); nothing was sent. `tool` is the client's text, cut past 128 characters in the record.
   */
  reject(tool: string, args: Record<string, unknown>, caller: CallerInfo, reason: string): void;
  /**
   * The call an approval view's sealed approval was issued for, as the guard held it (tool name and arguments,
   * never the view's copy); undefined once it expired or was withdrawn, and for anything this process never issued.
   */
  viewCall(approval: string): HeldCall | undefined;
  /** The change journal the guard writes, for the tools that read it; absent when none is kept. */
  journal?: JournalReader;
}

/** The argument a client sends back, with otherwise identical arguments, to act on a confirmation token. */
export const CONFIRMATION_TOKEN_ARG = 'confirmationToken';

/** `read-only` lists `read` tools; `user-writes` adds `write`; `full` adds `access` and `destructive`. */
export type Mode = 'read-only' | 'user-writes' | 'full';

/**
 * How the human says yes: `auto` picks the strongest channel the client allows (the MCP Apps approval view, then
 * form elicitation or input request, then the approvals page when it runs, then a token); `elicitation` only in the client; `web` only on the approvals page.
 */
export const CONFIRM_CHANNELS = ['auto', 'elicitation', 'web'] as const;
export type ConfirmPolicy = (typeof CONFIRM_CHANNELS)[number];

/** The classes a person may be asked about. */
export const CONFIRMED_CLASSES = ['write', 'access', 'destructive'] as const;
export type ConfirmedClass = (typeof CONFIRMED_CLASSES)[number];

/** One policy for every class, or one per class (`--confirm access=web,destructive=web,write=auto`). */
export type ConfirmPolicies = ConfirmPolicy | Record<ConfirmedClass, ConfirmPolicy>;

/** The policy a call of this (effective) class is confirmed under. */
export function policyFor(policies: ConfirmPolicies, classification: ConfirmedClass): ConfirmPolicy {
  return typeof policies === 'string' ? policies : policies[classification];
}

export interface GuardOptions {
  /** Mode for tenants without an entry in `tenantModes`. */
  mode: Mode;
  tenantModes?: Record<string, Mode>;
  /** Tenant codes the server may touch; never empty. */
  tenants: string[];
  /** The tenant a call acts on when it names none. */
  defaultTenant: string;
  /**
   * How the served system names what the allowlist holds ("tenant", "site", "workspace"), and whether it has
   * projects (previews then say production or project). Visier's words when absent.
   */
  scope?: { term: string; projects: boolean };
  confirm: ConfirmPolicies;
  /** The approvals page's desk, when the page runs; a `web` policy needs it. */
  approvals?: ApprovalDesk;
  /**
   * How many distinct people must approve a change on the approvals page, per tenant and class (`--approvers`);
   * a class needing at least one is confirmed on the page whatever `confirm` says. As `confirm` says when absent.
   */
  approvers?: ApproversPolicy;
  /** How long a change waits for a click on the approvals page before it is refused. Default 300000. */
  approvalTimeoutMs?: number;
  /** HMAC key for confirmation tokens; replicas that share it accept each other's tokens. */
  confirmSecret: string;
  /** Default 300. */
  confirmTtlSeconds?: number;
  /**
   * Where replicas record spent tokens, input-request states and view approvals (`--redis-url`), so each is
   * spent once across all of them, and count changes against the budgets and the confirmation threshold, so a
   * caller's count is the same on every replica. This process's records only when absent.
   */
  sharedState?: Omit<SharedStore, 'takeRateSlot' | 'ping' | 'close'>;
  /**
   * A `write` call needs confirmation when the people it reaches, added to those its caller (principal) changed
   * without confirmation in the last hour, exceed this. A confirmed call, whose preview states that running
   * count, starts it again. Default 10.
   */
  writeConfirmThreshold?: number;
  /** How long to wait for the human's answer to an elicitation. Default 120000. */
  elicitationTimeoutMs?: number;
  caps?: {
    /** People one call may reach (an all-users group counts its users). Default 500. */
    maxItemsPerCall?: number;
    /**
     * Changes (people reached) one caller may make while the server runs: all sessions of the same principal
     * together, so a new session is no new allowance. Default 2000.
     */
    maxChangesPerSession?: number;
    /** Changes (people reached) the whole server may make in a rolling hour. Default 5000. */
    maxChangesPerHour?: number;
  };
  audit: AuditOptions;
  /**
   * Where every carried-out call of a tool with a `journal` capture records its prior and resulting state,
   * linked to its audit line. No journal is kept when absent.
   */
  journal?: ChangeJournal;
  /** Injected clock for expiry tests. */
  now?: () => number;
}
