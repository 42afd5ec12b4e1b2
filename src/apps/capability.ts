import { getUiCapability, RESOURCE_MIME_TYPE } from '@modelcontextprotocol/ext-apps/server';
import type { ClientCapabilities } from '@modelcontextprotocol/server';

/**
 * Whether the client renders MCP Apps HTML views: it declares the `io.modelcontextprotocol/ui` extension with
 * the `text/html;profile=mcp-app` MIME type among its `mimeTypes` (MCP Apps spec 2026-01-26, "Client (Host)
 * Capabilities": `mimeTypes` is required). A client that declares the extension without it renders no view of ours.
 */
export function rendersViews(capabilities: ClientCapabilities | undefined): boolean {
  const ui = getUiCapability(capabilities);
  return Array.isArray(ui?.mimeTypes) && ui.mimeTypes.includes(RESOURCE_MIME_TYPE);
}
