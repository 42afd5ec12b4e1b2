// Runs a list of items one request-group at a time and accounts for each exactly once, in input order:
// succeeded, failed with the reason, or not attempted (after a cancellation or a failure that every later item
// would meet too, such as a refused API key).

import type { Tally } from '../http/http.js';
import type { BulkItem, BulkResult, ProgressFn } from '../visier/api.js';
import { SalescookieApiError } from './errors.js';

export type ItemOutcome = Pick<BulkItem, 'status' | 'userId' | 'username' | 'message' | 'rci'>;

/** Failures that say nothing about the item: every later item would fail the same way. */
function stopsTheRest(err: unknown): boolean {
  if (!(err instanceof SalescookieApiError)) return false;
  return err.kind === 'aborted' || err.kind === 'rate-limited' || err.status === 401 || err.status === 403;
}

export interface ItemIdentity<T> {
  /** Two items with the same key are the same item: the second is not sent. */
  key(item: T): string;
  /** How the item is named in its result when nothing else is known. */
  name(item: T): Pick<BulkItem, 'userId' | 'username'>;
}

export async function runBulk<T>(
  items: T[],
  identity: ItemIdentity<T>,
  attempt: (item: T, tally: Tally) => Promise<ItemOutcome>,
  options: { signal?: AbortSignal; onProgress?: ProgressFn } = {},
): Promise<BulkResult> {
  const tally: Tally = { requests: 0 };
  const results: BulkItem[] = [];
  const firstSeen = new Map<string, number>();
  let stoppedBy: string | undefined;
  for (const [index, item] of items.entries()) {
    const itemKey = identity.key(item);
    const named = { index, ...identity.name(item) };
    const earlier = firstSeen.get(itemKey);
    if (stoppedBy !== undefined || options.signal?.aborted) {
      stoppedBy ??= 'cancelled';
      results.push({ ...named, status: 'not_attempted', message: `not attempted: ${stoppedBy}` });
    } else if (earlier !== undefined) {
      results.push({ ...named, status: 'failed', message: `duplicate of item ${earlier}; not sent` });
    } else {
      firstSeen.set(itemKey, index);
      try {
        results.push({ ...named, ...(await attempt(item, tally)) });
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        results.push({
          ...named,
          status: 'failed',
          message,
          ...(err instanceof SalescookieApiError ? { rci: err.requestId } : {}),
        });
        if (stopsTheRest(err)) stoppedBy = `an earlier item failed: ${message}`;
      }
    }
    options.onProgress?.(index + 1, items.length);
  }
  const count = (status: BulkItem['status']) => results.filter((r) => r.status === status).length;
  return {
    items: results,
    succeeded: count('succeeded'),
    failed: count('failed'),
    notAttempted: count('not_attempted'),
    requests: tally.requests,
  };
}
