// The client's public data types: wire quirks (pipe-delimited strings, role on a separate OData entity, the
// key in the URL) are resolved inside the client so nothing above it sees them.
import type { SalescookieRole } from './roles.js';

/** A workspace user: the SystemUser identity with its WorkspaceRole (role, tags) and its aliases. */
export interface SalescookieUser {
  /** The SystemUser GUID that team-member calls take. */
  systemUserId: string;
  email: string;
  firstName: string | null;
  lastName: string | null;
  role: SalescookieRole;
  /** The role held before the last change, kept by Sales Cookie across a deactivation; null when unknown. */
  previousRole: SalescookieRole | null;
  tags: string[];
  aliases: string[];
}

export interface SalescookieTeam {
  teamId: string;
  name: string;
  description: string | null;
  managerId: string | null;
  parentTeamId: string | null;
}

export interface TeamMembership {
  membershipId: string;
  systemUserId: string;
  teamId: string;
}

/**
 * What SetUser is asked to do for one e-mail. Tags and aliases are ADDED to the user's existing ones; none is
 * ever removed. Each tag or alias must be non-blank and free of '|', Sales Cookie's separator.
 */
export interface UserUpsert {
  email: string;
  role: SalescookieRole;
  firstName?: string;
  lastName?: string;
  tags?: string[];
  aliases?: string[];
}

/** What an upsert will do, read from the workspace beforehand. */
export interface UpsertPlan {
  action: 'create' | 'update';
  email: string;
  /** The user as it is now; absent for a create. */
  before?: SalescookieUser;
  /** The user as it will be: the tags and aliases are the union of before and the request. */
  after: Omit<SalescookieUser, 'systemUserId' | 'previousRole'> & { systemUserId?: string };
  addedTags: string[];
  addedAliases: string[];
  /** Set when the role changes (or is set by a create). */
  roleChange?: { from: SalescookieRole | null; to: SalescookieRole };
  /** Nothing would change: an update whose every field already holds. */
  noChange: boolean;
}

export interface UpsertResult {
  plan: UpsertPlan;
  user: SalescookieUser;
  /** Set when SetUser's answer was lost and the change was found applied by reading the user back. */
  confirmedByReadBack?: boolean;
}

export interface PageQuery {
  /** Rows per page, 1..1000; the client's page size by default. */
  limit?: number;
  /** Rows to skip, from 0. */
  start?: number;
}

export interface SalescookiePage<T> {
  items: T[];
  limit: number;
  start: number;
  /** Whether rows follow this page. */
  hasMore: boolean;
}

export interface CallOptions {
  signal?: AbortSignal;
}
