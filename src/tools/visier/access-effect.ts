import type { PreviewRead } from '../../contract/tool.js';
import { counted } from '../../grammar.js';
import type { User } from '../../providers/visier/api.js';
import {
  type DirectoryGroup,
  type DirectorySnapshot,
  type GrantPath,
  type GroupMembership,
  grantsOf,
  loadDirectory,
} from '../../providers/visier/directory.js';
import { quotedList } from '../shared/format.js';
import type { ToolContext } from './define.js';
import { catalogueOf, type PermissionCatalogue } from './permission-catalogue.js';
import { describeRefs } from './preview.js';

// What an access change does to each person: the permissions they would newly hold or no longer hold, counting
// every path (a permission given directly and through two groups is lost only when the change closes all three),
// and which of the new ones are privileged. Read from one directory snapshot, so a preview of N people costs the
// snapshot's few calls, not N.

/**
 * The directory a preview reads, with its catalogue. For what a person is shown first: the snapshot (`VisierApi.directory`, a warm
 * one costs no call). For the re-check before acting (`read.live`): a load of its own from live reads, the
 * same loader over the same read model, so unchanged data gives the same lines and the same fingerprint.
 * Throws `VisierApiError` as the reads do.
 */
export async function previewAccess(ctx: ToolContext, read: PreviewRead): Promise<AccessView> {
  const snapshot = await (read.live ? loadDirectory(ctx.api, ctx.call) : ctx.api.directory(ctx.call));
  ctx.progress(
    1,
    1,
    `preview: read the directory (${counted(snapshot.users.size, 'user')}${read.live ? ', live' : ''})`,
  );
  return { snapshot, catalogue: catalogueOf(snapshot.permissions.values(), ctx) };
}

/** A directory as previews read it: the snapshot, and its permission catalogue (names, privilege). */
export interface AccessView {
  snapshot: DirectorySnapshot;
  catalogue: PermissionCatalogue;
}

/**
 * A change on paper, as what it does to the directory: each function gets what a person or group has now and
 * returns what they would have. Omitted parts stay as they are.
 */
export interface PaperChange {
  /** The permissions given to the person directly. */
  direct?: (userId: string, held: readonly string[]) => readonly string[];
  /** The groups the person is in. */
  groups?: (userId: string, userGroupIds: readonly string[]) => readonly string[];
  /** The permissions a group grants (a group being created grants none yet). */
  grants?: (userGroupId: string, granted: readonly string[]) => readonly string[];
}

/** One person's effect: permission ids newly held, no longer held, and held still though the change closes a path. */
export interface PersonEffect {
  gained: string[];
  lost: string[];
  /** Permissions the change takes a path away from that another path still gives, with those paths. */
  kept: { permissionId: string; paths: GrantPath[] }[];
}

/**
 * The snapshot as it would read for this one person after `change`: their direct permissions, their groups (one
 * joined by this change is joined by hand) and what those groups grant. `grantsOf` over it is their access after.
 */
function onPaper(snapshot: DirectorySnapshot, userId: string, change: PaperChange): DirectorySnapshot {
  const direct = snapshot.directPermissions.get(userId) ?? [];
  const memberships = snapshot.memberships.get(userId) ?? [];
  const now = memberships.map((m) => m.userGroupId);
  const after: GroupMembership[] = (change.groups?.(userId, now) ?? now).map(
    (userGroupId) => memberships.find((m) => m.userGroupId === userGroupId) ?? { userGroupId, kind: 'by-hand' },
  );
  // A group the change creates is in no snapshot yet: `grants` says what it grants.
  const groups = new Map<string, DirectoryGroup>();
  for (const { userGroupId } of after) {
    const group = snapshot.groups.get(userGroupId) ?? { userGroupId, permissionIds: [] };
    groups.set(userGroupId, {
      ...group,
      permissionIds: change.grants?.(userGroupId, group.permissionIds) ?? group.permissionIds,
    });
  }
  return {
    ...snapshot,
    directPermissions: new Map([[userId, change.direct?.(userId, direct) ?? direct]]),
    memberships: new Map([[userId, after]]),
    groups,
  };
}

const samePath = (a: GrantPath, b: GrantPath) =>
  a.via === b.via && (a.via === 'direct' || a.userGroupId === (b as { userGroupId: string }).userGroupId);

export function personEffect(snapshot: DirectorySnapshot, userId: string, change: PaperChange): PersonEffect {
  const before = grantsOf(snapshot, userId);
  const after = grantsOf(onPaper(snapshot, userId, change), userId);
  const kept: PersonEffect['kept'] = [];
  for (const [permissionId, paths] of before) {
    const remaining = after.get(permissionId);
    if (remaining !== undefined && paths.some((p) => !remaining.some((r) => samePath(p, r)))) {
      kept.push({ permissionId, paths: remaining });
    }
  }
  return {
    gained: [...after.keys()].filter((p) => !before.has(p)).sort(),
    lost: [...before.keys()].filter((p) => !after.has(p)).sort(),
    kept,
  };
}

/** `"Name" (id), ...` for group ids, named as the snapshot's group definitions name them. */
export function groupNames(snapshot: DirectorySnapshot, userGroupIds: readonly string[]): string {
  return describeRefs(userGroupIds.map((id) => ({ id, name: snapshot.groups.get(id)?.displayName })));
}

function pathsPhrase(snapshot: DirectorySnapshot, paths: readonly GrantPath[]): string {
  return paths
    .map((p) => (p.via === 'direct' ? 'directly' : `through group ${groupNames(snapshot, [p.userGroupId])}`))
    .join(' and ');
}

/**
 * What a person holds now, as `before` lines: their groups, and every permission with every path that gives it.
 * Groups and permissions sorted by id, so the same holdings always read (and fingerprint) the same.
 */
export function accessLines({ snapshot, catalogue }: AccessView, userId: string): string[] {
  const groups = (snapshot.memberships.get(userId) ?? []).map((m) => m.userGroupId).sort();
  const grants = [...grantsOf(snapshot, userId)].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const permissions = grants.map(([id, paths]) => `${catalogue.describe([id])} ${pathsPhrase(snapshot, paths)}`);
  return [`user groups: ${groupNames(snapshot, groups)}`, `permissions: ${permissions.join('; ') || 'none'}`];
}

/** The effect in words, as `after` lines: what the person can newly do, can no longer do, and keeps by another path. */
export function effectLines({ snapshot, catalogue }: AccessView, effect: PersonEffect): string[] {
  const lines = [
    ...(effect.gained.length ? [`can newly use ${catalogue.describe(effect.gained)}`] : []),
    ...(effect.lost.length ? [`can no longer use ${catalogue.describe(effect.lost)}`] : []),
    ...effect.kept.map((k) => `still holds ${catalogue.describe([k.permissionId])} ${pathsPhrase(snapshot, k.paths)}`),
  ];
  return lines.length ? lines : ['no change to what they can use'];
}

/** Why a person's effect is elevated: a privileged permission newly held, whichever path gives it. */
export function escalation(names: readonly string[], how: string): string[] {
  return names.length ? [`${how} privileged ${quotedList(names)}`] : [];
}

/** How the person is in the group now, or undefined when not in it. */
export const membershipIn = (snapshot: DirectorySnapshot, userId: string, userGroupId: string) =>
  snapshot.memberships.get(userId)?.find((m) => m.userGroupId === userGroupId)?.kind;

/**
 * A person as the Users API gives them with every holding (`permissions` held directly, `userGroups`, `profiles`),
 * from the snapshot, for the lines and rules written against that shape; undefined when the directory has no such
 * person.
 */
export function userWithHoldings({ snapshot, catalogue }: AccessView, userId: string): User | undefined {
  const user = snapshot.users.get(userId);
  if (user === undefined) return undefined;
  const named = <T>(name: string | undefined, ref: T) => (name === undefined ? ref : { ...ref, displayName: name });
  return {
    ...user,
    permissions: (snapshot.directPermissions.get(userId) ?? []).map((permissionId) =>
      named(catalogue.name(permissionId), { permissionId }),
    ),
    userGroups: (snapshot.memberships.get(userId) ?? []).map(({ userGroupId }) =>
      named(snapshot.groups.get(userGroupId)?.displayName, { userGroupId }),
    ),
    profiles: [...(snapshot.profiles.get(userId) ?? [])],
  };
}
