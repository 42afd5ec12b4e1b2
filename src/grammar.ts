// Counts and articles in the sentences people and models read: every count printed next to a noun goes
// through `counted`, so none reads "1 users" or "0 user", and every article before a variable word through
// `withArticle`, so none reads "a 'access'".

/** `0 users`, `1 user`, `2 users`; `plural` for nouns that do not take an s (`person`, `people`). */
export function counted(n: number, singular: string, plural = `${singular}s`): string {
  return `${n} ${n === 1 ? singular : plural}`;
}

/**
 * `a 'write'`, `an 'access'`: the indefinite article by the word's first sound, read from its letters (an
 * opening quote skipped). A `u` sounding like "you" (user, unit, uri, usual) takes `a`.
 */
export function withArticle(word: string): string {
  const letters = word.replace(/^['"`]+/, '').toLowerCase();
  return `${/^([aeio]|u(?!s|ni|ri|ti))/.test(letters) ? 'an' : 'a'} ${word}`;
}
