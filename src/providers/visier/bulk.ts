// Runs a V2 bulk users operation in chunks of 100 (Visier's maximum), one chunk at a time, and accounts
// for every input item exactly once, in input order: Visier's successes and failures are matched back
// by key (username or userId), not by position, and a chunk that could not be sent leaves its items
// `not_attempted` with the reason.

import { VisierApiError } from '../http/errors.js';
import type { BulkItem, BulkResult, ProgressFn } from './api.js';

export const BULK_CHUNK_SIZE = 100;
export const NO_RESULT_MESSAGE = 'no result from Visier';

export interface ChunkReply<S, F> {
  successes: S[];
  failures: F[];
  /** The reply is to a retry: an earlier attempt of the chunk may have been carried out, its answer lost. */
  afterLostAnswer?: boolean;
}

/** How to establish that a failed item's work was done by an attempt whose answer was lost. */
export interface LostAnswerCheck<I> {
  /** True only when Visier confirms the item's work is in place; any doubt is false. */
  done(item: I): Promise<boolean>;
  /** The message of an item found done. */
  note: string;
}

export interface BulkPlan<I, S, F> {
  items: readonly I[];
  /** The key Visier reports results by, for an input item; case and spaces do not matter. */
  keyOfItem(item: I): string;
  keyOfSuccess(success: S): string | undefined;
  keyOfFailure(failure: F): string | undefined;
  /** The identifying fields of an item's result row. */
  describe(item: I): Pick<BulkItem, 'userId' | 'username' | 'displayName'>;
  /** The extra fields of a succeeded row (e.g. the new userId and the user). */
  succeeded(item: I, success: S): Partial<BulkItem>;
  failed(failure: F): { message: string; rci?: string };
  send(chunk: I[]): Promise<ChunkReply<S, F>>;
  /**
   * For operations whose retry fails items the lost attempt already did (a deletion finds the user gone):
   * failed items of a reply after a lost answer that pass the check are succeeded, with the check's note.
   */
  lostAnswerCheck?: LostAnswerCheck<I> | undefined;
  onProgress?: ProgressFn | undefined;
  signal?: AbortSignal | undefined;
  chunkSize?: number;
}

export async function runBulk<I, S, F>(plan: BulkPlan<I, S, F>, requests: () => number): Promise<BulkResult> {
  const size = plan.chunkSize ?? BULK_CHUNK_SIZE;
  const results: (BulkItem | undefined)[] = new Array(plan.items.length).fill(undefined);
  let stopReason: string | undefined;
  for (let from = 0; from < plan.items.length; from += size) {
    const indices = range(from, Math.min(from + size, plan.items.length));
    if (stopReason === undefined && plan.signal?.aborted) stopReason = 'not sent: the operation was cancelled';
    if (stopReason !== undefined) {
      for (const i of indices) results[i] = row(plan, i, { status: 'not_attempted', message: stopReason });
      continue;
    }
    const sentBefore = requests();
    try {
      const reply = await plan.send(indices.map((i) => plan.items[i]!));
      settleChunk(plan, indices, reply, results);
      if (reply.afterLostAnswer && plan.lostAnswerCheck) {
        await settleLostAnswer(plan, plan.lostAnswerCheck, indices, results);
      }
    } catch (err) {
      // Anything but a Visier error is a defect here, and must surface rather than hide in a row.
      if (!(err instanceof VisierApiError)) throw err;
      const outcome = chunkFailure(err, requests() > sentBefore);
      for (const i of indices) results[i] = row(plan, i, outcome.item);
      stopReason = outcome.stop;
    }
    plan.onProgress?.(indices[indices.length - 1]! + 1, plan.items.length);
  }
  const items = results.map((r, i) => r ?? row(plan, i, { status: 'failed', message: NO_RESULT_MESSAGE }));
  return {
    items,
    succeeded: items.filter((i) => i.status === 'succeeded').length,
    failed: items.filter((i) => i.status === 'failed').length,
    notAttempted: items.filter((i) => i.status === 'not_attempted').length,
    requests: requests(),
  };
}

function settleChunk<I, S, F>(
  plan: BulkPlan<I, S, F>,
  indices: number[],
  reply: ChunkReply<S, F>,
  results: (BulkItem | undefined)[],
): void {
  // Several items may share a key (a duplicate in the input); each reply entry settles the first open one.
  const open = new Map<string, number[]>();
  for (const i of indices) {
    const key = normaliseKey(plan.keyOfItem(plan.items[i]!));
    open.set(key, [...(open.get(key) ?? []), i]);
  }
  const take = (key: string | undefined) => (key === undefined ? undefined : open.get(normaliseKey(key))?.shift());
  for (const s of reply.successes) {
    const i = take(plan.keyOfSuccess(s));
    if (i !== undefined) results[i] = row(plan, i, { status: 'succeeded', ...plan.succeeded(plan.items[i]!, s) });
  }
  for (const f of reply.failures) {
    const i = take(plan.keyOfFailure(f));
    if (i !== undefined) results[i] = row(plan, i, { status: 'failed', ...plan.failed(f) });
  }
}

async function settleLostAnswer<I, S, F>(
  plan: BulkPlan<I, S, F>,
  check: LostAnswerCheck<I>,
  indices: number[],
  results: (BulkItem | undefined)[],
): Promise<void> {
  for (const i of indices) {
    if (results[i]?.status !== 'failed') continue;
    if (await check.done(plan.items[i]!)) results[i] = row(plan, i, { status: 'succeeded', message: check.note });
  }
}

/**
 * What a chunk's error means for its items and for the chunks after it. Visier's answer for the chunk
 * (4xx, 5xx) fails its items and the next chunk is still tried; anything that would fail every later chunk
 * too (cancellation, exhausted rate limit, lost connection, rejected credentials) stops the run.
 */
function chunkFailure(
  error: VisierApiError,
  anySent: boolean,
): { item: Pick<BulkItem, 'status' | 'message' | 'rci'>; stop?: string } {
  const reason = error.localizedMessage ?? error.message;
  const withRci = (item: Pick<BulkItem, 'status' | 'message'>) =>
    error.rci === undefined ? item : { ...item, rci: error.rci };
  // A 429 is never processed; a cancelled chunk was processed only if a request of it went out.
  const neverProcessed = (error.kind === 'aborted' && !anySent) || error.kind === 'rate-limited' || !error.sent;
  const systemic =
    neverProcessed ||
    error.kind === 'aborted' ||
    error.kind === 'network' ||
    error.kind === 'timeout' ||
    error.status === 401 ||
    error.status === 403;
  const item = neverProcessed
    ? withRci({ status: 'not_attempted', message: `not sent: ${error.message}` })
    : error.kind === 'http'
      ? withRci({ status: 'failed', message: reason })
      : withRci({ status: 'failed', message: `outcome unknown: ${error.message}` });
  if (!systemic) return { item };
  const stop =
    error.kind === 'aborted'
      ? 'not sent: the operation was cancelled'
      : `not sent: an earlier chunk failed: ${error.message}`;
  return { item, stop };
}

function row<I, S, F>(plan: BulkPlan<I, S, F>, index: number, fields: Partial<BulkItem>): BulkItem {
  const out: BulkItem = { index, status: 'failed' };
  for (const [k, v] of Object.entries({ ...plan.describe(plan.items[index]!), ...fields })) {
    if (v !== undefined) (out as unknown as Record<string, unknown>)[k] = v;
  }
  return out;
}

function normaliseKey(key: string): string {
  return key.trim().toLowerCase();
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, i) => from + i);
}
