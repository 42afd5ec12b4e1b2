import { z } from 'zod';
import { notDotSegment } from '../shared/fields.js';

// Input fields shared by many tools, declared once so every tool bounds and describes them the same way.

export const MAX_STRING = 256;
export const MAX_IDS = 500;

// Visier's ids and project ids are visible ASCII. Anything else cannot be a real one, and a
// control character or a code point above U+00FF cannot go into the header that carries it.
const VISIBLE_ASCII = /^[\x21-\x7e]+$/;
const visibleAscii = (what: string) =>
  notDotSegment(
    z.string().min(1).max(MAX_STRING).regex(VISIBLE_ASCII, {
      error: 'must be visible ASCII characters only (no spaces, control or non-ASCII characters)',
    }),
  ).describe(what);

/** A Visier id: it goes into request URLs, headers or routing lists. */
export const id = visibleAscii;

/** A free-text identifier that is not routed (a username or display name). */
export const name = (what: string) => z.string().min(1).max(MAX_STRING).describe(what);

export const ids = (what: string) => z.array(id(what)).min(1).max(MAX_IDS).describe(`${what}s (1-${MAX_IDS})`);

// A tenant code reaches Visier only once the allowlist has matched it to a configured one, and the allowlist
// names the tenant a lookalike (a space, a Cyrillic letter) was meant to be; so the schema refuses only what
// could never be a tenant code and would break the audit line or the header on the way: control characters.
const tenant = (what: string) =>
  z
    .string()
    .min(1)
    .max(MAX_STRING)
    .regex(/^\P{Cc}+$/u, { error: 'must not contain control characters (U+0000-U+001F, U+007F-U+009F)' })
    .describe(what);

export const tenantCode = tenant('Tenant to act on; defaults to the configured tenant').optional();

export const projectId = visibleAscii('Visier project to act inside instead of production').optional();

export const cursor = z.string().max(1024).optional().describe('nextCursor from the previous page');

export const limit = (max: number, dflt: number) =>
  z.number().int().min(1).max(max).optional().describe(`Items per page (1-${max}, default ${dflt})`);

export const targetProjectForTenants = z
  .array(
    z.strictObject({
      tenantCode: tenant('Tenant code'),
      projectId: id('Project id in that tenant'),
    }),
  )
  .min(1)
  .max(100)
  .optional()
  .describe('Make the change inside these projects, one per tenant');

/** An instant as people and models write it (an ISO date or date-time) or as Visier does (epoch milliseconds). */
export const epochMs = (what: string) =>
  z
    .string()
    .max(40)
    .regex(/^\d{1,15}$|^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:\d{2})?)?$/, 'epoch milliseconds or an ISO date')
    // The shape alone lets 2024-13-01 through, which would reach Visier as "NaN".
    .refine((v) => /^\d+$/.test(v) || !Number.isNaN(Date.parse(v)), 'not a real date')
    .optional()
    .describe(what);

/** Visier wants epoch milliseconds as strings; people and models write dates. */
export const toEpochMs = (value: string) => (/^\d+$/.test(value) ? value : String(Date.parse(value)));

export const text = (what: string) => z.string().max(MAX_STRING).describe(what);

/** Routing fields every tool accepts. */
export const routing = { tenantCode };

/** Routing for tools whose endpoint takes the ProjectID header. */
export const projectRouting = { tenantCode, projectId };

/** Output fields shared by list tools. */
export const pageOutput = {
  returned: z.number().int(),
  nextCursor: z.string().optional(),
};
