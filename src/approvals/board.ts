import type { Approver, ClickRefusal, PendingItem } from './click-rules.js';

/** The answer to a click, for the page to show: `ok`, or why nothing was decided (HTTP status and words). */
export type ClickResult =
  /** `waitingFor`: how many more people must approve before the change is made (0: settled now). */
  { ok: true; decision: 'approved' | 'denied'; item: PendingItem; waitingFor: number } | ClickRefusal;

/**
 * What the page lists. `version` moves whenever a change arrives, leaves or gains an approval (the page reloads
 * when it moved); `items` wait, oldest first; `withdrawn` were waiting on a server that stopped (shared desk only).
 */
export interface PendingListing {
  version: number;
  items: PendingItem[];
  withdrawn: PendingItem[];
}

/**
 * The pending changes as the approvals page reads and decides them: in this process (PendingApprovals) or shared
 * by every replica through Redis (SharedPendingApprovals, whose answers are promises and which reject with
 * `StoreUnavailableError`). `click` applies the rules of click-rules.ts.
 */
export interface PendingBoard {
  listing(): PendingListing | Promise<PendingListing>;
  click(
    id: string,
    digest: string,
    decision: 'approve' | 'deny',
    typed: string | undefined,
    by?: Approver,
  ): ClickResult | Promise<ClickResult>;
}
