// Sisense's tools are defined against the neutral contract with the configured sites and a call's site routing.
import { type ToolContext as Context, toolDefiner } from '../../contract/tool.js';
import type { SisenseClient } from '../../providers/sisense/client.js';
import type { SisenseSites } from '../../providers/sisense/sites.js';

/** A call's routing: the checked site, and the signal that cancels its requests. */
export interface SisenseCall {
  site: string;
  signal: AbortSignal;
}

export type ToolContext = Context<SisenseSites, SisenseCall>;
export const defineTool = toolDefiner<SisenseSites, SisenseCall>();

/** The client of the call's site and the options its requests carry. */
export function siteOf(ctx: ToolContext): { client: SisenseClient; options: { signal: AbortSignal } } {
  return { client: ctx.api.site(ctx.call.site), options: { signal: ctx.call.signal } };
}
