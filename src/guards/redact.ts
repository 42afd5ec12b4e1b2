import { createHash } from 'node:crypto';
import { VIEW_APPROVAL_ARG } from './app-view.js';
import { CONFIRMATION_TOKEN_ARG } from './guard.js';

const REDACTED = '[REDACTED]';
// Argument names that carry credentials; matched on the whole key so `userId` or `tokenCount` stay visible.
const SECRET_KEY =
  /^(?:.*[-_]?)?(?:password|passwd|pwd|secret|client[-_]?secret|api[-_]?key|apikey|token|access[-_]?token|refresh[-_]?token|id[-_]?token|asid|cookie|set[-_]?cookie|authorization|auth|credentials?|private[-_]?key)$/i;

// Credential shapes that can turn up inside error text (headers echoed back, URLs with query secrets, JWTs).
const SECRET_TEXT: [RegExp, string][] = [
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi, `$1 ${REDACTED}`],
  [
    /\b(apikey|api[-_]?key|password|passwd|pwd|secret|client[-_]?secret|token|access[-_]?token|refresh[-_]?token|asid|cookie|authorization)(\s*[=:]\s*)("[^"]*"|'[^']*'|[^\s,;&"']+)/gi,
    `$1$2${REDACTED}`,
  ],
  [/\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/g, REDACTED],
];

/** A short, non-reversible reference to a confirmation token, enough to correlate audit lines. */
export function tokenDigest(token: string): string {
  return `sha256:${createHash('sha256').update(token).digest('hex').slice(0, 16)}`;
}

// Arguments that carry a sealed approval (a confirmation token, the approval view's approval): a digest in the
// audit log correlates the lines of one approval without letting anyone who reads the log use it.
const SEALED_ARGS = new Set([CONFIRMATION_TOKEN_ARG, VIEW_APPROVAL_ARG]);

/** A copy of the arguments fit for the audit log: secrets masked, sealed approvals reduced to a digest. */
export function redactArgs(args: Record<string, unknown>): Record<string, unknown> {
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(args)) {
    if (SEALED_ARGS.has(key) && typeof value === 'string') copy[key] = tokenDigest(value);
    else copy[key] = redactValue(key, value);
  }
  return copy;
}

function redactValue(key: string, value: unknown): unknown {
  if (SECRET_KEY.test(key)) return REDACTED;
  if (Array.isArray(value)) return value.map((item) => redactValue('', item));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactValue(k, v)]));
  }
  if (typeof value === 'string') return redactText(value);
  return value;
}

// One cheap test first: nearly every argument (ids, names) holds none of the words the patterns start from.
const MAY_HOLD_SECRET = /bearer|basic|api[-_]?key|passw|pwd|secret|token|asid|cookie|authorization|eyJ/i;

/** Masks credential-looking fragments in free text such as error messages. */
export function redactText(text: string): string {
  if (!MAY_HOLD_SECRET.test(text)) return text;
  return SECRET_TEXT.reduce((out, [pattern, replacement]) => out.replace(pattern, replacement), text);
}
