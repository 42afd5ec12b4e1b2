/**
 * Marks a finished sign-in spent: true the first time its `id` is spent, false for any later callback with the same
 * state within `ttlMs` (until the state expires anyway). Shared replicas use the store's `claimOnce`; may reject
 * with `StoreUnavailableError`.
 */
export type SpendSignIn = (id: string, ttlMs: number) => Promise<boolean>;

/**
 * Spent sign-ins in this process: one replica, or the loopback page. Only sign-ins the issuer completed are
 * recorded, each until its state expires, so what it holds is bounded by real people's sign-ins.
 */
export function spentInMemory(now: () => number = Date.now): SpendSignIn {
  const spent = new Map<string, number>();
  return async (id, ttlMs) => {
    const at = now();
    for (const [held, until] of spent) if (until <= at) spent.delete(held);
    if (spent.has(id)) return false;
    spent.set(id, at + ttlMs);
    return true;
  };
}
