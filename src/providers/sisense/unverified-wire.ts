// Every Sisense for Cloud Data Teams shape the reference marks UNVERIFIED, in one place so that a live test
// corrects one file: response bodies, list wrappers and paging, the group bodies and the access vocabulary.
// Parsing is tolerant where the reference says to be (a bare array or one wrapper key, extra fields kept).
import { z } from 'zod';
import type { AccessLevel } from './domain.js';

/**
 * The string sent for each access level: the product's UI words (reference A.5). The JSON strings and their
 * case are UNVERIFIED (the seed writes both `discovery` and `View`), so replies are matched case-insensitively.
 */
export const WIRE_ACCESS: Record<AccessLevel, string> = {
  Admin: 'Admin',
  SQL: 'SQL',
  Discovery: 'Discovery',
  View: 'View',
};
/** The JSON key of a group's access level, as the seed's example writes it (UNVERIFIED per reference A.5). */
export const ACCESS_KEY = 'access';

/**
 * What PUT /users does with `groups`: the client sends the complete wanted list, which is right if the API
 * replaces the list (assumed) and harmless for additions if it adds; removals then silently do nothing.
 */
export const GROUPS_ON_PUT = 'replace' as const;

const str = z.string().optional();
const nullableStr = z.string().nullable().optional();

/** A user as read; only the e-mail is required. Groups may come as names or as objects with a name. */
export const wireUser = z.looseObject({
  id: z.union([z.string(), z.number()]).optional(),
  email: z.string(),
  first_name: nullableStr,
  last_name: nullableStr,
  groups: z.array(z.union([z.string(), z.looseObject({ name: z.string() })])).optional(),
  invited_by_email: nullableStr,
  created_at: nullableStr,
});
export type WireUser = z.infer<typeof wireUser>;

export const wireGroup = z.looseObject({
  id: z.union([z.string(), z.number()]).optional(),
  name: z.string(),
  [ACCESS_KEY]: nullableStr,
  created_by_email: nullableStr,
  created_at: nullableStr,
});
export type WireGroup = z.infer<typeof wireGroup>;

/** POST /api/v1/groups (reference A.5: `name`, an access level, `created_by_email`, per the Roles API). */
export const wireGroupCreate = z.strictObject({
  name: z.string(),
  [ACCESS_KEY]: z.string(),
  created_by_email: str,
});
export type WireGroupCreate = z.infer<typeof wireGroupCreate>;

/** PUT /api/v1/groups/{name}: the fields that change, plus `updated_by_email` as in the Roles API. */
export const wireGroupUpdate = z.strictObject({
  name: str,
  [ACCESS_KEY]: str,
  updated_by_email: str,
});
export type WireGroupUpdate = z.infer<typeof wireGroupUpdate>;

/** The dashboards API's cursor (reference A.7), followed when a users or groups reply carries it. */
export const wirePaging = z.looseObject({ next_page_start: z.union([z.string(), z.number()]).nullable().optional() });

/**
 * A list reply: a bare array, or an object with exactly one array-valued key (`users`, `groups`, or another
 * name) beside optional paging fields. Returns the items still unparsed, or a description of the problem.
 */
export function listItems(body: unknown): { items: unknown[]; nextPageStart?: string } | { problem: string } {
  if (Array.isArray(body)) return { items: body };
  if (typeof body !== 'object' || body === null) return { problem: 'expected an array or an object' };
  const arrays = Object.entries(body).filter(([, v]) => Array.isArray(v));
  if (arrays.length !== 1) return { problem: `expected one array-valued key, found ${arrays.length}` };
  const paging = wirePaging.safeParse(body);
  const next = paging.success ? paging.data.next_page_start : undefined;
  return {
    items: arrays[0]![1] as unknown[],
    ...(next !== undefined && next !== null ? { nextPageStart: String(next) } : {}),
  };
}

/**
 * A single object reply (GET one, or a write's answer): the object itself (it has `key`), or the one
 * object-valued key that wraps it (`{"user": {...}}`, with `test_mode` beside it on a dry run). Undefined when
 * the reply carries none, as a deletion may not.
 */
export function singleObject(body: unknown, key: string): unknown {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  if (key in body) return body;
  const objects = Object.values(body).filter((v) => typeof v === 'object' && v !== null && !Array.isArray(v));
  return objects.length === 1 ? objects[0] : undefined;
}
