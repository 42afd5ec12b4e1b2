import { z } from 'zod';
import { counted } from '../../grammar.js';
import type { DirectorySnapshot, DirectoryUser } from '../../providers/visier/directory.js';
import { grantsOf } from '../../providers/visier/directory.js';
import { ToolArgumentError } from '../shared/errors.js';
import { fencedText, instantMs, pageHeader, userLine, withLastLoginIso } from '../shared/format.js';
import { localPage } from '../shared/paging.js';
import { named, privilegeJudge } from './access-paths.js';
import { defineTool } from './define.js';
import { cursor, id, limit, pageOutput, projectRouting } from './fields.js';
import { asOfOut, freshness } from './freshness.js';
import { listPermissions } from './permissions.js';
import { userOut } from './schemas.js';
import { listUserGroups } from './user-groups.js';

// Who holds what in a tenant, a group or a permission, with what an auditor asks about first: disabled accounts
// and accounts nobody signs in to that still hold permissions, privileged permissions granted person by person
// instead of through a group, groups with no members and people in no group. Read from the directory snapshot.

const REVIEW_MAX = 1000;
const REVIEW_DEFAULT = 100;
const INACTIVE_DEFAULT = 90;
const DAY_MS = 86_400_000;

const USER_FINDINGS = ['disabled-with-access', 'inactive-with-access', 'privileged-direct', 'in-no-group'] as const;
type UserFinding = (typeof USER_FINDINGS)[number];

const FINDING_WORDS: Record<UserFinding, string> = {
  'disabled-with-access': 'disabled but holds permissions',
  'inactive-with-access': 'no sign-in within the window but holds permissions',
  'privileged-direct': 'privileged permission granted directly',
  'in-no-group': 'in no group',
};

const holdingOut = z.object({
  permissionId: z.string(),
  displayName: z.string().optional(),
  privileged: z.boolean(),
  via: z.array(z.string()).describe("'direct', or the userGroupId of each group that grants it"),
});

const rowOut = userOut.extend({
  permissions: z.array(holdingOut).describe('What the user holds, within the scope'),
  userGroupIds: z.array(z.string()),
  findings: z.array(z.enum(USER_FINDINGS)),
});
type Row = z.infer<typeof rowOut>;

const emptyGroupOut = z.object({ userGroupId: z.string(), displayName: z.string().optional() });

const findingsOut = z
  .object({
    users: z.number().int().describe('People in the scope'),
    disabledWithAccess: z.number().int(),
    inactiveWithAccess: z.number().int().describe('No sign-in for inactiveDays, or never'),
    privilegedDirect: z.number().int().describe('People holding a privileged permission granted directly'),
    emptyGroups: z.number().int(),
    inNoGroup: z.number().int(),
  })
  .describe('Counts for the whole scope');

type Scope =
  | { kind: 'tenant' }
  | { kind: 'user-group'; id: string; displayName?: string }
  | { kind: 'permission'; id: string; displayName?: string };

function scopeOf(snapshot: DirectorySnapshot, args: { userGroupId?: string; permissionId?: string }): Scope {
  if (args.userGroupId !== undefined && args.permissionId !== undefined) {
    throw new ToolArgumentError('permissionId', 'give userGroupId or permissionId, not both');
  }
  if (args.userGroupId !== undefined) {
    const group = snapshot.groups.get(args.userGroupId);
    if (!group)
      throw new ToolArgumentError('userGroupId', `no user group has this id; ${listUserGroups.name} lists them`);
    return {
      kind: 'user-group',
      id: group.userGroupId,
      ...(group.displayName ? { displayName: group.displayName } : {}),
    };
  }
  if (args.permissionId !== undefined) {
    const permission = snapshot.permissions.get(args.permissionId);
    if (!permission)
      throw new ToolArgumentError('permissionId', `no permission has this id; ${listPermissions.name} lists them`);
    const { displayName } = permission;
    return { kind: 'permission', id: permission.permissionId, ...(displayName ? { displayName } : {}) };
  }
  return { kind: 'tenant' };
}

/** A person in the scope and what an auditor would flag about them. */
interface Reviewed {
  user: DirectoryUser;
  findings: UserFinding[];
}

/**
 * The people a scope covers, with their findings, most findings first and in directory order otherwise. One
 * pass over the snapshot that builds nothing per person but the findings: whole rows are built for the page only.
 */
function reviewed(
  snapshot: DirectorySnapshot,
  scope: Scope,
  privileged: (permissionId: string) => boolean,
  inactiveBefore: number,
): Reviewed[] {
  const inGroup = scope.kind === 'user-group' ? new Set(snapshot.members.get(scope.id) ?? []) : undefined;
  const inScope = (permissionId: string) => scope.kind !== 'permission' || permissionId === scope.id;
  const found: Reviewed[] = [];
  for (const user of snapshot.users.values()) {
    if (inGroup && !inGroup.has(user.userId)) continue;
    const direct = (snapshot.directPermissions.get(user.userId) ?? []).filter(inScope);
    const memberships = snapshot.memberships.get(user.userId) ?? [];
    const holds =
      direct.length > 0 ||
      memberships.some((m) => (snapshot.groups.get(m.userGroupId)?.permissionIds ?? []).some(inScope));
    if (scope.kind === 'permission' && !holds) continue;
    const lastLogin = user.lastLogin === undefined ? undefined : instantMs(user.lastLogin);
    const findings: UserFinding[] = [];
    if (holds && user.accountEnabled === false) findings.push('disabled-with-access');
    // No sign-in, or none that reads as an instant, is no recent sign-in.
    if (holds && (lastLogin === undefined || lastLogin < inactiveBefore)) findings.push('inactive-with-access');
    if (direct.some(privileged)) findings.push('privileged-direct');
    if (memberships.length === 0) findings.push('in-no-group');
    found.push({ user, findings });
  }
  // What an auditor acts on comes first (the sort is stable, so directory order otherwise).
  return found.sort((a, b) => b.findings.length - a.findings.length);
}

/** A person's whole row: what they hold within the scope, and through what. */
function rowOf(
  snapshot: DirectorySnapshot,
  scope: Scope,
  privileged: (permissionId: string) => boolean,
  { user, findings }: Reviewed,
): Row {
  const permissions = [...grantsOf(snapshot, user.userId)]
    .filter(([permissionId]) => scope.kind !== 'permission' || permissionId === scope.id)
    .map(([permissionId, paths]) => {
      const displayName = snapshot.permissions.get(permissionId)?.displayName;
      return {
        permissionId,
        ...(displayName !== undefined ? { displayName } : {}),
        privileged: privileged(permissionId),
        via: paths.map((p) => (p.via === 'direct' ? 'direct' : p.userGroupId)),
      };
    });
  const userGroupIds = (snapshot.memberships.get(user.userId) ?? []).map((m) => m.userGroupId);
  return { ...withLastLoginIso({ ...user }), permissions, userGroupIds, findings };
}

/** Groups of the scope that nobody is in: every group, the group itself, or the groups granting the permission. */
function emptyGroups(snapshot: DirectorySnapshot, scope: Scope) {
  return [...snapshot.groups.values()]
    .filter((g) =>
      scope.kind === 'tenant'
        ? true
        : scope.kind === 'user-group'
          ? g.userGroupId === scope.id
          : g.permissionIds.includes(scope.id),
    )
    .filter((g) => (snapshot.members.get(g.userGroupId)?.length ?? 0) === 0)
    .map((g) => ({
      userGroupId: g.userGroupId,
      ...(g.displayName !== undefined ? { displayName: g.displayName } : {}),
    }));
}

const rowLine = (row: Row) => {
  const holds = row.permissions
    .map((p) => `${named(p.permissionId, p.displayName)}${p.privileged ? ' [privileged]' : ''} via ${p.via.join('+')}`)
    .join('; ');
  const findings = row.findings.map((f) => FINDING_WORDS[f]).join('; ');
  return `${userLine(row, ['username', 'displayName', 'accountEnabled', 'lastLogin'])} holds: ${holds || 'nothing'}${findings ? ` | findings: ${findings}` : ''}`;
};

const scopePhrase = (scope: Scope) =>
  scope.kind === 'tenant' ? 'the tenant' : `${scope.kind === 'user-group' ? 'user group' : 'permission'} ${scope.id}`;

type Entry = { group: z.infer<typeof emptyGroupOut> } | { person: Reviewed };

export const reviewAccess = defineTool({
  name: 'review_access',
  title: 'Review access',
  description:
    'Who holds what in a tenant, group or permission, with findings: disabled, inactive, direct privilege, empty groups.',
  classification: 'read',
  inputSchema: {
    userGroupId: id('Review only this user group').optional(),
    permissionId: id('Review only this permission').optional(),
    inactiveDays: z
      .number()
      .int()
      .min(1)
      .max(3650)
      .optional()
      .describe(`Flag holders with no sign-in for this many days, or never (default ${INACTIVE_DEFAULT})`),
    limit: limit(REVIEW_MAX, REVIEW_DEFAULT),
    cursor,
    ...projectRouting,
  },
  outputSchema: {
    asOf: asOfOut,
    scope: z.object({
      kind: z.enum(['tenant', 'user-group', 'permission']),
      id: z.string().optional(),
      displayName: z.string().optional(),
    }),
    inactiveDays: z.number().int(),
    findings: findingsOut.optional().describe('On the first page only: counts for the whole scope'),
    emptyGroups: z.array(emptyGroupOut).describe('Groups of the scope with no members, on the pages that reach them'),
    users: z.array(rowOut),
    ...pageOutput,
  },
  handler: async (args, ctx) => {
    const snapshot = await ctx.api.directory(ctx.call);
    const { asOf, phrase } = freshness(snapshot);
    const scope = scopeOf(snapshot, args);
    const inactiveDays = args.inactiveDays ?? INACTIVE_DEFAULT;
    const privileged = privilegeJudge(snapshot, ctx.privileged);
    const people = reviewed(snapshot, scope, privileged, Date.now() - inactiveDays * DAY_MS);
    const groups = emptyGroups(snapshot, scope);
    // Empty groups first, then people: one sequence, so a cursor pages through both and nothing is left out.
    const entries: Entry[] = [...groups.map((group) => ({ group })), ...people.map((person) => ({ person }))];
    const rows = new Map<Reviewed, Row>();
    const rowFor = (person: Reviewed) => {
      const row = rows.get(person) ?? rowOf(snapshot, scope, privileged, person);
      rows.set(person, row);
      return row;
    };
    const first = args.cursor === undefined;
    const count = (finding: UserFinding) => people.filter((p) => p.findings.includes(finding)).length;
    const findings = {
      users: people.length,
      disabledWithAccess: count('disabled-with-access'),
      inactiveWithAccess: count('inactive-with-access'),
      privilegedDirect: count('privileged-direct'),
      emptyGroups: groups.length,
      inNoGroup: count('in-no-group'),
    };
    const summary = first
      ? ` ${counted(findings.users, 'user')} in scope. Findings: ${counted(findings.disabledWithAccess, 'disabled account')} holding permissions; ${counted(findings.inactiveWithAccess, 'account')} with no sign-in for ${counted(inactiveDays, 'day')} (or never) holding permissions; ${counted(findings.privilegedDirect, 'user')} holding a privileged permission directly; ${counted(findings.emptyGroups, 'group')} with no members; ${counted(findings.inNoGroup, 'user')} in no group.`
      : '';
    const intro = `Access review of ${scopePhrase(scope)}, ${phrase}.${summary}`;
    const page = localPage(
      entries,
      (e) =>
        'group' in e ? `empty group ${named(e.group.userGroupId, e.group.displayName)}` : rowLine(rowFor(e.person)),
      args,
      REVIEW_DEFAULT,
      { maxResultChars: ctx.maxResultChars - intro.length },
    );
    const users = page.items.flatMap((e) => ('person' in e ? [rowFor(e.person)] : []));
    const pageGroups = page.items.flatMap((e) => ('group' in e ? [e.group] : []));
    const holds = [
      users.length > 0 ? counted(users.length, 'user') : '',
      pageGroups.length > 0 ? counted(pageGroups.length, 'empty group') : '',
    ]
      .filter(Boolean)
      .join(' and ');
    const header = `${intro} This page: ${pageHeader(holds || 'nothing', page.nextCursor, page.cappedBySize)}`;
    return {
      text: fencedText(header, page.lines, ctx),
      structured: {
        asOf,
        scope,
        inactiveDays,
        ...(first ? { findings } : {}),
        emptyGroups: pageGroups,
        users,
        returned: page.items.length,
        ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
      },
    };
  },
});
