import { randomBytes } from 'node:crypto';
import type { Person } from '../auth/person.js';
import type { ApprovalDesk, DeskDecision, DeskOutcome, PendingChange } from '../guards/approval-desk.js';
import type { ClickResult, PendingBoard, PendingListing } from './board.js';
import { type Approver, NOT_PENDING, type PendingItem, ruleOnClick } from './click-rules.js';

interface Held {
  item: PendingItem;
  settle: (decision: DeskDecision, deniedBy?: Person) => void;
}

/**
 * The server's pending changes, in memory. Each is settled exactly once (the last approval it needs, a deny,
 * its deadline or its call's cancellation, whichever comes first) and leaves the moment it is: a second click
 * on it, or any click naming another change's digest, decides nothing.
 */
export class PendingApprovals implements ApprovalDesk, PendingBoard {
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

  listing(): PendingListing {
    return { version: this.revision, items: this.list(), withdrawn: [] };
  }

  /** A person's click, under the rules of click-rules.ts (`by`: the signed-in person, absent on the loopback page). */
  click(
    id: string,
    digest: string,
    decision: 'approve' | 'deny',
    typed: string | undefined,
    by?: Approver,
  ): ClickResult {
    const held = this.held.get(id);
    if (held === undefined) return NOT_PENDING;
    const { item } = held;
    const ruling = ruleOnClick(item, { digest, decision, typed, ...(by === undefined ? {} : { by }) });
    if (!ruling.ok) return ruling;
    item.approvedBy = ruling.approvedBy;
    if (ruling.settled?.decision === 'denied') held.settle('denied', ruling.settled.deniedBy);
    else if (ruling.settled !== undefined) held.settle('approved');
    else this.revision++;
    return { ok: true, decision: ruling.decision, item, waitingFor: ruling.waitingFor };
  }
}
