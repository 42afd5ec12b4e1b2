// The examples this project ships (deploy/kubernetes/secret.yaml, README) carry values meant to be replaced:
// `replace-me`, `replace-me-with-32-random-characters`, `<registry>`. Taken as real, such a value signs tokens
// with a secret anyone can read, or sends checkpoints nowhere, and nothing says so.

/** `replace-me…`, `change-me…` (with `-`, `_`, a space or nothing between), or any `<…>` in the value. */
const PLACEHOLDER = /^(replace|change)[-_ ]?me(\b|[-_])|<[^<>]*>/i;

/** What `isPlaceholder` refuses, in words for an error message (never the value itself: it may be a secret). */
export const PLACEHOLDER_RULE = 'replace-me, changeme or <…>, as in the shipped examples';

/** Whether `value` is one of the examples' placeholders rather than a value someone chose. */
export function isPlaceholder(value: string): boolean {
  return PLACEHOLDER.test(value.trim());
}
