import { createHash } from 'node:crypto';
import type { ImpactTarget } from '../../contract/tool.js';
import { counted } from '../../grammar.js';
import type {
  PermissionRef,
  User,
  UserGroupDefinition,
  UserGroupMembershipRule,
  UserGroupRef,
  UserInclude,
} from '../../providers/visier/api.js';
import { quoted } from '../shared/format.js';
import type { ToolContext } from './define.js';
import { filterLines } from './dynamic-filter.js';

// Live reads shared by the previews of change tools: what each target is and holds now, as the `before` lines
// the human reads, and the digest of them the guard checks again right before acting.

/** sha256 of a canonical JSON rendering: the guards compare it again right before acting. */
export function fingerprint(state: unknown): string {
  return createHash('sha256').update(JSON.stringify(state)).digest('hex');
}

/**
 * The digest of what the human is shown as each target's current state, plus whatever else the call binds:
 * the `before` lines are the re-check, so a diff of two previews names what changed and nothing the re-check
 * covers can change unseen.
 */
export function fingerprintOf(targets: readonly ImpactTarget[], bound: unknown = null): string {
  return fingerprint([bound, targets.map((t) => [t.kind, t.id, t.missing ?? false, t.before ?? null])]);
}

/**
 * Who a user is, as a `before` line: username, email, display name, employee id and whether enabled. The
 * employee id is identity: it ties the account to the employee record that populations and dynamic filters
 * match, so re-pointing it voids an approval. Never `lastLogin`, so a sign-in does not void an approval.
 */
export function identityLine(user: User): string {
  // An email equal to the username says nothing new; any other email, or none, reads differently.
  const email = user.email === undefined || user.email === user.username ? '' : ` email ${quoted(user.email)}`;
  const name = user.displayName === undefined ? '' : ` name ${quoted(user.displayName)}`;
  const employee = user.employeeId === undefined ? '' : ` employee ${quoted(user.employeeId)}`;
  return `identity: ${quoted(user.username)}${email}${name}${employee} ${user.accountEnabled === false ? 'disabled' : 'enabled'}`;
}

/**
 * Who a group is, as a `before` line: its display name and description. Both are what a human recognises the
 * group by, so renaming it (Executives to Interns) voids an approval that named it.
 */
export function groupIdentityLine(group: Pick<UserGroupDefinition, 'displayName' | 'description'>): string {
  const description = group.description ? ` description ${quoted(group.description)}` : '';
  return `group: ${quoted(group.displayName ?? '')}${description}`;
}

/** A group's membership rule as `before`/`after` lines, ids sorted so the same rule always reads the same. */
export function membershipLines(rule: UserGroupMembershipRule | undefined): string[] {
  const lines: string[] = [];
  if (rule?.includeAllUsers) lines.push('members: all users');
  const included = [...(rule?.manuallyIncludedIds ?? [])].sort();
  const excluded = [...(rule?.manuallyExcludedIds ?? [])].sort();
  if (included.length) lines.push(`members added by hand: ${included.join(', ')}`);
  if (excluded.length) lines.push(`members excluded: ${excluded.join(', ')}`);
  if (rule?.dynamicFilterDefinition) lines.push(...filterLines(rule.dynamicFilterDefinition));
  if (lines.length === 0) lines.push('members: none');
  return lines;
}

/** Visier answered 404: the target does not exist (a preview shows it as missing instead of failing). */
export function isNotFound(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { status?: unknown }).status === 404;
}

const PREVIEW_CONCURRENCY = 4;

/**
 * Runs `fn` over `items` with bounded concurrency, keeping input order; reports each target read as progress
 * and starts no read once the call is cancelled.
 */
async function mapBounded<T, R>(ctx: ToolContext, items: readonly T[], fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < items.length) {
      ctx.signal.throwIfAborted();
      const index = next++;
      results[index] = await fn(items[index] as T);
      ctx.progress(++done, items.length, `preview: read ${done} of ${counted(items.length, 'target')}`);
    }
  };
  await Promise.all(Array.from({ length: Math.min(PREVIEW_CONCURRENCY, items.length) }, worker));
  return results;
}

/** Each user as it is now (undefined when Visier has no such user), in input order, duplicates removed. */
export async function currentUsers(
  ctx: ToolContext,
  userIds: readonly string[],
  include: UserInclude,
): Promise<{ userId: string; user: User | undefined }[]> {
  const unique = [...new Set(userIds)];
  return mapBounded(ctx, unique, async (userId) => {
    try {
      return { userId, user: await ctx.api.getUser(userId, include, ctx.call) };
    } catch (error) {
      if (isNotFound(error)) return { userId, user: undefined };
      throw error;
    }
  });
}

/** Each group's full definition as it is now (undefined when missing), read live. */
export async function currentGroups(
  ctx: ToolContext,
  userGroupIds: readonly string[],
): Promise<{ userGroupId: string; group: UserGroupDefinition | undefined }[]> {
  const unique = [...new Set(userGroupIds)];
  return mapBounded(ctx, unique, async (userGroupId) => {
    try {
      return { userGroupId, group: await ctx.api.getUserGroup(userGroupId, {}, ctx.call) };
    } catch (error) {
      if (isNotFound(error)) return { userGroupId, group: undefined };
      throw error;
    }
  });
}

export function missingUser(userId: string): ImpactTarget {
  return { kind: 'user', id: userId, missing: true, before: ['no such user'] };
}

export function missingGroup(userGroupId: string): ImpactTarget {
  return { kind: 'user-group', id: userGroupId, missing: true, before: ['no such user group'] };
}

/** `"Name" (id)` list of what a user or group holds, or "none"; names quoted so none can fake the list. */
export function describeRefs(refs: readonly { id: string; name?: string | undefined }[]): string {
  if (refs.length === 0) return 'none';
  return refs.map((r) => (r.name ? `${quoted(r.name)} (${r.id})` : r.id)).join(', ');
}

/** Permissions as `"Headcount" (p-1), ...` or "none". */
export const permissionRefs = (permissions: readonly PermissionRef[] | undefined): string =>
  describeRefs((permissions ?? []).map((p) => ({ id: p.permissionId, name: p.displayName })));

/** User groups as `"Sales Analysts" (ug-1), ...` or "none". */
export const groupRefs = (groups: readonly UserGroupRef[] | undefined): string =>
  describeRefs((groups ?? []).map((g) => ({ id: g.userGroupId, name: g.displayName })));

/**
 * What a user holds: permissions, groups and profiles, as text lines. Visier's `permissions` are those granted
 * to the user directly; given what each group grants (`grants`, by userGroupId), the lines say so and name,
 * group by group, the permissions held through it.
 */
export function holdings(user: User, grants?: ReadonlyMap<string, { permissions?: PermissionRef[] }>): string[] {
  const direct = permissionRefs(user.permissions);
  return [
    grants ? `permissions held directly: ${direct}` : `permissions: ${direct}`,
    `user groups: ${groupRefs(user.userGroups)}`,
    ...(grants
      ? (user.userGroups ?? []).map(
          (g) =>
            `permissions through group ${groupRefs([g])}: ${permissionRefs(grants.get(g.userGroupId)?.permissions)}`,
        )
      : []),
    `profiles: ${describeRefs((user.profiles ?? []).map((p) => ({ id: p.profileId, name: p.displayName })))}`,
  ];
}

/** "N targets (M missing)" phrase for summaries. */
export function countPhrase(n: number, noun: string, missing: number): string {
  return `${counted(n, noun)}${missing > 0 ? ` (${missing} not found)` : ''}`;
}

/** Above this many ids a preview scans the directory page by page instead of fetching each user. */
const SCAN_ABOVE = 20;
/** Visier's largest user page. */
export const SCAN_PAGE = 1000;

/**
 * Like `currentUsers`, but for many ids: one pass over the directory (a page per 1,000 users) costs far
 * fewer requests than one per user, and stops as soon as every id was seen.
 */
export async function currentUsersMany(
  ctx: ToolContext,
  userIds: readonly string[],
  include: UserInclude,
): Promise<{ userId: string; user: User | undefined }[]> {
  const unique = [...new Set(userIds)];
  if (unique.length <= SCAN_ABOVE) return currentUsers(ctx, unique, include);
  const wanted = new Set(unique);
  const found = new Map<string, User>();
  let scanned = 0;
  for await (const page of ctx.api.userPages({ pageSize: SCAN_PAGE, include }, ctx.call)) {
    for (const user of page) if (wanted.has(user.userId)) found.set(user.userId, user);
    scanned += page.length;
    ctx.progress(
      scanned,
      undefined,
      `preview: scanned ${counted(scanned, 'user')} for ${counted(wanted.size, 'target')}`,
    );
    if (found.size === wanted.size) break;
    ctx.signal.throwIfAborted();
  }
  return unique.map((userId) => ({ userId, user: found.get(userId) }));
}
