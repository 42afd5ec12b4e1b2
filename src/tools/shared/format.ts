import type { ToolContext } from '../../contract/tool.js';
import { displayText } from '../../guards/untrusted.js';
import type { User } from '../../providers/visier/api.js';

// Compact text for the model: one line per item, directory text inside the call's untrusted-data fence.

/**
 * A value quoted for a text line. Directory text is sanitised and cut to display length first: quoting it raw
 * would turn the controls and lone surrogates the sanitiser removes into visible escapes, and an oversized value
 * would push the rest of a preview past its budget.
 */
export function quoted(value: unknown): string {
  return JSON.stringify(typeof value === 'string' ? displayText(value) : value) ?? 'undefined';
}

/** Directory names as a quoted, comma-separated list: `"Admin (Full Access)", "Payroll"`. */
export const quotedList = (values: readonly string[]): string => values.map(quoted).join(', ');

/** Room the fence markers and the header line may take beyond the item lines. */
const FRAME_CHARS = 400;

export const USER_FIELDS = [
  'userId',
  'username',
  'displayName',
  'email',
  'employeeId',
  'accountEnabled',
  'lastLogin',
] as const;
export type UserField = (typeof USER_FIELDS)[number];

/** `u-123 dana@example.com "Dana Whitfield"`, limited to the chosen fields, userId always first. */
export function userLine(user: Partial<User> & { userId: string }, fields: readonly UserField[] = USER_FIELDS): string {
  const parts = [user.userId];
  for (const field of fields) {
    const value = user[field];
    // An email equal to the username says nothing new and costs context.
    if (field === 'userId' || value === undefined || (field === 'email' && value === user.username)) continue;
    // Enabled is the norm; only the exception costs a word.
    if (field === 'accountEnabled') {
      if (!value) parts.push('disabled');
    } else if (field === 'displayName') parts.push(quoted(value));
    else if (field === 'employeeId') parts.push(`emp:${displayText(String(value))}`);
    else if (field === 'lastLogin') parts.push(`lastLogin:${isoInstant(String(value)) ?? displayText(String(value))}`);
    // Second after the username, an unlabelled address would read as another username.
    else if (field === 'email') parts.push(`email:${displayText(String(value))}`);
    else parts.push(displayText(String(value)));
  }
  return parts.join(' ');
}

/**
 * An instant as ISO-8601 UTC (`2026-10-31T23:00:00.000Z`), or undefined when it is neither. Visier sends
 * `lastLogin.timestamp` as a string whose format it does not document; the sandbox and Visier's other timestamps
 * use epoch milliseconds, so an all-digit value is read as such and anything else only if it parses as a date.
 */
export function isoInstant(value: string): string | undefined {
  const ms = instantMs(value);
  return ms === undefined ? undefined : new Date(ms).toISOString();
}

/** The same instant as epoch milliseconds, for comparisons over many users (no Date built per value). */
export function instantMs(value: string): number | undefined {
  const ms = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  // The range a Date can hold: beyond it `new Date(ms)` is Invalid Date.
  return Number.isFinite(ms) && Math.abs(ms) <= 8.64e15 ? ms : undefined;
}

/** Structured output's `lastLoginIso` beside Visier's own `lastLogin`, when the latter reads as an instant. */
export function withLastLoginIso<T extends { lastLogin?: string }>(user: T): T & { lastLoginIso?: string } {
  const iso = user.lastLogin === undefined ? undefined : isoInstant(user.lastLogin);
  return iso === undefined ? user : { ...user, lastLoginIso: iso };
}

/** A user reduced to the chosen fields, for structured output. */
export function pickUserFields(user: User, fields: readonly UserField[]): Partial<User> & { userId: string } {
  const picked: Record<string, unknown> = { userId: user.userId };
  for (const field of fields) {
    if (user[field] !== undefined) picked[field] = user[field];
  }
  return withLastLoginIso(picked as Partial<User> & { userId: string });
}

/** How many leading lines fit in the call's text budget (at least one, so a page always advances). */
export function linesWithinBudget(lines: readonly string[], ctx: Pick<ToolContext, 'maxResultChars'>): number {
  let used = FRAME_CHARS;
  for (let i = 0; i < lines.length; i++) {
    used += (lines[i]?.length ?? 0) + 1;
    if (used > ctx.maxResultChars && i > 0) return i;
  }
  return lines.length;
}

/** Header (our own words) followed by fenced directory lines. */
export function fencedText(header: string, lines: string[], ctx: Pick<ToolContext, 'fence'>): string {
  return lines.length === 0 ? header : `${header}\n${ctx.fence(lines)}`;
}

/** The header sentence of a page: what it holds (`3 users`, from `counted`), and how to continue when there is more. */
export function pageHeader(holds: string, nextCursor: string | undefined, cappedBySize: boolean): string {
  const more = nextCursor
    ? ` More: call again with cursor "${nextCursor}"${cappedBySize ? ' (page cut short to keep the result small)' : ''}.`
    : '';
  return `${holds}.${more}`;
}
