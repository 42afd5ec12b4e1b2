// Wire rows to the client's types and back: pipe-delimited strings to lists, the role read from WorkspaceRole,
// aliases gathered from UserAlias rows.

import type { SalescookieTeam, SalescookieUser, TeamMembership } from './types.js';
import type { SystemUserRow, TeamMemberRow, TeamRow, UserAliasRow, WorkspaceRoleRow } from './unverified-wire.js';

export function splitPipes(text: string | null | undefined): string[] {
  return (text ?? '')
    .split('|')
    .map((part) => part.trim())
    .filter((part) => part !== '');
}

/**
 * Joins tags or aliases for SetUser; undefined for none. Throws a RangeError naming `field` and the rule when
 * an entry is blank or holds '|', which Sales Cookie would read as two entries.
 */
export function joinPipes(values: string[] | undefined, field: string): string | undefined {
  if (values === undefined || values.length === 0) return undefined;
  values.forEach((value, i) => {
    if (value.trim() === '') throw new RangeError(`${field}[${i}] must not be blank`);
    if (value.includes('|')) throw new RangeError(`${field}[${i}] must not contain '|', Sales Cookie's separator`);
  });
  return values.map((value) => value.trim()).join('|');
}

/** A user from its SystemUser row, its WorkspaceRole row and its UserAlias rows. */
export function toUser(row: SystemUserRow, role: WorkspaceRoleRow, aliases: UserAliasRow[]): SalescookieUser {
  return {
    systemUserId: row.id.toLowerCase(),
    email: row.emailAddress,
    firstName: row.firstName,
    lastName: row.lastName,
    role: role.accessLevel,
    previousRole: role.prevAccessLevel ?? null,
    tags: splitPipes(role.tags),
    aliases: aliases.map((alias) => alias.name),
  };
}

export function toTeam(row: TeamRow): SalescookieTeam {
  return {
    teamId: row.id.toLowerCase(),
    name: row.name,
    description: row.description,
    managerId: row.managerId ?? null,
    parentTeamId: row.parentTeamId ?? null,
  };
}

export function toMembership(row: TeamMemberRow): TeamMembership {
  return { membershipId: row.id, systemUserId: row.systemUserId.toLowerCase(), teamId: row.teamId.toLowerCase() };
}
