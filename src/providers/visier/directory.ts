// A point-in-time read model of one tenant's (and project's) access: who exists, which groups each person is in
// and how, what each group and each person holds. Answers and previews read it instead of asking Visier once per
// person; the re-check right before acting never does (it reads live, so a stale snapshot can only make a
// person re-approve, never let a change through unseen).
import {
  type AssignedProfile,
  type CallOptions,
  MAX_PAGE_SIZE,
  type Permission,
  type User,
  type UserGroupDefinition,
  type UserGroupMembershipRule,
  type VisierApi,
} from './api.js';
import { type PeopleFacts, peopleFromReports } from './directory-reports.js';

/** A user's own fields, without holdings (those live in the snapshot's maps). */
export type DirectoryUser = Omit<User, 'profiles' | 'permissions' | 'userGroups'>;

/** A group as its V2 definition gives it; `permissionIds` always present. */
export interface DirectoryGroup {
  userGroupId: string;
  displayName?: string;
  description?: string;
  permissionIds: readonly string[];
  users?: UserGroupMembershipRule;
}

/**
 * How a person is in a group: added by hand (`manuallyIncludedIds`), through an all-users rule, or matched by the
 * group's dynamic filter (Visier evaluates it on employee data; a member neither added by hand nor covered by an
 * all-users rule of a group with a filter is taken to be matched by it).
 */
export type MembershipKind = 'by-hand' | 'all-users' | 'dynamic';

export interface GroupMembership {
  userGroupId: string;
  kind: MembershipKind;
}

/** One way a person holds a permission. */
export type GrantPath = { via: 'direct' } | { via: 'group'; userGroupId: string; kind: MembershipKind };

/** Where a snapshot's people and holdings came from: the two assignment reports, or the user list pages and why. */
export type DirectorySource = { kind: 'reports' } | { kind: 'list-pages'; reason: string };

export interface DirectorySnapshot {
  tenantCode?: string;
  projectId?: string;
  /** Epoch ms when the fill's first read was sent: nothing in the snapshot is older. */
  asOf: number;
  /** Visier requests the fill sent. */
  requests: number;
  /** Set by `loadDirectory`; optional so a snapshot built by hand (a test's) needs none. */
  source?: DirectorySource;
  users: ReadonlyMap<string, DirectoryUser>;
  groups: ReadonlyMap<string, DirectoryGroup>;
  /** The permission catalogue, with Visier's detail (`includeDetails=true`) so privilege can be judged. */
  permissions: ReadonlyMap<string, Permission>;
  /** userId -> permissionIds assigned to the person directly. */
  directPermissions: ReadonlyMap<string, readonly string[]>;
  /** userId -> the groups the person is in, and how. */
  memberships: ReadonlyMap<string, readonly GroupMembership[]>;
  /** userGroupId -> its members' userIds, in directory order. */
  members: ReadonlyMap<string, readonly string[]>;
  /** userId -> profiles assigned, with validity as Visier gives it. */
  profiles: ReadonlyMap<string, readonly AssignedProfile[]>;
}

/** Classifies one member of one group by the group's membership rule. */
export function membershipKind(group: DirectoryGroup | undefined, userId: string): MembershipKind {
  const rule = group?.users;
  if (rule?.manuallyIncludedIds?.includes(userId)) return 'by-hand';
  if (rule?.includeAllUsers) return 'all-users';
  return rule?.dynamicFilterDefinition !== undefined ? 'dynamic' : 'by-hand';
}

/** Every permission the person holds, each with every path that grants it (direct first, then groups). */
export function grantsOf(snapshot: DirectorySnapshot, userId: string): Map<string, GrantPath[]> {
  const grants = new Map<string, GrantPath[]>();
  const add = (permissionId: string, path: GrantPath) =>
    grants.set(permissionId, [...(grants.get(permissionId) ?? []), path]);
  for (const permissionId of snapshot.directPermissions.get(userId) ?? []) add(permissionId, { via: 'direct' });
  for (const { userGroupId, kind } of snapshot.memberships.get(userId) ?? []) {
    for (const permissionId of snapshot.groups.get(userGroupId)?.permissionIds ?? []) {
      add(permissionId, { via: 'group', userGroupId, kind });
    }
  }
  return grants;
}

const HOLDINGS = { permissions: true, userGroups: true, profiles: true } as const;

function directoryGroup(group: UserGroupDefinition): DirectoryGroup | undefined {
  if (group.userGroupId === undefined) return undefined;
  return {
    userGroupId: group.userGroupId,
    ...(group.displayName !== undefined ? { displayName: group.displayName } : {}),
    ...(group.description !== undefined ? { description: group.description } : {}),
    permissionIds: group.permissionIds ?? [],
    ...(group.users !== undefined ? { users: group.users } : {}),
  };
}

/**
 * Every V2 group definition (`with=details`: what each grants and its membership rule), by id. Requests:
 * ceil((groups+1)/1000), one page of 1,000 for most tenants. Throws `VisierApiError` as the reads do.
 */
export async function loadGroupDefinitions(
  api: VisierApi,
  options?: CallOptions,
): Promise<{ groups: Map<string, DirectoryGroup>; requests: number }> {
  let requests = 0;
  const groups = new Map<string, DirectoryGroup>();
  for (let start = 0; ; start += MAX_PAGE_SIZE) {
    const page = await api.listUserGroupsV2({ with: 'details', limit: MAX_PAGE_SIZE, start }, options);
    requests += 1;
    for (const definition of page.items) {
      const group = directoryGroup(definition);
      if (group) groups.set(group.userGroupId, group);
    }
    if (page.items.length < MAX_PAGE_SIZE) return { groups, requests };
  }
}

/**
 * Reads a whole directory: every V2 group definition (`with=details`, pages of 1,000) and the permission catalogue
 * with detail (one call), then the people. These come from the permission-assignments and profile-assignments
 * reports (two calls, whatever the size) when they can describe the directory exactly, else from every user page
 * with holdings (pages of 1,000); `source` says which and why. Requests: ceil(groups/1000) + 1 + 2 with the reports
 * (users 1k, 10k or 100k alike: 4 with fewer than 1,000 groups), + ceil((users+1)/1000) from the pages (plus the
 * reports tried first, if any). Throws `VisierApiError` as the reads do.
 */
export async function loadDirectory(
  api: VisierApi,
  options?: CallOptions,
  now: () => number = Date.now,
): Promise<DirectorySnapshot> {
  const asOf = now();
  const { groups, requests: groupPages } = await loadGroupDefinitions(api, options);
  let requests = groupPages;
  const permissions = new Map<string, Permission>();
  for (const permission of await api.listPermissions({ includeDetails: true }, options)) {
    permissions.set(permission.permissionId, permission);
  }
  requests += 1;

  const reports = await peopleFromReports(api, groups, options);
  requests += reports.requests;
  let people: PeopleFacts;
  let source: DirectorySource;
  if ('facts' in reports) {
    people = withDefinedMembers(reports.facts, groups);
    source = { kind: 'reports' };
  } else {
    const pages = await peopleFromPages(api, options);
    requests += pages.requests;
    people = pages.facts;
    source = { kind: 'list-pages', reason: reports.fallback };
  }
  const { memberships, members } = classified(people, groups);

  return {
    ...(options?.tenantCode !== undefined ? { tenantCode: options.tenantCode } : {}),
    ...(options?.projectId !== undefined ? { projectId: options.projectId } : {}),
    asOf,
    requests,
    source,
    users: people.users,
    groups,
    permissions,
    directPermissions: people.directPermissions,
    memberships,
    members,
    profiles: people.profiles,
  };
}

/** Every user with holdings, page by page: Visier's own account of each person's groups. */
async function peopleFromPages(
  api: VisierApi,
  options: CallOptions | undefined,
): Promise<{ facts: PeopleFacts; requests: number }> {
  const facts: PeopleFacts = {
    users: new Map(),
    directPermissions: new Map(),
    groupIds: new Map(),
    profiles: new Map(),
  };
  let pages = 0;
  for await (const page of api.userPages({ pageSize: MAX_PAGE_SIZE, include: HOLDINGS }, options)) {
    pages += 1;
    for (const { permissions: held, userGroups, profiles: assigned, ...user } of page) {
      facts.users.set(user.userId, user);
      if (held?.length)
        facts.directPermissions.set(
          user.userId,
          held.map((p) => p.permissionId),
        );
      if (assigned?.length) facts.profiles.set(user.userId, assigned);
      if (userGroups?.length)
        facts.groupIds.set(
          user.userId,
          userGroups.map((g) => g.userGroupId),
        );
    }
  }
  // A directory whose size is a multiple of the page size ends on an empty page, which is a request too.
  return { facts, requests: facts.users.size % MAX_PAGE_SIZE === 0 ? pages + 1 : pages };
}

/**
 * Adds the members group definitions state (by hand, and all users but those excluded) to those the reports named:
 * a report names a person's group only as the source of a permission, so a group granting nothing would look empty.
 */
function withDefinedMembers(facts: PeopleFacts, groups: ReadonlyMap<string, DirectoryGroup>): PeopleFacts {
  const add = (userId: string, userGroupId: string) => {
    const ids = facts.groupIds.get(userId);
    if (!ids) facts.groupIds.set(userId, [userGroupId]);
    else if (!ids.includes(userGroupId)) ids.push(userGroupId);
  };
  for (const group of groups.values()) {
    const rule = group.users;
    if (rule?.includeAllUsers) {
      const excluded = new Set(rule.manuallyExcludedIds ?? []);
      for (const userId of facts.users.keys()) if (!excluded.has(userId)) add(userId, group.userGroupId);
    }
    for (const userId of rule?.manuallyIncludedIds ?? []) if (facts.users.has(userId)) add(userId, group.userGroupId);
  }
  return facts;
}

/** Each person's groups with how they are in each, and each group's members in directory order. */
function classified(
  people: PeopleFacts,
  groups: ReadonlyMap<string, DirectoryGroup>,
): { memberships: Map<string, readonly GroupMembership[]>; members: Map<string, readonly string[]> } {
  const memberships = new Map<string, readonly GroupMembership[]>();
  const members = new Map<string, string[]>();
  for (const userId of people.users.keys()) {
    const ids = people.groupIds.get(userId);
    if (!ids?.length) continue;
    memberships.set(
      userId,
      ids.map((userGroupId) => ({ userGroupId, kind: membershipKind(groups.get(userGroupId), userId) })),
    );
    for (const userGroupId of ids) {
      const list = members.get(userGroupId);
      if (list) list.push(userId);
      else members.set(userGroupId, [userId]);
    }
  }
  return { memberships, members };
}
