import { RESOURCE_URI_META_KEY } from '@modelcontextprotocol/ext-apps/server';
import type { Tool } from '@modelcontextprotocol/server';
import type { Classification } from '../contract/tool.js';
import { APPROVAL_VIEW_URI } from './approval-view.js';

/**
 * A tool's tools/list entry for a client that renders MCP Apps: every change tool names the approval view, so
 * that the host renders it for the tool's result (a pending approval, or the change's outcome); reads are as
 * for any client. Both the `ui.resourceUri` form and the deprecated flat key older hosts read, as ext-apps'
 * `registerAppTool` writes them.
 */
export function withView(tool: Tool, classification: Classification): Tool {
  if (classification === 'read') return tool;
  return {
    ...tool,
    _meta: { ...tool._meta, ui: { resourceUri: APPROVAL_VIEW_URI }, [RESOURCE_URI_META_KEY]: APPROVAL_VIEW_URI },
  };
}
