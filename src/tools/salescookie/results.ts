import { z } from 'zod';
import { counted } from '../../grammar.js';
import type { BulkResult } from '../../providers/visier/api.js';
import { fencedText, linesWithinBudget, quoted } from '../shared/format.js';
import type { ToolContext } from './define.js';

// What a many-item change answers: every item as succeeded, failed with the reason, or not attempted, named by
// the e-mail it was asked for.

export const bulkItemOut = z.object({
  index: z.number().int(),
  status: z.enum(['succeeded', 'failed', 'not_attempted']),
  userId: z.string().describe('The e-mail as given'),
  systemUserId: z.string().optional(),
  message: z.string().optional(),
});
export type BulkItemOut = z.infer<typeof bulkItemOut>;

export const bulkOut = {
  succeeded: z.number().int(),
  failed: z.number().int(),
  notAttempted: z.number().int(),
  items: z.array(bulkItemOut),
};

/** The client's result with each item named by the e-mail asked for (`emails[index]`). */
export function byEmail(result: BulkResult, emails: readonly string[]): BulkItemOut[] {
  return result.items.map((item) => ({
    index: item.index,
    status: item.status,
    userId: emails[item.index] ?? item.username ?? '',
    ...(item.status === 'succeeded' && item.userId ? { systemUserId: item.userId } : {}),
    ...(item.message ? { message: item.message } : {}),
  }));
}

/** Failures first, then not attempted, then successes; as many lines as fit, with a count of the rest. */
export function bulkAnswer(verb: string, items: BulkItemOut[], ctx: ToolContext) {
  const order = { failed: 0, not_attempted: 1, succeeded: 2 } as const;
  const lines = [...items]
    .sort((a, b) => order[a.status] - order[b.status] || a.index - b.index)
    .map((i) => `#${i.index} ${i.status} ${quoted(i.userId)}${i.message ? `: ${i.message}` : ''}`);
  const fit = linesWithinBudget(lines, ctx);
  const omitted = lines.length - fit;
  const count = (status: BulkItemOut['status']) => items.filter((i) => i.status === status).length;
  const structured = {
    succeeded: count('succeeded'),
    failed: count('failed'),
    notAttempted: count('not_attempted'),
    items,
  };
  const header =
    `${verb}: ${structured.succeeded} succeeded, ${structured.failed} failed, ${structured.notAttempted} not attempted.` +
    (omitted > 0 ? ` ${counted(omitted, 'item line')} omitted here; structuredContent lists every item.` : '');
  return { text: fencedText(header, lines.slice(0, fit), ctx), structured };
}
