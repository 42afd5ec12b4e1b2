import { createHash } from 'node:crypto';
import { type ApprovalDesk, type ApprovalTrail, type DeskOutcome, namedPerson } from './approval-desk.js';
import { type ApproversPolicy, approvalClassOf, approversRequired } from './approvers.js';
import { canonicalJson } from './canonical.js';
import {
  bindingOf,
  type Confirmation,
  type ConfirmationRequest,
  type Confirmer,
  typedChallenge,
} from './confirmation.js';

const waitingMessage = (required: number) =>
  required > 1
    ? `waiting for ${required} different people to approve this change on the approvals page (any one may deny it)`
    : 'waiting for a person to approve or deny this change on the approvals page';

/**
 * Asks the people on the approvals page (see src/approvals/): the call waits, sending progress, until as many
 * distinct people as `approvers` requires for the change's class and tenants (1 when it sets none) approve
 * exactly this pending change, one denies it, the time runs out, or the client cancels. Only the last needed
 * approval is a yes; anything else refuses with nothing sent. The page never sees the call itself, only what to
 * show and the digest a decision must name.
 */
export class WebConfirmer implements Confirmer {
  constructor(
    private readonly desk: ApprovalDesk | undefined,
    private readonly timeoutMs: number,
    private readonly approvers?: ApproversPolicy,
  ) {}

  async confirm(request: ConfirmationRequest): Promise<Confirmation> {
    if (this.desk === undefined) {
      return {
        kind: 'refused',
        outcome: 'no-channel',
        declined: false,
        reason: 'no-confirmation-channel',
        text: 'this call needs a person to approve it on the approvals page, and the page is not running; nothing was sent.',
      };
    }
    const typed = request.classification === 'destructive' ? typedChallenge(request.preview) : undefined;
    const required = Math.max(
      1,
      approversRequired(this.approvers, request.tenants, approvalClassOf(request.classification, request.preview)) ?? 1,
    );
    const person = request.caller.person;
    const stop = request.caller.keepWaiting?.(waitingMessage(required));
    let outcome: DeskOutcome;
    try {
      outcome = await this.desk.decide(
        {
          digest: createHash('sha256')
            .update(canonicalJson(bindingOf(request)))
            .digest('hex'),
          tool: request.tool,
          classification: request.classification,
          lines: request.shown.alert === undefined ? request.shown.body : [request.shown.alert, ...request.shown.body],
          ...(typed === undefined ? {} : { typed }),
          client: {
            ...(request.caller.clientName === undefined ? {} : { name: request.caller.clientName }),
            ...(request.caller.clientVersion === undefined ? {} : { version: request.caller.clientVersion }),
          },
          principal: request.principal,
          ...(person === undefined ? {} : { person }),
          ...(request.caller.sessionId === undefined ? {} : { sessionId: request.caller.sessionId }),
          approversRequired: required,
        },
        { timeoutMs: this.timeoutMs, ...(request.signal === undefined ? {} : { signal: request.signal }) },
      );
    } finally {
      stop?.();
    }
    // Named wherever people are: an approvers policy, a requester or approver an issuer vouched for. A loopback
    // page's click by no one in particular adds nothing the method and outcome do not say.
    const named =
      this.approvers !== undefined ||
      person !== undefined ||
      outcome.approvedBy.length > 0 ||
      outcome.deniedBy !== undefined;
    const trail: ApprovalTrail | undefined = named
      ? {
          required,
          requester: { principal: request.principal, ...(person === undefined ? {} : { person: namedPerson(person) }) },
          approvedBy: outcome.approvedBy.map(namedPerson),
          ...(outcome.deniedBy === undefined ? {} : { deniedBy: namedPerson(outcome.deniedBy) }),
        }
      : undefined;
    return judge(outcome, required, trail, request, this.timeoutMs);
  }
}

function judge(
  outcome: DeskOutcome,
  required: number,
  trail: ApprovalTrail | undefined,
  request: ConfirmationRequest,
  timeoutMs: number,
): Confirmation {
  const refused = (outcome: string, declined: boolean, reason: string, text: string): Confirmation => ({
    kind: 'refused',
    method: 'web',
    outcome,
    declined,
    reason,
    text,
    ...(trail === undefined ? {} : { approvals: trail }),
  });
  const got = outcome.approvedBy.length;
  switch (outcome.decision) {
    case 'approved':
      return {
        kind: 'confirmed',
        method: 'web',
        outcome: 'approved',
        fingerprint: request.preview.fingerprint,
        shownCount: request.shownCount,
        ...(trail === undefined ? {} : { approvals: trail }),
      };
    case 'denied':
      return refused(
        'denied',
        true,
        'declined',
        required > 1
          ? 'one of the people asked denied this change on the approvals page; nothing was sent.'
          : 'the person denied this change on the approvals page; nothing was sent.',
      );
    case 'timed-out':
      return refused(
        'timed-out',
        false,
        'approval-timeout',
        required > 1
          ? `this change needed ${required} different people to approve it on the approvals page and ${got} did within ${timeoutMs / 1000} s; nothing was sent.`
          : `nobody approved this change on the approvals page within ${timeoutMs / 1000} s; nothing was sent.`,
      );
    case 'cancelled':
      return refused('cancelled', false, 'cancelled', 'the call was cancelled; nothing was sent.');
  }
}
