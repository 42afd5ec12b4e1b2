// What the MCP layer and the guards know of one administered system: its tools, how a call's scope becomes the
// client's routing, and the words it uses. Nothing here knows MCP, HTTP or any one system.
import type { AnyToolDefinition, Scope } from './tool.js';

export interface Provider<Call = unknown> {
  /** `--provider` value, resource URI scheme and audit tag: `visier`, `sisense`, `salescookie`. */
  id: string;
  /** The system's name as its users say it ("Visier", "Sisense for Cloud Data Teams", "Sales Cookie"). */
  title: string;
  /** What one allowlist entry is called in this system: "tenant", "site", "workspace". */
  scopeTerm: string;
  /** The tool arguments that name a call's scope, when a call may choose it (Visier's `tenantCode`, `projectId`). */
  scopeArgs: { tenant?: string; project?: string };
  /** Sentences of the server's instructions that say what this system is and how to find ids before acting. */
  instructions: string[];
  /** The catalogue, in the order tools/list shows it. */
  tools: AnyToolDefinition[];
  /** The client's per-call routing for a checked scope. */
  callOptions(scope: Scope, signal: AbortSignal): Call;
}
