import type {
  ClientCapabilities,
  ContentBlock,
  CreateMessageRequestParams,
  CreateMessageResult,
  ElicitRequestFormParams,
  ElicitResult,
  InputRequiredSpec,
  LoggingLevel,
} from '@modelcontextprotocol/server';
import type { ZodRawShape, z } from 'zod';
import type { JournalReader, JournalState } from '../journal/journal.js';

/**
 * The single source for a tool's annotations, whether a mode lists it, whether it needs confirmation and
 * how it is audited. Never list tool names anywhere else.
 */
export type Classification = 'read' | 'write' | 'access' | 'destructive';

/** What the guards need to show a human before an access, destructive or large change. */
export interface ImpactPreview {
  /** One-line summary, e.g. "Grant 'Compensation Admin' to 3 users". */
  summary: string;
  /** Affected targets, with names, and what each gains or loses (before -> after). */
  targets: ImpactTarget[];
  /**
   * A stable digest of the target identities and their relevant current state. Recomputed right before
   * acting: if it differs from the one the human saw, the call is refused.
   */
  fingerprint: string;
  /**
   * The change's class by its effect, when stronger than its tool's (a username change of a permission holder,
   * or re-enabling an account, is `access`). The guard acts on the stronger of the two, never the lower.
   */
  classification?: Classification;
  /** Why `classification` is stronger than the tool's, when no elevated target says it already. */
  classificationReason?: string;
  /**
   * People whose account or access the change reaches, an all-users or dynamic group counted as the users it
   * reaches. Caps, change budgets and the confirmation threshold count the larger of this and `itemCount`.
   */
  peopleReached?: number;
  /**
   * Names of the privileged permissions this change grants to anyone, directly or through a group (see
   * `ToolContext.privileged`). A preview that grants one says so on its first line.
   */
  privilegedGrants?: string[];
  /**
   * Set when some of the people reached cannot be counted (a dynamic filter whose employee query Visier would
   * not run, e.g. the credentials lack the Data Query capability). `peopleReached` is then the provider's upper
   * bound (for Visier, every user); the guard treats the reach as over any threshold.
   */
  reachUnknown?: boolean;
  /**
   * The change cannot be made as asked, whatever a person would answer (an undo of an object changed since):
   * the guard refuses with this `reason` code and `text` before asking anyone; nothing is sent.
   */
  refusal?: { reason: string; text: string };
}

export interface ImpactTarget {
  kind: 'user' | 'user-group' | 'permission' | 'profile';
  id: string;
  /** Directory text (display name, username): untrusted data. */
  name?: string;
  /** Human-readable lines: what the target holds now and what changes. */
  before?: string[];
  after?: string[];
  /**
   * The change itself in words, without who the target is or what else it holds (e.g. "joins group Sales,
   * gaining: Sales Dashboard"): targets with the same change may be shown to the human as one line with a count
   * when the whole preview is too large. Without it, targets group only when their before and after lines match.
   */
  change?: string;
  /** Set when the target does not exist (the call would fail or be a no-op for it). */
  missing?: boolean;
  /**
   * Why this target's change is elevated, one short phrase each: a privileged grant, `includeAllUsers`, a
   * dynamic filter, joining a group that grants a privileged permission, an identity change of a privilege
   * holder, an account re-enabled. Elevated targets are always shown to the human in full.
   */
  elevated?: string[];
}

/** How the guard takes a preview. */
export interface PreviewRead {
  /**
   * True for the re-check right before acting (the preview taken again after a person answered, or in the call
   * that brings back a confirmation token or input-request state), and for the first preview of a call whose last
   * re-check found the data moved: read live and exact, never a snapshot. False for the preview a person is
   * shown first, which may come from a snapshot.
   */
  live: boolean;
}

/** Which permissions count as privileged (administrative); the operator may name them instead. */
export interface PrivilegedPolicy {
  /** `details` is Visier's permission detail (`includeDetails=true`) when the caller read it. */
  isPrivileged(permission: {
    permissionId: string;
    displayName?: string | undefined;
    details?: Record<string, unknown> | undefined;
  }): boolean;
}

/** One permission in an access tree; `privileged` by the operator's `PrivilegedPolicy`. */
export interface AccessTreePermission {
  id: string;
  /** Directory text: untrusted data. */
  name?: string;
  privileged: boolean;
}

/**
 * A user's access as the MCP Apps view draws it for clients that render views: the user, the permissions granted
 * to them directly, and each group they are in with the permissions it grants. Names are directory text.
 */
export interface AccessTree {
  user: { id: string; name?: string };
  direct: AccessTreePermission[];
  groups: { id: string; name?: string; permissions: AccessTreePermission[] }[];
}

/**
 * The client behind a tool call. Product tools never use it (they ask people through the guard); it exists for
 * the conformance fixtures, whose whole job is a conversation with the client.
 */
export interface ClientChannel {
  /** What the client declared: at initialize (2025 era) or in this request's `_meta` (2026-07-28). */
  capabilities: ClientCapabilities | undefined;
  /** 2025 era only: a request to the client answered while the call waits; rejects if it lacks the capability. */
  ask?: {
    sample(params: CreateMessageRequestParams): Promise<CreateMessageResult | Record<string, unknown>>;
    elicit(params: ElicitRequestFormParams): Promise<ElicitResult>;
  };
  /** 2026-07-28: the answers a repeated call brought back, keyed as the input requests were. */
  inputResponses?: Record<string, unknown>;
  /** 2026-07-28: the request state a repeated call brought back, exactly as sent (unverified). */
  requestState?: string;
}

/** Progress of a multi-request operation: `done` of `total` units (items or pages). */
export type ProgressFn = (done: number, total: number | undefined, message?: string) => void;

/**
 * Where a call acts, in the provider's terms (a Visier tenant and project, a Sisense site, the Sales Cookie
 * workspace), after the guards have checked it against the allowlist.
 */
export interface Scope {
  tenant?: string;
  project?: string;
}

/**
 * Everything a handler may use. Built per call by the server; handlers never see MCP or HTTP. `Api` is the
 * provider's client, `Call` its per-call routing (Visier's `CallOptions`: tenant, project, signal).
 */
export interface ToolContext<Api = unknown, Call = unknown> {
  api: Api;
  call: Call;
  scope: Scope;
  signal: AbortSignal;
  /** Reports progress to the client when it sent a progress token; a no-op otherwise. */
  progress: ProgressFn;
  /**
   * Sends a log message to the client, only at or above the level it asked for (`logging/setLevel`, or a
   * 2026-07-28 request's log level); a no-op otherwise. Never throws.
   */
  log: (level: LoggingLevel, message: string) => void;
  /**
   * Wraps people-entered text lines (names, descriptions) in the untrusted-data fence used for this call,
   * so the model reads them as data, never as instructions.
   */
  fence: (lines: string[]) => string;
  /** Result size cap in characters for the text part; list tools stop early and give a cursor. */
  maxResultChars: number;
  /** Directory the operator allows reports to be saved into, if any. */
  reportDir?: string;
  /** Which permissions previews mark as privileged grants. */
  privileged: PrivilegedPolicy;
  /** Set for tool calls (not resource reads). */
  client?: ClientChannel;
  /** The change journal, when the server keeps one (list_recent_changes, undo_change read it). */
  journal?: JournalReader;
}

export interface ToolOutput<S extends Record<string, unknown> = Record<string, unknown>> {
  /** Compact text for the model: one line per user or group, never pretty-printed JSON. */
  text: string;
  /** Full data, matching the tool's outputSchema. */
  structured: S;
  /** Content the text cannot carry (images, audio, embedded resources), sent after it in the same order. */
  content?: ContentBlock[];
  /**
   * 2026-07-28: instead of answering, ask the client for input and to repeat the call (an `input_required`
   * result); `text` and `structured` are then not sent.
   */
  inputRequired?: InputRequiredSpec;
  /**
   * The call was carried out but Visier reports that part or all of it did not succeed (a tenant `Failed`
   * inside a 200, a multi-request change stopped part-way): the result is an error, with the same data.
   */
  isError?: boolean;
}

export interface ToolDefinition<
  I extends ZodRawShape = ZodRawShape,
  O extends ZodRawShape = ZodRawShape,
  Api = unknown,
  Call = unknown,
> {
  name: string;
  title: string;
  /** Short and exact: every word costs the model context. */
  description: string;
  classification: Classification;
  /** A raw shape; the server wraps it in a strict object so unknown keys are rejected. */
  inputSchema: I;
  outputSchema: O;
  handler: (args: z.infer<z.ZodObject<I>>, ctx: ToolContext<Api, Call>) => Promise<ToolOutput<z.infer<z.ZodObject<O>>>>;
  /**
   * Required for `access` and `destructive` tools, and for `write` tools that can touch many users: reads
   * (never writes) and describes the change. With `read.live` false it may read a snapshot (the preview a person
   * is shown, in a constant number of calls); with `read.live` true it reads live and exact. Both readings of the
   * same data must give the same fingerprint: a stale snapshot can then only make the re-check differ.
   */
  preview?: (args: z.infer<z.ZodObject<I>>, ctx: ToolContext<Api, Call>, read: PreviewRead) => Promise<ImpactPreview>;
  /** How many users (or groups) the call touches, for caps and the change budget. Defaults to 1. */
  itemCount?: (args: z.infer<z.ZodObject<I>>) => number;
  /**
   * Whether these arguments could make the effect stronger than the tool's class or reach more people than
   * `itemCount` (identity changes, re-enabling, membership rules). When true the guard takes the preview before
   * caps and confirmation, even for a `write` under the threshold, and acts on its `classification` and
   * `peopleReached`.
   */
  effectDependsOnData?: (args: z.infer<z.ZodObject<I>>) => boolean;
  /** Every tenant code named inside the arguments (bulk bodies, project targets), for the allowlist. */
  tenantsInArgs?: (args: z.infer<z.ZodObject<I>>) => string[];
  /**
   * A read tool whose result is one user's access: the tree the MCP Apps view draws of it, for clients that
   * render views (the model's text and structured result stay as they are); undefined when the result names no
   * one user (e.g. a list of candidates).
   */
  accessTree?: (structured: z.infer<z.ZodObject<O>>, privileged: PrivilegedPolicy) => AccessTree | undefined;
  /**
   * Change tools: what the change journal records. The pipeline calls `capture` right before the handler (after
   * every guard and re-check) for the prior state, and again with the handler's output after a call that was
   * carried out (fully or partly) for the state right after; a refused or failed call records nothing. Reads
   * live data, never writes.
   */
  journal?: JournalCapture<z.infer<z.ZodObject<I>>, Api, Call>;
}

/** How a change tool's effect is recorded, for list_recent_changes and undo_change. */
export interface JournalCapture<A = Record<string, unknown>, Api = unknown, Call = unknown> {
  /** What kind of state the captures hold (e.g. `visier-users`, `visier-user-groups`). */
  changeClass: string;
  /** The live state of what these arguments change; after the call `output` names what it created. */
  capture: (args: A, ctx: ToolContext<Api, Call>, output?: ToolOutput) => Promise<JournalState>;
}

/** Keeps each tool a single declarative object while letting TypeScript infer its argument types. */
export function defineTool<I extends ZodRawShape, O extends ZodRawShape>(
  def: ToolDefinition<I, O>,
): ToolDefinition<I, O> {
  return def;
}

/** `defineTool` for one provider's tools: their handlers see its client and routing, typed. */
export function toolDefiner<Api, Call>() {
  return <I extends ZodRawShape, O extends ZodRawShape>(def: ToolDefinition<I, O, Api, Call>) => def;
}

// biome-ignore lint/suspicious/noExplicitAny: a heterogeneous catalogue of tools with different shapes and providers
export type AnyToolDefinition = ToolDefinition<any, any, any, any>;
