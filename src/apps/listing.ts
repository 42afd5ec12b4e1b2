import { RESOURCE_URI_META_KEY } from '@modelcontextprotocol/ext-apps/server';
import type { Tool } from '@modelcontextprotocol/server';
import type { AnyToolDefinition } from '../contract/tool.js';
import { VIEW_URI } from './view.js';

/**
 * A tool's tools/list entry for a client that renders MCP Apps: every change tool names the view, so that the
 * host renders it for the tool's result (a pending approval, or the change's outcome), and so does a read tool
 * that draws an access tree; other reads are as for any client. Both the `ui.resourceUri` form and the
 * deprecated flat key older hosts read, as ext-apps' `registerAppTool` writes them.
 */
export function withView(tool: Tool, def: AnyToolDefinition): Tool {
  if (def.classification === 'read' && def.accessTree === undefined) return tool;
  return { ...tool, _meta: { ...tool._meta, ui: { resourceUri: VIEW_URI }, [RESOURCE_URI_META_KEY]: VIEW_URI } };
}
