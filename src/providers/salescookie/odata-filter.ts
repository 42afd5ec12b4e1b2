// Builds OData `$filter` text from values: string literals with their quotes doubled, GUIDs checked and bare
// (OData V4's GUID literal), and long `or` lists split so that no query string outgrows what common front ends
// accept (IIS refuses query strings over 2,048 bytes by default; which front end Sales Cookie runs is UNVERIFIED).
import { z } from 'zod';

/** Room for the filter text, leaving space in a 2,048-byte query string for `$top`, `$skip` and encoding. */
const FILTER_BUDGET = 1_200;

export function stringLiteral(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

const Guid = z.guid();

/** A GUID literal; a RangeError naming `field` if `value` is not a GUID (nothing that is not one goes out). */
export function guidLiteral(value: string, field: string): string {
  if (!Guid.safeParse(value).success) throw new RangeError(`${field} must be a GUID, got ${JSON.stringify(value)}`);
  return value.toLowerCase();
}

/** `tolower(field) eq 'value'`, for e-mails that Sales Cookie matches without regard to case. */
export function emailEquals(field: string, email: string): string {
  return `tolower(${field}) eq ${stringLiteral(email.toLowerCase())}`;
}

/** `field eq a or field eq b ...` over `literals`, in as few filters as the budget allows. */
export function anyOf(field: string, literals: string[]): string[] {
  const filters: string[] = [];
  let current = '';
  for (const literal of literals) {
    const clause = `${field} eq ${literal}`;
    if (current !== '' && current.length + clause.length + 4 > FILTER_BUDGET) {
      filters.push(current);
      current = '';
    }
    current = current === '' ? clause : `${current} or ${clause}`;
  }
  if (current !== '') filters.push(current);
  return filters;
}
