import { counted } from '../../grammar.js';
import { fencedText, linesWithinBudget } from '../shared/format.js';
import type { ToolContext } from './define.js';

// The text of an answer read from the snapshot: our own header, then the directory lines in the call's fence,
// cut to the result-size cap when they would pass it (the structured result keeps every item).

export function answerText(
  header: string,
  lines: string[],
  ctx: Pick<ToolContext, 'fence' | 'maxResultChars'>,
): string {
  const fit = linesWithinBudget([header, ...lines], ctx) - 1;
  if (fit >= lines.length) return fencedText(header, lines, ctx);
  return fencedText(
    `${header} Text cut after ${fit} of ${counted(lines.length, 'line')} to keep the result small; structuredContent has them all.`,
    lines.slice(0, fit),
    ctx,
  );
}
