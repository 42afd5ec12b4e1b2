import type { Classification, ImpactPreview } from '../contract/tool.js';
import type { ApprovalTrail } from './approval-desk.js';
import type { ApprovedPreviews } from './approved-previews.js';
import type { CallerInfo, ConfirmPolicy, ElicitAnswer, ElicitFormSchema } from './guard.js';
import { targetChangedText } from './preview-diff.js';
import { previewForHuman, type ShownPreview } from './preview-text.js';
import type { ConfirmationTokens, TokenBinding } from './token.js';
import type { ShownCount } from './unconfirmed.js';
import { sanitizeUntrusted } from './untrusted.js';

export interface ConfirmationRequest {
  tool: string;
  /** The call's effective class: the stronger of the tool's and its preview's. */
  classification: Classification;
  /** Arguments without the confirmation token. */
  args: Record<string, unknown>;
  tenants: string[];
  /** Taken just now from live data. */
  preview: ImpactPreview;
  /** `preview` as the person sees it, fitted to the channel's budget (see preview-text.ts). */
  shown: ShownPreview;
  /** The token the client sent back, if any. */
  token?: string;
  caller: CallerInfo;
  /** Who the call belongs to (the caller's principal); tokens are bound to it and to the session. */
  principal: string;
  /** The caller's unconfirmed count as `preview` states it; a yes takes exactly this off the count. */
  shownCount: ShownCount;
  /** The call's own signal: a channel that waits on a person stops waiting when the client cancels the call. */
  signal?: AbortSignal;
}

export type ConfirmMethod = 'elicitation' | 'token' | 'input-request' | 'web' | 'app';

export type Confirmation =
  /**
   * A human (or, for tokens, the assistant on the human's behalf) said yes to exactly this preview, which
   * stated `shownCount` (for a token or an input request, the count when it was issued).
   */
  | {
      kind: 'confirmed';
      method: ConfirmMethod;
      outcome: string;
      fingerprint: string;
      shownCount: ShownCount;
      /** On the approvals page: who asked, who approved, how many were needed. */
      approvals?: ApprovalTrail;
    }
  /** Not confirmed: nothing may be sent. */
  | {
      kind: 'refused';
      method?: ConfirmMethod;
      outcome: string;
      declined: boolean;
      reason: string;
      text: string;
      approvals?: ApprovalTrail;
    }
  /** No human could be asked: a token was issued; the call ends here until it comes back. */
  | { kind: 'token-issued'; method: 'token'; outcome: string; token: string; expiresAt: string }
  /**
   * The client renders MCP Apps: a sealed approval goes to the approval view only, and the call ends here until
   * a person's click there brings it back (see app-view.ts).
   */
  | {
      kind: 'view-issued';
      method: 'app';
      outcome: string;
      approval: string;
      expiresAt: string;
      typed?: { what: string; value: string };
    }
  /** The client asks the person itself: the question and the sealed state its repeated call must bring back. */
  | {
      kind: 'input-required';
      method: 'input-request';
      outcome: string;
      message: string;
      requestedSchema: ElicitFormSchema;
      state: string;
      expiresAt: string;
    };

/** The port: one way of getting a human's yes. New strategies plug in here. */
export interface Confirmer {
  confirm(request: ConfirmationRequest): Promise<Confirmation>;
}

/** What a person is asked, whichever channel carries it: the preview, approve, and for irreversible calls a typed value. */
export interface ApprovalForm {
  message: string;
  schema: ElicitFormSchema;
  typed?: { what: string; value: string };
}

export function approvalForm(request: ConfirmationRequest): ApprovalForm {
  const typed = request.classification === 'destructive' ? typedChallenge(request.preview) : undefined;
  const schema: ElicitFormSchema = {
    type: 'object',
    properties: { confirm: { type: 'boolean', title: 'Approve this change', default: false } },
    required: ['confirm'],
  };
  if (typed !== undefined) {
    schema.properties.typed = { type: 'string', title: `Type ${typed.what} to confirm: ${typed.value}` };
    schema.required = ['confirm', 'typed'];
  }
  const message = previewForHuman(
    request.tool,
    request.shown,
    typed !== undefined ? `This cannot be undone. Type ${typed.what} (${typed.value}) to confirm.` : 'Approve?',
  );
  return { message, schema, ...(typed !== undefined ? { typed } : {}) };
}

/** Anything but an explicit, well-formed yes is a no. */
export function judgeAnswer(
  answer: ElicitAnswer,
  form: ApprovalForm,
  method: 'elicitation' | 'input-request' | 'app',
  fingerprint: string,
  shownCount: ShownCount,
): Confirmation {
  const no = (outcome: string, reason: string, text: string): Confirmation => ({
    kind: 'refused',
    method,
    outcome,
    declined: true,
    reason,
    text,
  });
  if (answer.action === 'decline') return no('declined', 'declined', 'the user declined; nothing was sent.');
  if (answer.action !== 'accept') return no('cancelled', 'cancelled', 'the user cancelled; nothing was sent.');
  if (answer.content?.confirm !== true) {
    return no('not-approved', 'declined', 'the user did not tick approve; nothing was sent.');
  }
  // Exactly the string shown: no trimming, no case folding, no coercion of arrays or numbers.
  if (form.typed !== undefined && answer.content?.typed !== form.typed.value) {
    return no(
      'typed-mismatch',
      'typed-mismatch',
      `the typed value did not match ${form.typed.what}; nothing was sent.`,
    );
  }
  return { kind: 'confirmed', method, outcome: 'accepted', fingerprint, shownCount };
}

const TIMED_OUT = Symbol('timed out');

/** Asks the human through MCP form elicitation sent to the client while the call waits. */
export class ElicitationConfirmer implements Confirmer {
  constructor(private readonly timeoutMs: number) {}

  async confirm(request: ConfirmationRequest): Promise<Confirmation> {
    const elicit = request.caller.elicit;
    if (elicit === undefined) return noChannel();
    const form = approvalForm(request);

    let answer: ElicitAnswer | typeof TIMED_OUT;
    let timer: NodeJS.Timeout | undefined;
    try {
      answer = await Promise.race([
        elicit(form.message, form.schema),
        new Promise<typeof TIMED_OUT>((resolve) => {
          timer = setTimeout(() => resolve(TIMED_OUT), this.timeoutMs);
        }),
      ]);
    } catch (error) {
      return refused(
        'error',
        false,
        'elicitation-failed',
        `the approval request failed (${(error as Error).message}); nothing was sent.`,
      );
    } finally {
      clearTimeout(timer);
    }
    if (answer === TIMED_OUT) {
      return refused(
        'timeout',
        false,
        'elicitation-timeout',
        `no answer within ${this.timeoutMs / 1000} s; nothing was sent.`,
      );
    }
    return judgeAnswer(answer, form, 'elicitation', request.preview.fingerprint, request.shownCount);
  }
}

/**
 * Asks the human through an input request the client carries (MCP 2026-07-28): the first call ends with the
 * question and a sealed state; the repeated call brings the answer and the state back. The state is sealed
 * like a confirmation token (HMAC, expiry, bound to the caller and to tool, arguments, tenants and the
 * preview's fingerprint) and spent on first use, whatever the answer, so it is answered once. It is signed
 * with a key of its own: a state is no confirmation token, and the token path never accepts one.
 */
export class InputRequestConfirmer implements Confirmer {
  constructor(
    private readonly states: ConfirmationTokens,
    private readonly approved: ApprovedPreviews,
  ) {}

  async confirm(request: ConfirmationRequest): Promise<Confirmation> {
    const channel = request.caller.inputRequest;
    if (channel === undefined) return noChannel();
    const form = approvalForm(request);
    const binding = bindingOf(request);
    if (channel.state === undefined) {
      const { token, expiresAt, id, exp } = this.states.issue(binding, request.shownCount);
      this.approved.remember(id, request.preview, exp);
      return {
        kind: 'input-required',
        method: 'input-request',
        outcome: 'state-issued',
        message: form.message,
        requestedSchema: form.schema,
        state: token,
        expiresAt,
      };
    }
    const check = await redeemSealed(this.states, this.approved, channel.state, request, 'input-request', 'state-');
    if (check.kind === 'refused') return check;
    if (channel.answer === undefined) {
      return {
        kind: 'refused',
        method: 'input-request',
        outcome: 'no-answer',
        declined: false,
        reason: 'no-answer',
        text: 'the approval state came back without the person’s answer; nothing was sent. Ask for a new preview.',
      };
    }
    return judgeAnswer(channel.answer, form, 'input-request', request.preview.fingerprint, check.seen);
  }
}

/** Without elicitation: the first call gets a preview and a token; the call that brings it back acts. */
export class TokenConfirmer implements Confirmer {
  constructor(
    private readonly tokens: ConfirmationTokens,
    private readonly approved: ApprovedPreviews,
  ) {}

  async confirm(request: ConfirmationRequest): Promise<Confirmation> {
    const binding = bindingOf(request);
    if (request.token === undefined) {
      const { token, expiresAt, id, exp } = this.tokens.issue(binding, request.shownCount);
      this.approved.remember(id, request.preview, exp);
      return { kind: 'token-issued', method: 'token', outcome: 'token-issued', token, expiresAt };
    }
    const check = await redeemSealed(this.tokens, this.approved, request.token, request, 'token', 'token-');
    if (check.kind === 'refused') return check;
    return {
      kind: 'confirmed',
      method: 'token',
      outcome: 'token-accepted',
      fingerprint: request.preview.fingerprint,
      shownCount: check.seen,
    };
  }
}

/** The fail-closed default: no way to ask a human means no. */
export class RefusingConfirmer implements Confirmer {
  async confirm(): Promise<Confirmation> {
    return noChannel();
  }
}

/**
 * Spends a sealed approval (a confirmation token, an input request's state, an app view's approval) for this
 * call: the count its preview stated, or the refusal, its reason prefixed as the channel names what it holds
 * (`token-replayed`, `state-replayed`, `approval-replayed`), and a target change said line by line.
 */
export async function redeemSealed(
  seals: ConfirmationTokens,
  approved: ApprovedPreviews,
  sealed: string,
  request: ConfirmationRequest,
  method: ConfirmMethod,
  prefix: string,
): Promise<{ kind: 'redeemed'; seen: ShownCount } | Extract<Confirmation, { kind: 'refused' }>> {
  const check = await seals.redeemOnce(sealed, bindingOf(request));
  if (!check.ok) {
    const reason = check.reason === 'target-changed' ? check.reason : check.reason.replace(/^token-/, prefix);
    const text =
      check.reason === 'target-changed' ? targetChangedText(approved.take(check.id), request.preview) : check.text;
    return { kind: 'refused', method, outcome: reason, declined: false, reason, text };
  }
  approved.take(check.id);
  return { kind: 'redeemed', seen: check.seen };
}

/** Exactly this call, in this session, by this caller, against this preview. */
export function bindingOf(request: ConfirmationRequest): TokenBinding {
  return {
    tool: request.tool,
    args: request.args,
    tenants: request.tenants,
    fingerprint: request.preview.fingerprint,
    session: request.caller.sessionId ?? '',
    principal: request.principal,
  };
}

/**
 * Which strategy applies: the one place a channel is chosen. Under `web` only a click on the approvals page counts.
 * Under `auto`, the strongest channel the client allows: a token the model brought back is judged as a token; else
 * the MCP Apps approval view (a person's click the model cannot make), then asking the person through the client
 * (input request or elicitation), then the approvals page when it runs, then a token. The view is skipped for a
 * call asked again while its earlier view approval is unanswered (`viewUnanswered`): a client may declare MCP Apps
 * and never show the view, so the view is never the only way. Under `elicitation`, clients that cannot ask a
 * person (by elicitation or by input request) are refused outright. A call that carries an answer from the
 * approval view is judged by the view's strategy under any policy but `web`: it was issued under `auto`, and
 * anything else would ask again for a change the person already answered.
 */
export function chooseConfirmer(
  policy: ConfirmPolicy,
  caller: CallerInfo,
  hasToken: boolean,
  strategies: {
    appView: Confirmer;
    elicitation: Confirmer;
    inputRequest: Confirmer;
    token: Confirmer;
    refusing: Confirmer;
    web: Confirmer;
  },
  pageRunning: boolean,
  viewUnanswered = false,
): Confirmer {
  // Under `web` only a click on the page counts: neither a token nor an answer the client relays.
  if (policy === 'web') return strategies.web;
  if (caller.viewAnswer !== undefined) return strategies.appView;
  if (policy === 'auto' && hasToken) return strategies.token;
  if (policy === 'auto' && caller.rendersViews === true && !viewUnanswered) return strategies.appView;
  if (caller.inputRequest !== undefined) return strategies.inputRequest;
  if (caller.elicit !== undefined) return strategies.elicitation;
  if (policy === 'auto' && pageRunning) return strategies.web;
  if (policy === 'auto') return strategies.token;
  return strategies.refusing;
}

/** GitHub-style friction for irreversible calls: the one target's name, or how many targets there are. */
export function typedChallenge(preview: ImpactPreview): { what: string; value: string } {
  const [only, ...rest] = preview.targets;
  if (only !== undefined && rest.length === 0) {
    const name = only.name !== undefined ? sanitizeUntrusted(only.name).trim() : '';
    return name !== '' ? { what: 'the name', value: name } : { what: 'the id', value: only.id };
  }
  return { what: 'the number of targets', value: String(preview.targets.length) };
}

function refused(outcome: string, declined: boolean, reason: string, text: string): Confirmation {
  return { kind: 'refused', method: 'elicitation', outcome, declined, reason, text };
}

export function noChannel(): Confirmation {
  return {
    kind: 'refused',
    outcome: 'no-channel',
    declined: false,
    reason: 'no-confirmation-channel',
    text:
      'this call needs a human to confirm it, and this client cannot ask (no form elicitation) while the server ' +
      "requires elicitation. Use a client with elicitation, or the operator can set the confirmation policy to 'auto'.",
  };
}
