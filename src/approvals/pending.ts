import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { ApprovalDesk, DeskDecision, PendingChange } from '../guards/approval-desk.js';

/** A change on the page: what to show, when it stops waiting, and how its call learns the outcome. */
export interface PendingItem {
  /** Random, per change: what the page's form names, with the change's digest. */
  id: string;
  change: PendingChange;
  /** Epoch ms. */
  askedAt: number;
  /** Epoch ms; past it the change is refused as timed out. */
  deadline: number;
}

/** The answer to a click, for the page to show: `ok`, or why nothing was decided (HTTP status and words). */
export type ClickResult =
  | { ok: true; decision: 'approved' | 'denied'; item: PendingItem }
  | { ok: false; status: number; reason: string; text: string };

interface Held {
  item: PendingItem;
  settle: (decision: DeskDecision) => void;
}

const sameText = (a: string, b: string) => {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
};

/**
 * The server's pending changes, in memory. Each is settled exactly once (a click, its deadline or its call's
 * cancellation, whichever comes first) and leaves the moment it is: a second click on it, or any click naming
 * another change's digest, decides nothing.
 */
export class PendingApprovals implements ApprovalDesk {
  private readonly held = new Map<string, Held>();
  private revision = 0;

  constructor(private readonly now: () => number = Date.now) {}

  decide(change: PendingChange, wait: { timeoutMs: number; signal?: AbortSignal }): Promise<DeskDecision> {
    if (wait.signal?.aborted) return Promise.resolve('cancelled');
    const askedAt = this.now();
    const item: PendingItem = {
      id: randomBytes(16).toString('base64url'),
      change,
      askedAt,
      deadline: askedAt + wait.timeoutMs,
    };
    return new Promise<DeskDecision>((resolve) => {
      const timer = setTimeout(() => settle('timed-out'), wait.timeoutMs);
      const onAbort = () => settle('cancelled');
      const settle = (decision: DeskDecision) => {
        if (!this.held.delete(item.id)) return;
        this.revision++;
        clearTimeout(timer);
        wait.signal?.removeEventListener('abort', onAbort);
        resolve(decision);
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
   * typed value shown (no trimming, no case folding); a wrong typed value leaves the change pending.
   */
  click(id: string, digest: string, decision: 'approve' | 'deny', typed: string | undefined): ClickResult {
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
    const outcome = decision === 'approve' ? 'approved' : 'denied';
    held.settle(outcome);
    return { ok: true, decision: outcome, item: held.item };
  }
}
