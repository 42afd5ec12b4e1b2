// Waiters of several callers served in turn: one caller's first waiter, then the next caller's, and so on, each
// caller's own waiters in the order they came. A caller with many waiters gets no more turns than one with one.

export class FairQueue<T> {
  /** Callers with waiters, in the order their next turn comes (a Map keeps insertion order). */
  private readonly byCaller = new Map<string, T[]>();
  private total = 0;

  get size(): number {
    return this.total;
  }

  /** How many of `caller`'s waiters are queued. */
  count(caller: string): number {
    return this.byCaller.get(caller)?.length ?? 0;
  }

  /** Callers with at least one waiter. */
  get callers(): number {
    return this.byCaller.size;
  }

  push(caller: string, item: T): void {
    const own = this.byCaller.get(caller);
    if (own === undefined) this.byCaller.set(caller, [item]);
    else own.push(item);
    this.total++;
  }

  /** The first waiter of the caller whose turn it is; that caller then goes to the back of the line. */
  shift(): T | undefined {
    const next = this.byCaller.entries().next();
    if (next.done) return undefined;
    const [caller, own] = next.value;
    const item = own.shift() as T;
    this.byCaller.delete(caller);
    if (own.length > 0) this.byCaller.set(caller, own);
    this.total--;
    return item;
  }

  /** Takes `item` out of `caller`'s waiters; false when it is no longer queued (already served). */
  remove(caller: string, item: T): boolean {
    const own = this.byCaller.get(caller);
    const at = own?.indexOf(item) ?? -1;
    if (own === undefined || at < 0) return false;
    own.splice(at, 1);
    if (own.length === 0) this.byCaller.delete(caller);
    this.total--;
    return true;
  }
}
