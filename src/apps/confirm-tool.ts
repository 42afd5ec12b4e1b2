import { z } from 'zod';
import { VIEW_APPROVAL_ARG } from '../guards/app-view.js';
import { VIEW_URI } from './view.js';

/**
 * The app-only tool the approval view's Approve and Deny buttons call. `_meta.ui.visibility: ["app"]` keeps it
 * out of the model's tool list (MCP Apps spec 2026-01-26, "Visibility": the host MUST NOT list it to the agent);
 * the guard refuses it unless it brings back the sealed approval only the view received, for the same call,
 * session, caller and preview, once (see guards/app-view.ts), and runs the call the server holds under that
 * approval, never a copy the view sends. It answers with the change tool's own result.
 */
export const CONFIRM_TOOL = {
  name: 'confirm_change',
  title: 'Answer a change in the approval view',
  description: 'Called by the approval view only, when a person clicks Approve or Deny. Never call it yourself.',
  // No tool name or arguments: the view's copy of a call is a display copy (directory text sanitised); the
  // approval names the call the server holds, and that call is what runs.
  inputSchema: z.strictObject({
    [VIEW_APPROVAL_ARG]: z.string().min(1).max(4096).describe('The sealed approval the view received'),
    decision: z.enum(['approve', 'deny']),
    typed: z.string().max(1024).optional().describe('What the person typed, for an irreversible change'),
  }),
  _meta: { ui: { resourceUri: VIEW_URI, visibility: ['app'] as ('app' | 'model')[] } },
};
