import type { CallToolResult, ClientCapabilities } from '@modelcontextprotocol/client';
import { EXTENSION_ID, RESOURCE_MIME_TYPE } from '@modelcontextprotocol/ext-apps/server';
import { APPROVAL_META_KEY } from '../../src/server.js';

/** What a host that renders MCP Apps views declares at initialize (MCP Apps spec 2026-01-26). */
export const RENDERS_APPS: ClientCapabilities = { extensions: { [EXTENSION_ID]: { mimeTypes: [RESOURCE_MIME_TYPE] } } };

/** The part of a pending result a host hands the view only, as the view reads it. */
export interface PendingApproval {
  tool: string;
  approval: string;
  expiresAt: string;
  typed?: { what: string; value: string };
  shown: { alert?: string; body: string[] };
  preview: { targets: { id: string; elevated?: string[] }[] };
}

export function pendingApprovalOf(result: CallToolResult): PendingApproval {
  const pending = result._meta?.[APPROVAL_META_KEY] as PendingApproval | undefined;
  if (pending === undefined) throw new Error(`no pending approval in ${JSON.stringify(result)}`);
  return pending;
}
