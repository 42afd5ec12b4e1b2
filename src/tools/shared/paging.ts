import type { ToolContext } from '../../contract/tool.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { linesWithinBudget } from './format.js';

export interface LocalPage<T> {
  items: T[];
  lines: string[];
  nextCursor?: string;
  cappedBySize: boolean;
}

/**
 * One page of a list Visier returns whole (permissions, holders, members): sliced at the cursor, cut to
 * `limit` and to the text budget, with a cursor to the rest.
 */
export function localPage<T>(
  all: readonly T[],
  lineOf: (item: T) => string,
  args: { limit?: number | undefined; cursor?: string | undefined },
  defaultLimit: number,
  ctx: Pick<ToolContext, 'maxResultChars'>,
): LocalPage<T> {
  const start = decodeCursor(args.cursor);
  const window = all.slice(start, start + (args.limit ?? defaultLimit));
  const lines = window.map(lineOf);
  const fit = linesWithinBudget(lines, ctx);
  const end = start + fit;
  return {
    items: window.slice(0, fit),
    lines: lines.slice(0, fit),
    ...(end < all.length ? { nextCursor: encodeCursor(end) } : {}),
    cappedBySize: fit < window.length,
  };
}
