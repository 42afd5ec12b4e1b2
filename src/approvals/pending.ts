import { randomBytes, timingSafeEqual } from 'node:crypto';
import { type Person, personKey } from '../auth/person.js';
import type { ApprovalDesk, DeskDecision, DeskOutcome, PendingChange } from '../guards/approval-desk.js';

/** A change on the page: what to show, when it stops waiting, and how its call learns the outcome. */
export interface PendingItem {
  /** Random, per change: what the page's form names, with the change's digest. */
  id: string;
  change: PendingChange;
  /** Epoch ms. */
  askedAt: number;
  /** Epoch ms; past it the change is refused as timed out. */
  deadline: number;
  /** The distinct people who approved it so far, in order (the page shows them; the audit names them). */
  approvedBy: Person[];
}

/** The answer to a click, for the page to show: `ok`, or why nothing was decided (HTTP status and words). */
export type ClickResult =
  /** `waitingFor`: how many more people must approve before the change is made (0: settled now). */
  | { ok: true; decision: 'approved' | 'denied'; item: PendingItem; waitingFor: number }
  | { ok: false; status: number; reason: string; text: string };

interface Held {
  item: PendingItem;
  settle: (decision: DeskDecision, deniedBy?: Person) => void;
}

const sameText = (a: string, b: string) => {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
};

/** Whether `person` is who asked for `change`: by the person its token named, or by the principal it is bound to. */
export function isRequester(person: Person, change: PendingChange): boolean {
  const key = personKey(person);
  return key === change.principal || (change.person !== undefined && key === personKey(change.person));
}

/**
 * The server's pending changes, in memory. Each is settled exactly once (the last approval it needs, a deny,
 * its deadline or its call's cancellation, whichever comes first) and leaves the moment it is: a second click
 * on it, or any click naming another change's digest, decides nothing.
 */
export class PendingApprovals implements ApprovalDesk {
  private readonly held = new Map<string, Held>();
  private revision = 0;

  constructor(private readonly now: () => number = Date.now) {}

  decide(change: PendingChange, wait: { timeoutMs: number; signal?: AbortSignal }): Promise<DeskOutcome> {
    if (wait.signal?.aborted) return Promise.resolve({ decision: 'cancelled', approvedBy: [] });
    const askedAt = this.now();
    const item: PendingItem = {
      id: randomBytes(16).toString('base64url'),
      change,
      askedAt,
      deadline: askedAt + wait.timeoutMs,
      approvedBy: [],
    };
    return new Promise<DeskOutcome>((resolve) => {
      const timer = setTimeout(() => settle('timed-out'), wait.timeoutMs);
      const onAbort = () => settle('cancelled');
      const settle = (decision: DeskDecision, deniedBy?: Person) => {
        if (!this.held.delete(item.id)) return;
        this.revision++;
        clearTimeout(timer);
        wait.signal?.removeEventListener('abort', onAbort);
        resolve({ decision, approvedBy: [...item.approvedBy], ...(deniedBy === undefined ? {} : { deniedBy }) });
      };
      wait.signal?.addEventListener('abort', onAbort, { once: true });
      this.held.set(item.id, { item, settle });
      this.revision++;
    });
  }

  /** What the page lists, oldest first. */
  list(): PendingItem[] {
    return [...this.held.values()].map((held) => held.item);
  }

  /** Goes up whenever a change arrives or leaves: the page reloads when it moved. */
  get version(): number {
    return this.revision;
  }

  /**
   * A person's click. Approving needs the change's id and digest, and for an irreversible change exactly the
   * typed value shown (no trimming, no case folding); a wrong typed value leaves the change pending. `by` is the
   * signed-in person (absent on the loopback page): the requester cannot approve their own change (denying it is fine),
   * a change that needs more than one approver takes only signed-in people, and a person counts once.
   */
  click(id: string, digest: string, decision: 'approve' | 'deny', typed: string | undefined, by?: Person): ClickResult {
    const held = this.held.get(id);
    if (held === undefined) {
      return {
        ok: false,
        status: 409,
        reason: 'not-pending',
        text: 'This change is no longer waiting: it was already decided, timed out or withdrawn. Nothing was done.',
      };
    }
    if (!sameText(digest, held.item.change.digest)) {
      return {
        ok: false,
        status: 409,
        reason: 'digest-mismatch',
        text: 'This decision names another change than the one waiting under its id. Nothing was done.',
      };
    }
    const expected = held.item.change.typed;
    if (decision === 'approve' && expected !== undefined && typed !== expected.value) {
      return {
        ok: false,
        status: 422,
        reason: 'typed-mismatch',
        text: `To approve, type ${expected.what} exactly as shown. The change is still waiting.`,
      };
    }
    const { item } = held;
    const required = item.change.approversRequired ?? 1;
    // Denying one's own change only withdraws it: refusing is always safe, approving is someone else's to do.
    if (decision === 'approve' && by !== undefined && isRequester(by, item.change)) {
      return {
        ok: false,
        status: 403,
        reason: 'own-change',
        text: 'You asked for this change, so you cannot approve it: another person must. Nothing was done.',
      };
    }
    if (by === undefined && required > 1) {
      return {
        ok: false,
        status: 403,
        reason: 'not-signed-in',
        text: `This change needs ${required} different people to approve it, and this page does not know who you are. Sign in first. Nothing was done.`,
      };
    }
    if (decision === 'deny') {
      held.settle('denied', by);
      return { ok: true, decision: 'denied', item, waitingFor: 0 };
    }
    if (by !== undefined && item.approvedBy.some((p) => personKey(p) === personKey(by))) {
      return {
        ok: false,
        status: 409,
        reason: 'already-approved',
        text: `You already approved this change; it waits for ${required - item.approvedBy.length} more ${required - item.approvedBy.length === 1 ? 'person' : 'people'}. Your second approval does not count.`,
      };
    }
    if (by !== undefined) item.approvedBy.push(by);
    const waitingFor = by === undefined ? 0 : Math.max(0, required - item.approvedBy.length);
    if (waitingFor === 0) held.settle('approved');
    else this.revision++;
    return { ok: true, decision: 'approved', item, waitingFor };
  }
}
