// The MCP Apps channel: a person approves or denies in a view the client renders, through a tool only the view
// can call. The model never holds what that tool needs: the sealed approval travels in the result's `_meta`,
// which the MCP Apps spec (2026-01-26, "Data Passing") routes to the view and marks as not for model context,
// and the host keeps the app-only tool out of the model's tool list ("Visibility": MUST NOT include it).
import type { ApprovedPreviews } from './approved-previews.js';
import {
  approvalForm,
  bindingOf,
  type Confirmation,
  type ConfirmationRequest,
  type Confirmer,
  judgeAnswer,
  noChannel,
  redeemSealed,
} from './confirmation.js';
import type { ShownPreview } from './preview-text.js';
import type { ConfirmationTokens } from './token.js';
import { fenceUntrusted } from './untrusted.js';

/** The confirm tool's argument that carries the sealed approval: audited as a digest, like a confirmation token. */
export const VIEW_APPROVAL_ARG = 'approval';

/** A person's click in the approval view, as the view's call to the confirm tool carries it (untrusted). */
export interface ViewAnswer {
  /** The sealed approval the view received with the pending result. */
  approval: string;
  decision: 'approve' | 'deny';
  /** For an irreversible change: what the person typed (the target's name, id or count). */
  typed?: string;
}

/** What the view receives to show the change and answer it; never part of what the model reads. */
export interface ViewApproval {
  /** The change tool and its arguments (without any confirmation token), sent back unchanged with the answer. */
  tool: string;
  arguments: Record<string, unknown>;
  /** Sealed like a confirmation token under a key of its own: single use, bound to this call and preview. */
  approval: string;
  /** ISO 8601; the approval is refused after it. */
  expiresAt: string;
  /** For an irreversible change: what the person must type, and which value. */
  typed?: { what: string; value: string };
  /** The preview as fitted for a person to read, alert first (the same lines an approval form shows). */
  shown: ShownPreview;
}

/**
 * Asks the person in the MCP Apps approval view. The first call ends with a sealed approval for the view and
 * the preview for the model; the view's call brings the person's answer and the approval back, and that call
 * goes through the whole guard again (mode, tenants, caps, a live preview) before its answer is judged. The
 * approval is spent on first use whatever the answer, refused for another call, session, caller or preview
 * (`approval-invalid`, `target-changed`), after its expiry (`approval-expired`) and when replayed
 * (`approval-replayed`). Its key is its own: it never passes as a confirmation token or an input-request state.
 */
export class AppViewConfirmer implements Confirmer {
  constructor(
    private readonly approvals: ConfirmationTokens,
    private readonly approved: ApprovedPreviews,
  ) {}

  async confirm(request: ConfirmationRequest): Promise<Confirmation> {
    const form = approvalForm(request);
    const answer = request.caller.viewAnswer;
    if (answer === undefined) {
      if (request.caller.rendersViews !== true) return noChannel();
      const { token, expiresAt, id, exp } = this.approvals.issue(bindingOf(request), request.shownCount);
      this.approved.remember(id, request.preview, exp);
      return {
        kind: 'view-issued',
        method: 'app',
        outcome: 'view-issued',
        approval: token,
        expiresAt,
        ...(form.typed === undefined ? {} : { typed: form.typed }),
      };
    }
    const check = await redeemSealed(this.approvals, this.approved, answer.approval, request, 'app', 'approval-');
    if (check.kind === 'refused') return check;
    const said =
      answer.decision === 'approve'
        ? {
            action: 'accept' as const,
            content: { confirm: true, ...(answer.typed === undefined ? {} : { typed: answer.typed }) },
          }
        : { action: 'decline' as const };
    return judgeAnswer(said, form, 'app', request.preview.fingerprint, check.seen);
  }
}

/**
 * The pending result as the model reads it: the preview fenced as data, and that only a person can approve it,
 * in the view. Nothing in it lets the model act.
 */
export function previewForViewModel(tool: string, shown: ShownPreview, expiresAt: string, nonce: string): string {
  return [
    shown.alert === undefined
      ? 'APPROVAL PENDING. Nothing has been changed yet.'
      : 'APPROVAL PENDING FOR A PRIVILEGED GRANT. Nothing has been changed yet.',
    fenceUntrusted(shown.alert === undefined ? shown.body : [shown.alert, ...shown.body], nonce),
    `A person approves or denies this change in the approval view shown with this result, until ${expiresAt}; ` +
      `you cannot approve it. Do not call ${tool} again for this change: tell the user it waits for their click.`,
  ].join('\n');
}

/** The view's part of a pending result, for `_meta`: everything it shows and sends back. */
export function viewApprovalOf(
  tool: string,
  args: Record<string, unknown>,
  issued: Extract<Confirmation, { kind: 'view-issued' }>,
  shown: ShownPreview,
): ViewApproval {
  return {
    tool,
    arguments: args,
    approval: issued.approval,
    expiresAt: issued.expiresAt,
    shown,
    ...(issued.typed === undefined ? {} : { typed: issued.typed }),
  };
}
