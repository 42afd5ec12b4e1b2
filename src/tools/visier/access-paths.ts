import { z } from 'zod';
import type { PrivilegedPolicy } from '../../contract/tool.js';
import type { AssignedProfile } from '../../providers/visier/api.js';
import {
  type DirectorySnapshot,
  type GrantPath,
  grantsOf,
  type MembershipKind,
} from '../../providers/visier/directory.js';
import { instantMs, isoInstant, quoted } from '../shared/format.js';

// One person's access as the directory snapshot gives it: what they hold, every path to each permission, their
// groups and how they are in each, their profiles and whether each is valid now. Explain, compare and review
// all say it the same way.

const KINDS = ['by-hand', 'all-users', 'dynamic'] as const satisfies readonly MembershipKind[];

export const KIND_WORDS: Record<MembershipKind, string> = {
  'by-hand': 'added by hand',
  'all-users': 'all-users rule',
  dynamic: 'dynamic filter',
};

export const pathOut = z.object({
  via: z.enum(['direct', 'group']),
  userGroupId: z.string().optional(),
  displayName: z.string().optional().describe("The group's name"),
  kind: z.enum(KINDS).optional().describe('How the person is in the group'),
});

export const heldPermissionOut = z.object({
  permissionId: z.string(),
  displayName: z.string().optional(),
  privileged: z.boolean(),
  paths: z.array(pathOut).describe('Every way the person holds it: direct first, then each group'),
});

export const heldGroupOut = z.object({
  userGroupId: z.string(),
  displayName: z.string().optional(),
  kind: z.enum(KINDS),
  permissionIds: z.array(z.string()).describe('What the group grants'),
});

export const VALIDITY = ['valid', 'expired', 'not-yet-valid'] as const;
export type Validity = (typeof VALIDITY)[number];

export const heldProfileOut = z.object({
  profileId: z.string(),
  displayName: z.string().optional(),
  validityStartTime: z.string().optional(),
  validityEndTime: z.string().optional(),
  validity: z.enum(VALIDITY).describe('Against the validity times, at the moment of the answer'),
});

export type PathInfo = z.infer<typeof pathOut>;
export type HeldPermission = z.infer<typeof heldPermissionOut>;
export type HeldGroup = z.infer<typeof heldGroupOut>;
export type HeldProfile = z.infer<typeof heldProfileOut>;

export interface UserAccess {
  permissions: HeldPermission[];
  groups: HeldGroup[];
  /** Permission ids granted to the person directly. */
  direct: string[];
  profiles: HeldProfile[];
}

const byName =
  <T extends { displayName?: string | undefined }>(id: (t: T) => string) =>
  (a: T, b: T) =>
    (a.displayName ?? id(a)).localeCompare(b.displayName ?? id(b)) || id(a).localeCompare(id(b));

/** Whether a permission of the snapshot's catalogue is privileged under the operator's policy. */
export function isPrivileged(snapshot: DirectorySnapshot, policy: PrivilegedPolicy, permissionId: string): boolean {
  const permission = snapshot.permissions.get(permissionId);
  return policy.isPrivileged(permission ?? { permissionId });
}

/** `isPrivileged` for many people at once: the catalogue is small and the people many, so each is judged once. */
export function privilegeJudge(
  snapshot: DirectorySnapshot,
  policy: PrivilegedPolicy,
): (permissionId: string) => boolean {
  const judged = new Map<string, boolean>();
  return (permissionId) => {
    const known = judged.get(permissionId);
    if (known !== undefined) return known;
    const verdict = isPrivileged(snapshot, policy, permissionId);
    judged.set(permissionId, verdict);
    return verdict;
  };
}

function pathInfo(snapshot: DirectorySnapshot, path: GrantPath): PathInfo {
  if (path.via === 'direct') return { via: 'direct' };
  const displayName = snapshot.groups.get(path.userGroupId)?.displayName;
  return {
    via: 'group',
    userGroupId: path.userGroupId,
    ...(displayName !== undefined ? { displayName } : {}),
    kind: path.kind,
  };
}

/** Visier sends validity times as epoch milliseconds or ISO text; an unreadable one does not limit validity. */
export function validityOf(profile: AssignedProfile, now: number): Validity {
  const at = (value: string | undefined) => (value === undefined ? undefined : instantMs(value));
  const start = at(profile.validityStartTime);
  const end = at(profile.validityEndTime);
  if (end !== undefined && end <= now) return 'expired';
  if (start !== undefined && start > now) return 'not-yet-valid';
  return 'valid';
}

/** Everything one person of the snapshot holds, sorted by name so the same access always reads the same. */
export function accessOf(
  snapshot: DirectorySnapshot,
  userId: string,
  policy: PrivilegedPolicy,
  now: number = Date.now(),
): UserAccess {
  const permissions = [...grantsOf(snapshot, userId)].map(([permissionId, paths]): HeldPermission => {
    const displayName = snapshot.permissions.get(permissionId)?.displayName;
    return {
      permissionId,
      ...(displayName !== undefined ? { displayName } : {}),
      privileged: isPrivileged(snapshot, policy, permissionId),
      paths: paths.map((p) => pathInfo(snapshot, p)),
    };
  });
  const groups = (snapshot.memberships.get(userId) ?? []).map(({ userGroupId, kind }): HeldGroup => {
    const group = snapshot.groups.get(userGroupId);
    return {
      userGroupId,
      ...(group?.displayName !== undefined ? { displayName: group.displayName } : {}),
      kind,
      permissionIds: [...(group?.permissionIds ?? [])],
    };
  });
  const profiles = (snapshot.profiles.get(userId) ?? []).map(
    (p): HeldProfile => ({ ...p, validity: validityOf(p, now) }),
  );
  return {
    permissions: permissions.sort(byName((p) => p.permissionId)),
    groups: groups.sort(byName((g) => g.userGroupId)),
    direct: [...(snapshot.directPermissions.get(userId) ?? [])],
    profiles: profiles.sort(byName((p) => p.profileId)),
  };
}

/** `"Name" (id)`, or the id alone when unnamed. */
export const named = (id: string, displayName: string | undefined) =>
  displayName === undefined ? id : `${quoted(displayName)} (${id})`;

/** `direct`, or `group "Sales Analysts" (ug-1), added by hand`. */
export function pathPhrase(path: PathInfo): string {
  if (path.via === 'direct') return 'direct';
  return `group ${named(path.userGroupId ?? '', path.displayName)}, ${KIND_WORDS[path.kind ?? 'by-hand']}`;
}

/** `permission "Admin" (p-1) [privileged]: direct; group "Ops" (ug-1), added by hand` */
export function permissionLine(held: HeldPermission): string {
  return `permission ${named(held.permissionId, held.displayName)}${held.privileged ? ' [privileged]' : ''}: ${held.paths.map(pathPhrase).join('; ')}`;
}

/** `group "Sales Analysts" (ug-1), added by hand, grants: "Headcount Viewer" (p-5), ...` */
export function groupLine(snapshot: DirectorySnapshot, group: HeldGroup): string {
  const grants = group.permissionIds.map((p) => named(p, snapshot.permissions.get(p)?.displayName)).join(', ');
  return `group ${named(group.userGroupId, group.displayName)}, ${KIND_WORDS[group.kind]}, grants: ${grants || 'nothing'}`;
}

/** `profile "Analyst" (pr-1): valid, from 2025-01-01T00:00:00.000Z` */
export function profileLine(profile: HeldProfile): string {
  const time = (value: string | undefined) => (value === undefined ? undefined : (isoInstant(value) ?? value));
  const from = time(profile.validityStartTime);
  const until = time(profile.validityEndTime);
  const window = [from && `from ${from}`, until && `until ${until}`].filter(Boolean).join(' ');
  return `profile ${named(profile.profileId, profile.displayName)}: ${profile.validity.replaceAll('-', ' ')}${window ? `, ${window}` : ''}`;
}
