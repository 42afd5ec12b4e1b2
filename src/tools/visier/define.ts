// Visier's tools are defined against the neutral contract with Visier's client and routing filled in.
import { type ToolContext as Context, toolDefiner } from '../../contract/tool.js';
import type { CallOptions, VisierApi } from '../../providers/visier/api.js';

export type ToolContext = Context<VisierApi, CallOptions>;
export const defineTool = toolDefiner<VisierApi, CallOptions>();
