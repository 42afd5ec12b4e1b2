// Sales Cookie's tools are defined against the neutral contract with Sales Cookie's client and routing filled in.
import { type ToolContext as Context, toolDefiner } from '../../contract/tool.js';
import type { CallOptions, SalescookieClient } from '../../providers/salescookie/index.js';

export type ToolContext = Context<SalescookieClient, CallOptions>;
export const defineTool = toolDefiner<SalescookieClient, CallOptions>();
