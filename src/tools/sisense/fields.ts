import { z } from 'zod';
import { ACCESS_LEVELS } from '../../providers/sisense/domain.js';
import { notDotSegment } from '../shared/fields.js';

// Input fields shared by Sisense's tools, declared once so every tool bounds and describes them the same way.

export const MAX_STRING = 256;
export const MAX_ITEMS = 500;
export const MAX_BULK = 10_000;

// E-mails travel in the HTTP-X-EMAIL header and group names in the path: control characters could not.
const NO_CONTROLS = /^\P{Cc}+$/u;
const noControls = { error: 'must not contain control characters (U+0000-U+001F, U+007F-U+009F)' };

/** A user's e-mail: Sisense keys users by it, so it is the `userId` of every user tool. */
export const email = (what: string) => z.email({ error: 'must be an e-mail address' }).max(MAX_STRING).describe(what);
export const userId = email("The user's e-mail (Sisense keys users by e-mail)");
export const userIds = z.array(userId).min(1).max(MAX_ITEMS).describe(`Users' e-mails (1-${MAX_ITEMS})`);

/** A group's name: Sisense keys groups by name, so it is the `userGroupId` of every group tool. */
export const groupName = (what: string) =>
  notDotSegment(z.string().trim().min(1).max(MAX_STRING).regex(NO_CONTROLS, noControls)).describe(what);
export const userGroupId = groupName('The group name (Sisense keys groups by name)');

export const groups = z
  .array(groupName('Group name'))
  .max(100)
  .describe('Group names; All Users is always kept; Administrators makes the user an Admin');

/** Admin is not grantable: it comes from the Administrators group only. */
export const GRANTABLE = ACCESS_LEVELS.filter((l) => l !== 'Admin') as ['View', 'Discovery', 'SQL'];
export const accessLevel = z.enum(GRANTABLE).describe('Access level the group grants its members');

export const personName = (what: string) => z.string().trim().min(1).max(MAX_STRING).describe(what);

/** The site a call acts on; the allowlist matches it before anything is sent. */
export const siteName = z
  .string()
  .min(1)
  .max(MAX_STRING)
  .regex(NO_CONTROLS, noControls)
  .describe('Site slug to act on; defaults to the first configured site');
export const routing = { site: siteName.optional() };

export const search = z.string().min(1).max(MAX_STRING).optional();
export const cursor = z.string().max(1024).optional().describe('nextCursor from the previous page');
export const limit = (max: number, dflt: number) =>
  z.number().int().min(1).max(max).optional().describe(`Items per page (1-${max}, default ${dflt})`);

export const pageOutput = { returned: z.number().int(), nextCursor: z.string().optional() };
