import type { ToolContext } from '../../contract/tool.js';
import { counted } from '../../grammar.js';
import type { BulkItem, BulkResult } from '../../providers/visier/api.js';
import { fencedText, linesWithinBudget } from '../shared/format.js';

// How a change of many items reads: every item succeeded, failed with Sisense's reason, or not attempted with
// why; failures first in the text, every item in structuredContent.

type Item = BulkItem & { site?: string };

export function outcomeText(
  verb: string,
  result: Omit<BulkResult, 'items'> & { items: Item[] },
  ctx: ToolContext,
): string {
  const order = { failed: 0, not_attempted: 1, succeeded: 2 } as const;
  const lines = [...result.items]
    .sort((a, b) => order[a.status] - order[b.status] || a.index - b.index)
    .map((i) => {
      const who = [i.site ? `site ${i.site}` : undefined, i.username ?? i.userId, i.displayName]
        .filter((p) => p !== undefined)
        .join(' ');
      return `#${i.index} ${i.status} ${who}${i.message ? `: ${i.message}` : ''}${i.rci ? ` request:${i.rci}` : ''}`;
    });
  const fit = linesWithinBudget(lines, ctx);
  const omitted = lines.length - fit;
  const header =
    `${verb}: ${result.succeeded} succeeded, ${result.failed} failed, ${result.notAttempted} not attempted.` +
    (omitted > 0 ? ` ${counted(omitted, 'item line')} omitted here; structuredContent lists every item.` : '');
  return fencedText(header, lines.slice(0, fit), ctx);
}

export function outcomeOut(result: Omit<BulkResult, 'items'> & { items: Item[] }) {
  return {
    succeeded: result.succeeded,
    failed: result.failed,
    notAttempted: result.notAttempted,
    items: result.items.map(({ user: _user, ...item }) => item),
  };
}

/** A change that did not fully succeed is an error result carrying the same accounting. */
export function outcome(verb: string, result: Omit<BulkResult, 'items'> & { items: Item[] }, ctx: ToolContext) {
  return {
    text: outcomeText(verb, result, ctx),
    structured: outcomeOut(result),
    ...(result.failed + result.notAttempted > 0 ? { isError: true } : {}),
  };
}
