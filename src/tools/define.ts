import type { ZodRawShape, z } from 'zod';
import type { CallOptions, ProgressFn, VisierApi } from '../visier/api.js';

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
}

export interface ImpactTarget {
  kind: 'user' | 'user-group' | 'permission';
  id: string;
  /** Directory text (display name, username): untrusted data. */
  name?: string;
  /** Human-readable lines: what the target holds now and what changes. */
  before?: string[];
  after?: string[];
  /** Set when the target does not exist (the call would fail or be a no-op for it). */
  missing?: boolean;
}

/** Everything a handler may use. Built per call by the server; handlers never see MCP or HTTP. */
export interface ToolContext {
  visier: VisierApi;
  /** Visier routing for this call: the tenant and project after the guards have checked them. */
  call: CallOptions;
  signal: AbortSignal;
  /** Reports progress to the client when it sent a progress token; a no-op otherwise. */
  progress: ProgressFn;
  /**
   * Wraps people-entered text lines (names, descriptions) in the untrusted-data fence used for this call,
   * so the model reads them as data, never as instructions.
   */
  fence: (lines: string[]) => string;
  /** Result size cap in characters for the text part; list tools stop early and give a cursor. */
  maxResultChars: number;
  /** Directory the operator allows reports to be saved into, if any. */
  reportDir?: string;
}

export interface ToolOutput<S extends Record<string, unknown> = Record<string, unknown>> {
  /** Compact text for the model: one line per user or group, never pretty-printed JSON. */
  text: string;
  /** Full data, matching the tool's outputSchema. */
  structured: S;
}

export interface ToolDefinition<I extends ZodRawShape = ZodRawShape, O extends ZodRawShape = ZodRawShape> {
  name: string;
  title: string;
  /** Short and exact: every word costs the model context. */
  description: string;
  classification: Classification;
  /** A raw shape; the server wraps it in a strict object so unknown keys are rejected. */
  inputSchema: I;
  outputSchema: O;
  handler: (args: z.infer<z.ZodObject<I>>, ctx: ToolContext) => Promise<ToolOutput<z.infer<z.ZodObject<O>>>>;
  /**
   * Required for `access` and `destructive` tools, and for `write` tools that can touch many users:
   * reads live data (never writes) and describes the change.
   */
  preview?: (args: z.infer<z.ZodObject<I>>, ctx: ToolContext) => Promise<ImpactPreview>;
  /** How many users (or groups) the call touches, for caps and the change budget. Defaults to 1. */
  itemCount?: (args: z.infer<z.ZodObject<I>>) => number;
  /** Every tenant code named inside the arguments (bulk bodies, project targets), for the allowlist. */
  tenantsInArgs?: (args: z.infer<z.ZodObject<I>>) => string[];
}

/** Keeps each tool a single declarative object while letting TypeScript infer its argument types. */
export function defineTool<I extends ZodRawShape, O extends ZodRawShape>(
  def: ToolDefinition<I, O>,
): ToolDefinition<I, O> {
  return def;
}

// biome-ignore lint/suspicious/noExplicitAny: a heterogeneous catalogue of tools with different shapes
export type AnyToolDefinition = ToolDefinition<any, any>;
