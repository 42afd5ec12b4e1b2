import { createHash } from 'node:crypto';
import type { ApprovalDesk, DeskDecision } from './approval-desk.js';
import { canonicalJson } from './canonical.js';
import {
  bindingOf,
  type Confirmation,
  type ConfirmationRequest,
  type Confirmer,
  typedChallenge,
} from './confirmation.js';

const WAITING_MESSAGE = 'waiting for a person to approve or deny this change on the approvals page';

/**
 * Asks the person on the approvals page (see src/approvals/): the call waits, sending progress, until the page
 * approves or denies exactly this pending change, the time runs out, or the client cancels. Only an approval
 * is a yes; anything else refuses with nothing sent. The page never sees the call itself, only what to show
 * and the digest a decision must name.
 */
export class WebConfirmer implements Confirmer {
  constructor(
    private readonly desk: ApprovalDesk | undefined,
    private readonly timeoutMs: number,
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
    const stop = request.caller.keepWaiting?.(WAITING_MESSAGE);
    let decision: DeskDecision;
    try {
      decision = await this.desk.decide(
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
          ...(request.caller.person === undefined ? {} : { person: request.caller.person }),
          ...(request.caller.sessionId === undefined ? {} : { sessionId: request.caller.sessionId }),
        },
        { timeoutMs: this.timeoutMs, ...(request.signal === undefined ? {} : { signal: request.signal }) },
      );
    } finally {
      stop?.();
    }
    return judge(decision, request, this.timeoutMs);
  }
}

function judge(decision: DeskDecision, request: ConfirmationRequest, timeoutMs: number): Confirmation {
  const refused = (outcome: string, declined: boolean, reason: string, text: string): Confirmation => ({
    kind: 'refused',
    method: 'web',
    outcome,
    declined,
    reason,
    text,
  });
  switch (decision) {
    case 'approved':
      return {
        kind: 'confirmed',
        method: 'web',
        outcome: 'approved',
        fingerprint: request.preview.fingerprint,
        shownCount: request.shownCount,
      };
    case 'denied':
      return refused(
        'denied',
        true,
        'declined',
        'the person denied this change on the approvals page; nothing was sent.',
      );
    case 'timed-out':
      return refused(
        'timed-out',
        false,
        'approval-timeout',
        `nobody approved this change on the approvals page within ${timeoutMs / 1000} s; nothing was sent.`,
      );
    case 'cancelled':
      return refused('cancelled', false, 'cancelled', 'the call was cancelled; nothing was sent.');
  }
}
