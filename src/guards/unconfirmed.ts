import type { SharedStore } from '../shared-state/store.js';

/** How far back a caller's unconfirmed changes count toward the write-confirmation threshold. */
export const UNCONFIRMED_WINDOW_MS = 3_600_000;
// Callers remembered at once; the least recently active is forgotten past this, so memory stays bounded.
const MAX_CALLERS = 10_000;

/** The running count as a preview states it to a person: how many people, as of when (epoch milliseconds). */
export interface ShownCount {
  items: number;
  at: number;
}

/**
 * The people a caller (`CallerInfo.principal`, all its sessions together) changed without a person confirming,
 * over a rolling hour, for the write-confirmation threshold: three calls of 10 users count as 30, not as three
 * calls under a threshold of 10. What lowers it: time (each change leaves the count an hour after it ran), and a
 * call a person confirmed, by exactly the count its preview stated (see `confirmed`). Check and record run in
 * the same synchronous step of a call, so racing calls cannot both slip under. With a shared store (`--redis-url`)
 * the count is the caller's on every replica; the store unreachable rejects with `StoreUnavailableError`.
 */
export class UnconfirmedChanges {
  private readonly byCaller = new Map<string, { at: number; items: number }[]>();

  constructor(
    private readonly now: () => number,
    private readonly shared?: Pick<SharedStore, 'unconfirmedCount' | 'recordUnconfirmed' | 'confirmUnconfirmed'>,
  ) {}

  /** People changed without confirmation by this caller in the window. */
  async count(caller: string): Promise<number> {
    if (this.shared) return this.shared.unconfirmedCount(caller, UNCONFIRMED_WINDOW_MS, this.now());
    return this.countHere(caller);
  }

  private countHere(caller: string): number {
    const entries = this.byCaller.get(caller);
    if (entries === undefined) return 0;
    const since = this.now() - UNCONFIRMED_WINDOW_MS;
    while (entries.length > 0 && (entries[0] as { at: number }).at <= since) entries.shift();
    if (entries.length === 0) this.byCaller.delete(caller);
    return entries.reduce((sum, entry) => sum + entry.items, 0);
  }

  /**
   * A change about to run without confirmation, recorded only if the count still leaves it within `threshold`:
   * undefined when recorded, else the count that another call of the caller raised meanwhile (the check and the
   * record are one step, in memory and in the shared store alike).
   */
  async record(caller: string, items: number, threshold: number): Promise<number | undefined> {
    if (this.shared) return this.shared.recordUnconfirmed(caller, items, threshold, UNCONFIRMED_WINDOW_MS, this.now());
    const before = this.countHere(caller);
    if (before + items > threshold) return before;
    const entries = this.byCaller.get(caller) ?? [];
    entries.push({ at: this.now(), items });
    this.byCaller.delete(caller);
    this.byCaller.set(caller, entries);
    if (this.byCaller.size > MAX_CALLERS) this.byCaller.delete(this.byCaller.keys().next().value as string);
    return undefined;
  }

  /** The count as a preview states it now: to be bound to the person's approval (token or form). */
  async shown(caller: string): Promise<ShownCount> {
    const at = this.now();
    return { items: await this.count(caller), at };
  }

  /**
   * A person confirmed a change whose preview stated `shown`: the changes they saw leave the count, oldest
   * first, at most `shown.items` people of those recorded by `shown.at`. Changes made after the preview (while
   * a token waited, or while the form was open) were never shown, so they stay counted.
   */
  async confirmed(caller: string, shown: ShownCount): Promise<void> {
    if (this.shared) return this.shared.confirmUnconfirmed(caller, shown, UNCONFIRMED_WINDOW_MS, this.now());
    if (this.countHere(caller) === 0) return;
    const entries = this.byCaller.get(caller) as { at: number; items: number }[];
    let left = shown.items;
    for (const entry of entries) {
      if (left === 0 || entry.at > shown.at) break;
      const seen = Math.min(left, entry.items);
      entry.items -= seen;
      left -= seen;
    }
    const remaining = entries.filter((entry) => entry.items > 0);
    if (remaining.length === 0) this.byCaller.delete(caller);
    else this.byCaller.set(caller, remaining);
  }
}
