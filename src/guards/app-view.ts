// The MCP Apps channel: a person approves or denies in a view the client renders, through a tool only the view
// can call. The model never holds what that tool needs: the sealed approval travels in the result's `_meta`,
// which the MCP Apps spec (2026-01-26, "Data Passing") routes to the view and marks as not for model context,
// and the host keeps the app-only tool out of the model's tool list ("Visibility": MUST NOT include it).
import { createHash } from 'node:crypto';
import type { ApprovedPreviews } from './approved-previews.js';
import { canonicalJson } from './canonical.js';
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
  /** The change tool, for the view's heading. Its arguments stay with the server (see IssuedViews). */
  tool: string;
  /**
   * Sealed like a confirmation token under a key of its own: single use, bound to this call and preview. The
   * only thing the view sends back that names the call: the server runs the call it holds under it.
   */
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
    readonly issued: IssuedViews,
  ) {}

  async confirm(request: ConfirmationRequest): Promise<Confirmation> {
    const form = approvalForm(request);
    const answer = request.caller.viewAnswer;
    if (answer === undefined) {
      if (request.caller.rendersViews !== true) return noChannel();
      const { token, expiresAt, id, exp } = this.approvals.issue(bindingOf(request), request.shownCount);
      this.approved.remember(id, request.preview, exp);
      this.issued.issue(token, request, exp);
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
    // Spent (answered, replayed or outrun by the data) it no longer waits; refused as another session's or
    // caller's, it still waits for its own.
    if (check.kind === 'redeemed' || check.reason !== 'approval-invalid') this.issued.answered(answer.approval);
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
 * Where a change goes when its view approval went unanswered and the same call comes again: the next channel
 * `chooseConfirmer` gives the client (a client may declare MCP Apps and never show the view).
 */
export type ViewFallback = 'page' | 'form' | 'token';

const FALLBACK_SENTENCE: Record<ViewFallback, string> = {
  page:
    'the change then waits for their click on the approvals page (opened in their browser, or, where none could ' +
    'be opened, the link this server printed on its standard error after "approvals: "), and that call makes it ' +
    'only once they approve there.',
  form: 'the client then asks them in its own approval form.',
  token:
    'you then receive the preview with a confirmation token instead: show it to the user and confirm only with ' +
    'their explicit yes.',
};

/**
 * The pending result as the model reads it: the preview fenced as data, that only a person can approve it in
 * the view, and what the person can do when no view is shown (`fallback`). Nothing in it lets the model act.
 */
export function previewForViewModel(
  tool: string,
  shown: ShownPreview,
  expiresAt: string,
  nonce: string,
  fallback: ViewFallback,
): string {
  return [
    shown.alert === undefined
      ? 'APPROVAL PENDING. Nothing has been changed yet.'
      : 'APPROVAL PENDING FOR A PRIVILEGED GRANT. Nothing has been changed yet.',
    fenceUntrusted(shown.alert === undefined ? shown.body : [shown.alert, ...shown.body], nonce),
    `A person approves or denies this change in the approval view shown with this result, until ${expiresAt}; ` +
      `you cannot approve it. Tell the user it waits for their click there. Only if the user sees no approval ` +
      `view, call ${tool} again with the same arguments: ${FALLBACK_SENTENCE[fallback]}`,
  ].join('\n');
}

/** The view's part of a pending result, for `_meta`: everything it shows and sends back. */
export function viewApprovalOf(
  tool: string,
  issued: Extract<Confirmation, { kind: 'view-issued' }>,
  shown: ShownPreview,
): ViewApproval {
  return {
    tool,
    approval: issued.approval,
    expiresAt: issued.expiresAt,
    shown,
    ...(issued.typed === undefined ? {} : { typed: issued.typed }),
  };
}

/** The call a view approval was issued for, exactly as the guard held it (never as the view echoes it). */
export interface HeldCall {
  tool: string;
  args: Record<string, unknown>;
}

interface Issued {
  call: HeldCall;
  /** Digest of the call (tool, arguments, tenants, session, caller), without the preview. */
  key: string;
  /** Epoch ms. */
  exp: number;
  answered: boolean;
}

// Past this many live approvals the oldest is forgotten: its view's click is then refused (fail closed).
const MAX_HELD = 10_000;

const digestOf = (text: string) => createHash('sha256').update(text).digest('base64url');

/** One call, whatever its preview: the same request asked again. */
function callKeyOf(request: Pick<ConfirmationRequest, 'tool' | 'args' | 'tenants' | 'caller' | 'principal'>): string {
  return digestOf(
    canonicalJson({
      tool: request.tool,
      args: request.args,
      tenants: [...new Set(request.tenants)].sort(),
      session: request.caller.sessionId ?? '',
      principal: request.principal,
    }),
  );
}

/**
 * The view approvals this process issued, by a digest of the sealed approval. Two jobs. The view's answer names
 * its call only through the approval: the server runs the call it holds, so a display copy of the arguments (the
 * view gets directory text sanitised) can never stand in for the call. And a call asked again while its view
 * approval is still unanswered goes to the next channel (`unanswered`), its old approval withdrawn: declaring MCP
 * Apps is not rendering them, and nothing else tells the server a person never saw the view.
 */
export class IssuedViews {
  private readonly byApproval = new Map<string, Issued>();

  constructor(private readonly now: () => number) {}

  issue(approval: string, request: ConfirmationRequest, exp: number): void {
    this.forgetExpired();
    if (this.byApproval.size >= MAX_HELD) {
      const oldest = this.byApproval.keys().next().value;
      if (oldest !== undefined) this.byApproval.delete(oldest);
    }
    this.byApproval.set(digestOf(approval), {
      call: { tool: request.tool, args: request.args },
      key: callKeyOf(request),
      exp,
      answered: false,
    });
  }

  /** The call `approval` was issued for, until it expires or is withdrawn; undefined for any other string. */
  call(approval: string): HeldCall | undefined {
    this.forgetExpired();
    return this.byApproval.get(digestOf(approval))?.call;
  }

  answered(approval: string): void {
    const issued = this.byApproval.get(digestOf(approval));
    if (issued !== undefined) issued.answered = true;
  }

  /** Whether this same call has a view approval out that nobody answered yet. */
  unanswered(request: Pick<ConfirmationRequest, 'tool' | 'args' | 'tenants' | 'caller' | 'principal'>): boolean {
    this.forgetExpired();
    const key = callKeyOf(request);
    for (const issued of this.byApproval.values()) if (issued.key === key && !issued.answered) return true;
    return false;
  }

  /** The call went to another channel: its view approvals decide nothing any more. */
  withdraw(request: Pick<ConfirmationRequest, 'tool' | 'args' | 'tenants' | 'caller' | 'principal'>): void {
    const key = callKeyOf(request);
    for (const [digest, issued] of this.byApproval) if (issued.key === key) this.byApproval.delete(digest);
  }

  private forgetExpired(): void {
    const now = this.now();
    for (const [digest, issued] of this.byApproval) if (issued.exp <= now) this.byApproval.delete(digest);
  }
}
