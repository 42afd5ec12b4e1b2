import { RESOURCE_MIME_TYPE, registerAppResource, registerAppTool } from '@modelcontextprotocol/ext-apps/server';
import type { CallToolResult, InputRequiredResult, McpServer, ServerContext, Tool } from '@modelcontextprotocol/server';
import type { AnyToolDefinition } from '../contract/tool.js';
import { type HeldCall, VIEW_APPROVAL_ARG, type ViewAnswer } from '../guards/app-view.js';
import { jsonSchemaOf } from '../tool-face.js';
import { ACCESS_TREE_META_KEY } from './access-tree-result.js';
import { APPROVAL_META_KEY } from './approval-result.js';
import { CONFIRM_TOOL } from './confirm-tool.js';
import { VIEW_URI, viewHtml } from './view.js';

/** A tool as the server holds it. */
interface Callable {
  def: AnyToolDefinition;
}

export interface AppsDeps<T extends Callable> {
  /** The server's tools by name. */
  callable: ReadonlyMap<string, T>;
  /** The call a view approval was issued for, as the guard holds it (see Guard.viewCall). */
  heldCall(approval: string): HeldCall | undefined;
  /** One call of the tool through the guard, carrying the person's answer from the view. */
  run(
    tool: T,
    args: Record<string, unknown>,
    extra: ServerContext,
    answer: ViewAnswer,
  ): Promise<CallToolResult | InputRequiredResult>;
  /** Audits a call refused before any guard ran (`reason` as guard.reject takes it) and answers it with `text`. */
  refuse(
    tool: string,
    args: Record<string, unknown>,
    extra: ServerContext,
    reason: string,
    text: string,
  ): CallToolResult;
  /** Marks the request as reached by a tool callback, so the SDK-answered audit leaves it to the guard. */
  reached(extra: ServerContext): void;
}

/**
 * Registers the MCP Apps view (`ui://visier-admin-mcp/view.html`, with the spec's MIME type through ext-apps'
 * helper) and the app-only confirm tool its buttons call, whose answer is the held call's own, through the same
 * guard: the approval names the call, and the server runs its own copy of it. Returns the confirm tool's
 * tools/list entry, for clients that render views.
 */
export function registerApps<T extends Callable>(server: McpServer, deps: AppsDeps<T>): Tool {
  registerAppResource(
    server,
    'visier-admin-mcp view',
    VIEW_URI,
    { description: 'Shows a change waiting for approval (Approve / Deny), or a user’s access as a tree' },
    async () => ({
      contents: [
        {
          uri: VIEW_URI,
          mimeType: RESOURCE_MIME_TYPE,
          text: viewHtml({
            confirmTool: CONFIRM_TOOL.name,
            approvalKey: APPROVAL_META_KEY,
            treeKey: ACCESS_TREE_META_KEY,
          }),
          _meta: { ui: { prefersBorder: true } },
        },
      ],
    }),
  );
  registerAppTool(
    server,
    CONFIRM_TOOL.name,
    {
      title: CONFIRM_TOOL.title,
      description: CONFIRM_TOOL.description,
      inputSchema: CONFIRM_TOOL.inputSchema,
      _meta: CONFIRM_TOOL._meta,
    },
    async ({ approval, decision, typed }, extra) => {
      deps.reached(extra);
      const held = deps.heldCall(approval);
      const target = held === undefined ? undefined : deps.callable.get(held.tool);
      if (held === undefined || target === undefined) {
        const text =
          `${CONFIRM_TOOL.name}: approval: no change waits under this approval on this server (it expired, the ` +
          'same change was asked again through another channel, or this server never issued it). Nothing was sent.';
        return deps.refuse(CONFIRM_TOOL.name, { [VIEW_APPROVAL_ARG]: approval }, extra, 'approval-invalid', text);
      }
      const answer: ViewAnswer = { approval, decision, ...(typed === undefined ? {} : { typed }) };
      return deps.run(target, held.args, extra, answer);
    },
  );
  return {
    name: CONFIRM_TOOL.name,
    title: CONFIRM_TOOL.title,
    description: CONFIRM_TOOL.description,
    inputSchema: jsonSchemaOf(CONFIRM_TOOL.inputSchema, 'input') as Tool['inputSchema'],
    _meta: CONFIRM_TOOL._meta,
  };
}
