// The code points directory text must never carry out of the server, generated from Unicode properties
// (0..0x10FFFF, selected by the engine's own tables, not a hand list): every default-ignorable and format
// character, every control, and every surrogate half (each one unpaired when it stands alone).

const PROPERTIES = [/\p{Default_Ignorable_Code_Point}/u, /\p{Cf}/u, /\p{Cc}/u, /\p{Cs}/u];

export const HIDDEN_CODE_POINTS: readonly number[] = (() => {
  const found: number[] = [];
  for (let cp = 0; cp <= 0x10ffff; cp++) {
    const ch = String.fromCodePoint(cp);
    if (PROPERTIES.some((p) => p.test(ch))) found.push(cp);
  }
  return found;
})();

const HIDDEN = new Set(HIDDEN_CODE_POINTS);

/** Controls the sanitiser turns into a space rather than dropping: the line breaks and the tab. */
export const LINE_BREAK_CODE_POINTS: ReadonlySet<number> = new Set([0x09, 0x0a, 0x0d, 0x85]);

/**
 * Hidden code points in `text`, unpaired surrogate halves included (iterating by code point keeps a lone half
 * as itself). `\n` is allowed: it is the line structure of our own multi-line messages.
 */
export function hiddenIn(text: string): number[] {
  const found = new Set<number>();
  for (const ch of text) {
    const cp = ch.codePointAt(0) as number;
    if (cp !== 0x0a && HIDDEN.has(cp)) found.add(cp);
  }
  return [...found];
}
