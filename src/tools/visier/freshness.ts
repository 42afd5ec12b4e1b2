import { z } from 'zod';
import type { DirectorySnapshot } from '../../providers/visier/directory.js';

// Answers read from the directory snapshot say how old it is: the model (and the person) can then judge whether
// a change made elsewhere a moment ago could be missing from the answer.

export const asOfOut = z
  .string()
  .describe('When the directory snapshot this answer reads was taken (ISO-8601 UTC): nothing in it is older');

function age(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 120) return `${seconds} s`;
  const minutes = Math.round(seconds / 60);
  return minutes < 120 ? `${minutes} min` : `${Math.round(minutes / 60)} h`;
}

/** `asOf` for structured output, and the phrase the text says it with: `directory as of … (3 s old)`. */
export function freshness(snapshot: Pick<DirectorySnapshot, 'asOf'>, now: number = Date.now()) {
  const asOf = new Date(snapshot.asOf).toISOString();
  return { asOf, phrase: `directory as of ${asOf} (${age(now - snapshot.asOf)} old)` };
}

export type Freshness = ReturnType<typeof freshness>;
