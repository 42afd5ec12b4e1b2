// The Sisense users, groups and access levels as the rest of the server sees them: camelCase, names as
// keys, and the privilege a group confers stated rather than left to the reader. Facts: reference A.4-A.5.

/** A user's type, lowest to highest: a user gets the highest level of any group they belong to. */
export const ACCESS_LEVELS = ['View', 'Discovery', 'SQL', 'Admin'] as const;
export type AccessLevel = (typeof ACCESS_LEVELS)[number];

/** The built-in group whose members are Admins; joining it is a privileged grant. */
export const ADMINISTRATORS = 'Administrators';
/** The built-in group every user is in; membership cannot be removed. */
export const ALL_USERS = 'All Users';

export interface User {
  /** The key of every user call (sent in HTTP-X-EMAIL). */
  email: string;
  firstName?: string;
  lastName?: string;
  /** Group names, as the API returns them. */
  groups: string[];
  /** The API's own id, when it sends one (UNVERIFIED that it does). */
  id?: string;
  invitedByEmail?: string;
  /** ISO 8601, when sent. */
  createdAt?: string;
}

export interface Group {
  /** The key of every group call (in the path). */
  name: string;
  /** The level the group grants; undefined when the API's string is not one we know (see `access`). */
  accessLevel: AccessLevel | undefined;
  /** The access string exactly as the API sent it, if any. */
  access?: string;
  /** Membership grants Admin: the group is Administrators. */
  privileged: boolean;
  id?: string;
  createdByEmail?: string;
  createdAt?: string;
}

/** The result of a write: with `dryRun`, what `test_mode=true` answered, nothing stored. */
export interface WriteResult<T> {
  dryRun: boolean;
  /** The object the API answered with (would-be object on a dry run); undefined when it answered none. */
  value: T | undefined;
}

export interface NewUser {
  firstName: string;
  lastName: string;
  email: string;
  /** Group names; All Users is added by Sisense whatever is sent. */
  groups?: string[];
  /** An administrator of the site. */
  invitedByEmail: string;
}

export interface UserPatch {
  firstName?: string;
  lastName?: string;
  /** The user's complete group list, replacing the current one; Sisense keeps All Users whatever is sent. */
  groups?: string[];
}

export interface NewGroup {
  name: string;
  /** Admin cannot be chosen: it is granted by Administrators only. */
  accessLevel: Exclude<AccessLevel, 'Admin'>;
  createdByEmail?: string;
}

export interface GroupPatch {
  name?: string;
  accessLevel?: Exclude<AccessLevel, 'Admin'>;
  updatedByEmail?: string;
}

const fold = (s: string) => s.trim().toLowerCase();

/** Whether membership of `group` makes a user an Admin (the Administrators group, or an Admin-level group). */
export function isPrivilegedGroup(group: Pick<Group, 'name' | 'accessLevel'>): boolean {
  return fold(group.name) === fold(ADMINISTRATORS) || group.accessLevel === 'Admin';
}

/** The highest level among `user`'s groups that `groups` knows; undefined when none is known. */
export function effectiveAccess(user: Pick<User, 'groups'>, groups: readonly Group[]): AccessLevel | undefined {
  const byName = new Map(groups.map((g) => [fold(g.name), g]));
  let best = -1;
  for (const name of user.groups) {
    const group = byName.get(fold(name));
    const level = group?.privileged ? 'Admin' : group?.accessLevel;
    if (level !== undefined) best = Math.max(best, ACCESS_LEVELS.indexOf(level));
  }
  return best < 0 ? undefined : ACCESS_LEVELS[best];
}

export function sameName(a: string, b: string): boolean {
  return fold(a) === fold(b);
}
