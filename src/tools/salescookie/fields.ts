import { z } from 'zod';
import { SALESCOOKIE_ROLES } from '../../providers/salescookie/index.js';

// Input and output fields shared by Sales Cookie's tools, declared once so every tool bounds and describes them
// the same way. Sales Cookie keys users by e-mail: a tool's `userId` IS the e-mail.

const MAX_STRING = 256;
export const MAX_IDS = 500;
/** Tags or aliases one call may add to one user. */
const MAX_LABELS = 100;

export const email = (what: string) => z.email().max(MAX_STRING).describe(what);

export const userId = email("The user's e-mail: Sales Cookie keys users by e-mail");

export const userIds = z
  .array(userId)
  .min(1)
  .max(MAX_IDS)
  .describe(`Users' e-mails (1-${MAX_IDS}); Sales Cookie keys users by e-mail`);

export const teamId = z.guid().describe('Team id (a GUID, from list_teams)');

export const role = z
  .enum(SALESCOOKIE_ROLES)
  .describe('Workspace role: FullAdmin (administers everything), LimitedAdmin, Participant, or Deactivated');

export const name = (what: string) => z.string().min(1).max(MAX_STRING).describe(what);

// Sales Cookie stores a user's tags and aliases as one '|'-joined text, so '|' inside one would split it in two.
const label = z
  .string()
  .trim()
  .min(1)
  .max(MAX_STRING)
  .regex(/^[^|]*$/, { error: "must not contain '|', Sales Cookie's separator" });

export const labels = (what: string) =>
  z.array(label).max(MAX_LABELS).optional().describe(`${what} to ADD; existing ones are never removed`);

export const cursor = z.string().max(1024).optional().describe('nextCursor from the previous page');

export const limit = (max: number, dflt: number) =>
  z.number().int().min(1).max(max).optional().describe(`Items per page (1-${max}, default ${dflt})`);

export const pageOutput = {
  returned: z.number().int(),
  nextCursor: z.string().optional(),
};

export const userOut = z.object({
  userId: z.string().describe('The e-mail'),
  systemUserId: z.string().describe("Sales Cookie's SystemUser GUID"),
  firstName: z.string().nullable(),
  lastName: z.string().nullable(),
  role: z.enum(SALESCOOKIE_ROLES),
  previousRole: z.enum(SALESCOOKIE_ROLES).nullable().describe('Role before the last change, when known'),
  tags: z.array(z.string()),
  aliases: z.array(z.string()),
});

export const teamOut = z.object({
  teamId: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  managerId: z.string().nullable(),
  parentTeamId: z.string().nullable(),
});
