// Every wire shape the reference (Part B) marks UNVERIFIED, in one place, so that a live smoke test corrects one
// file. Sources: the MindCloud third-party catalogue and third-party OData samples; none checked against
// Sales Cookie's own $metadata or a live reply. Two more UNVERIFIED facts are not schemas here: SetUser's reply,
// which the client never reads (it reads the user back instead), and error bodies, which the shared HTTP client
// reads for `message` and `code` at the top level or under `error` (OData V4's form) or as plain text.
import { z } from 'zod';
import { SALESCOOKIE_ROLES } from './roles.js';

/** SetUser's e-mail key: `emailAddress` per the third party; the vendor page lost that line. */
export const SET_USER_EMAIL_KEY = 'emailAddress';

/**
 * OData entity sets the client reads. SystemUser, Team and TeamMember are named by the vendor; WorkspaceRole and
 * UserAlias by the third party; none of their fields is published.
 */
export const ENTITY = {
  user: 'SystemUser',
  role: 'WorkspaceRole',
  alias: 'UserAlias',
  team: 'Team',
  member: 'TeamMember',
} as const;

/**
 * Field names used in `$filter`. Also UNVERIFIED: that `$filter` with `eq`, `or` and `tolower()` is supported at
 * all (standard OData V4, so likely).
 */
export const FILTER_FIELDS = {
  userId: 'id',
  email: 'emailAddress',
  systemUserId: 'systemUserId',
  teamId: 'teamId',
} as const;

const nullableText = z
  .string()
  .nullish()
  .transform((v) => v ?? null);

export const SystemUserRow = z.object({
  id: z.guid(),
  emailAddress: z.string(),
  firstName: nullableText,
  lastName: nullableText,
});
export type SystemUserRow = z.infer<typeof SystemUserRow>;

/** Role and tags live here, one row per user of the workspace; `prevAccessLevel` kept across deactivation. */
export const WorkspaceRoleRow = z.object({
  systemUserId: z.guid(),
  accessLevel: z.enum(SALESCOOKIE_ROLES),
  prevAccessLevel: z.enum(SALESCOOKIE_ROLES).nullish(),
  tags: nullableText,
});
export type WorkspaceRoleRow = z.infer<typeof WorkspaceRoleRow>;

/** One alias per row; the alias text's field name (`name`) is a guess. */
export const UserAliasRow = z.object({ systemUserId: z.guid(), name: z.string() });
export type UserAliasRow = z.infer<typeof UserAliasRow>;

export const TeamRow = z.object({
  id: z.guid(),
  name: z.string(),
  description: nullableText,
  managerId: z.guid().nullish(),
  parentTeamId: z.guid().nullish(),
});
export type TeamRow = z.infer<typeof TeamRow>;

export const TeamMemberRow = z.object({ id: z.guid(), systemUserId: z.guid(), teamId: z.guid() });
export type TeamMemberRow = z.infer<typeof TeamMemberRow>;
