import { z } from 'zod';
import type { ImpactTarget } from '../../contract/tool.js';
import { counted } from '../../grammar.js';
import type {
  DynamicFilterDefinition,
  GroupMember,
  UserGroupDefinition,
  UserGroupSummary,
} from '../../providers/visier/api.js';
import type { DirectoryGroup, DirectorySnapshot } from '../../providers/visier/directory.js';
import { decodeCursor, encodeCursor } from '../shared/cursor.js';
import { fencedText, linesWithinBudget, pageHeader, quoted, quotedList } from '../shared/format.js';
import { localPage } from '../shared/paging.js';
import {
  type AccessView,
  accessLines,
  effectLines,
  membershipIn,
  type PaperChange,
  personEffect,
  previewAccess,
} from './access-effect.js';
import { defineTool, type ToolContext } from './define.js';
import { checkFilterCombination, dynamicFilterInput, dynamicFilterOutput } from './dynamic-filter.js';
import { cursor, id, ids, limit, name, pageOutput, projectRouting, text } from './fields.js';
import { createdGroupIds, groupsJournal } from './journal-state.js';
import { type PermissionCatalogue, permissionCatalogue } from './permission-catalogue.js';
import {
  countPhrase,
  fingerprint,
  fingerprintOf,
  identityLine,
  membershipLines,
  missingGroup,
  permissionRefs,
} from './preview.js';
import { dynamicReachLines, effectFields, reachOf } from './reach.js';
import { permissionRefOut } from './schemas.js';

const MAX_GROUPS = 100;

const groupLine = (g: UserGroupSummary) => {
  const name = g.displayName ? ` ${quoted(g.displayName)}` : '';
  const perms = g.permissions ? ` permissions: ${permissionRefs(g.permissions)}` : '';
  return `${g.userGroupId}${name}${perms}`;
};

/**
 * Names for the permissions Visier listed by id alone: Visier's group list usually names them, so the
 * catalogue is read (once) only when some name is missing.
 */
async function namedPermissions(ctx: ToolContext, groups: UserGroupSummary[]): Promise<UserGroupSummary[]> {
  const unnamed = groups.some((g) => g.permissions?.some((p) => p.displayName === undefined));
  if (!unnamed) return groups;
  const catalogue = await permissionCatalogue(ctx);
  return groups.map((g) =>
    g.permissions
      ? {
          ...g,
          permissions: g.permissions.map((p) => {
            const displayName = p.displayName ?? catalogue.name(p.permissionId);
            return displayName === undefined ? p : { ...p, displayName };
          }),
        }
      : g,
  );
}

/**
 * A V2 definition as lines: the state a preview shows before and after, and `get_user_group` shows, with
 * permissions named from the catalogue.
 */
function definitionLines(g: UserGroupDefinition, describe: PermissionCatalogue['describe']): string[] {
  const lines = [`${g.userGroupId ?? '(new)'} ${quoted(g.displayName ?? '')}`];
  if (g.description) lines.push(`description: ${quoted(g.description)}`);
  lines.push(`permissions: ${describe([...(g.permissionIds ?? [])].sort())}`, ...membershipLines(g.users));
  return lines;
}

const groupOut = z.object({
  userGroupId: z.string().optional(),
  displayName: z.string().optional(),
  description: z.string().optional(),
  permissionIds: z.array(z.string()).optional(),
  users: z
    .object({
      includeAllUsers: z.boolean().optional(),
      manuallyIncludedIds: z.array(z.string()).optional(),
      manuallyExcludedIds: z.array(z.string()).optional(),
      dynamicFilterDefinition: dynamicFilterOutput.optional(),
    })
    .optional(),
  tenantCode: z.string().optional(),
  projectId: z.string().optional(),
  visibleForSelection: z
    .object({ enabled: z.boolean().optional(), features: z.array(z.string()).optional() })
    .optional(),
  correlationId: z.string().optional(),
});

/**
 * One page of groups with what each grants. Only Visier's V2 list filters by name (its `displayNameFilter`); it
 * names permissions by id alone, so `namedPermissions` then reads the catalogue once.
 */
async function groupPage(
  ctx: ToolContext,
  displayNameFilter: string | undefined,
  start: number,
  limit: number,
): Promise<UserGroupSummary[]> {
  if (displayNameFilter === undefined) return (await ctx.api.listUserGroups({ start, limit }, ctx.call)).items;
  const page = await ctx.api.listUserGroupsV2({ with: 'permissions', displayNameFilter, start, limit }, ctx.call);
  return page.items.flatMap((g) =>
    g.userGroupId === undefined
      ? []
      : [
          {
            userGroupId: g.userGroupId,
            ...(g.displayName === undefined ? {} : { displayName: g.displayName }),
            permissions: (g.permissionIds ?? []).map((permissionId) => ({ permissionId })),
          },
        ],
  );
}

export const listUserGroups = defineTool({
  name: 'list_user_groups',
  title: 'List user groups',
  description: 'Lists user groups with the permissions each grants, one page at a time, optionally by name.',
  classification: 'read',
  inputSchema: {
    displayNameFilter: text(
      'Only groups whose display name matches this case-sensitive glob: * any run of characters, ? one character',
    )
      .min(1)
      .optional(),
    limit: limit(1000, 100),
    cursor,
    ...projectRouting,
  },
  outputSchema: {
    userGroups: z.array(
      z.object({
        userGroupId: z.string(),
        displayName: z.string().optional(),
        permissions: z.array(permissionRefOut).optional(),
      }),
    ),
    ...pageOutput,
  },
  handler: async (args, ctx) => {
    const start = decodeCursor(args.cursor);
    const pageLimit = args.limit ?? 100;
    const page = await groupPage(ctx, args.displayNameFilter, start, pageLimit);
    const items = await namedPermissions(ctx, page);
    const lines = items.map(groupLine);
    const fit = linesWithinBudget(lines, ctx);
    const more = fit < items.length || items.length === pageLimit;
    const nextCursor = more ? encodeCursor(start + fit) : undefined;
    const userGroups = items.slice(0, fit);
    return {
      text: fencedText(
        pageHeader(counted(fit, 'user group'), nextCursor, fit < items.length),
        lines.slice(0, fit),
        ctx,
      ),
      structured: { userGroups, returned: fit, ...(nextCursor ? { nextCursor } : {}) },
    };
  },
});

export const getUserGroup = defineTool({
  name: 'get_user_group',
  title: 'Get user group',
  description: "Gets a user group's definition: name, description, permissions and membership rule.",
  classification: 'read',
  inputSchema: { userGroupId: id('User group id'), ...projectRouting },
  outputSchema: { userGroup: groupOut },
  handler: async (args, ctx) => {
    const [userGroup, catalogue] = await Promise.all([
      ctx.api.getUserGroup(args.userGroupId, {}, ctx.call),
      permissionCatalogue(ctx),
    ]);
    return {
      text: fencedText(`User group ${args.userGroupId}:`, definitionLines(userGroup, catalogue.describe), ctx),
      structured: { userGroup },
    };
  },
});

type Member = GroupMember & { tenantCode: string };

export const listUserGroupMembers = defineTool({
  name: 'list_user_group_members',
  title: 'List user group members',
  description: 'Lists the users assigned to a user group by hand (not those a dynamic filter adds).',
  classification: 'read',
  inputSchema: { userGroupId: id('User group id'), limit: limit(1000, 200), cursor, ...projectRouting },
  outputSchema: {
    userGroupId: z.string(),
    users: z.array(z.object({ userId: z.string(), username: z.string().optional(), tenantCode: z.string() })),
    ...pageOutput,
  },
  handler: async (args, ctx) => {
    const page = await ctx.api.listUserGroupMembers(args.userGroupId, { start: 0, limit: 100 }, ctx.call);
    const members: Member[] = page.items.flatMap((t) => t.users.map((u) => ({ ...u, tenantCode: t.tenantCode })));
    const slice = localPage(
      members,
      (m) => [m.userId, m.username, `tenant:${m.tenantCode}`].filter(Boolean).join(' '),
      args,
      200,
      ctx,
    );
    return {
      text: fencedText(
        pageHeader(counted(slice.items.length, 'member'), slice.nextCursor, slice.cappedBySize),
        slice.lines,
        ctx,
      ),
      structured: {
        userGroupId: args.userGroupId,
        users: slice.items,
        returned: slice.items.length,
        ...(slice.nextCursor ? { nextCursor: slice.nextCursor } : {}),
      },
    };
  },
});

const groupFields = {
  description: text('Description').optional(),
  permissionIds: z
    .array(id('Permission id'))
    .max(500)
    .optional()
    .describe('Permissions the group grants (replaces the list)'),
  includeAllUsers: z.boolean().optional().describe('Every user is a member'),
  userIds: z.array(id('userId')).max(10_000).optional().describe('Members added by hand (replaces the list)'),
  excludedUserIds: z.array(id('userId')).max(10_000).optional().describe('Users kept out (replaces the list)'),
  dynamicFilter: dynamicFilterInput.optional(),
};

type GroupArgs = {
  userGroupId?: string;
  displayName?: string;
  description?: string;
  permissionIds?: string[];
  includeAllUsers?: boolean;
  userIds?: string[];
  excludedUserIds?: string[];
  dynamicFilter?: DynamicFilterDefinition;
};

/**
 * Every group, and every user a group's member lists name: caps and budgets count the people whose access
 * changes, so a large member list cannot slip under them as "one group".
 */
function groupChangeCount(groups: GroupArgs[]): number {
  return groups.reduce((n, g) => n + 1 + (g.userIds?.length ?? 0) + (g.excludedUserIds?.length ?? 0), 0);
}

/** Tool arguments to Visier's V2 definition; omitted arguments stay omitted (PATCH leaves them alone). */
function toDefinition(g: GroupArgs): UserGroupDefinition {
  const users = {
    ...(g.includeAllUsers === undefined ? {} : { includeAllUsers: g.includeAllUsers }),
    ...(g.userIds === undefined ? {} : { manuallyIncludedIds: g.userIds }),
    ...(g.excludedUserIds === undefined ? {} : { manuallyExcludedIds: g.excludedUserIds }),
    ...(g.dynamicFilter === undefined ? {} : { dynamicFilterDefinition: g.dynamicFilter }),
  };
  return {
    ...(g.userGroupId === undefined ? {} : { userGroupId: g.userGroupId }),
    ...(g.displayName === undefined ? {} : { displayName: g.displayName }),
    ...(g.description === undefined ? {} : { description: g.description }),
    ...(g.permissionIds === undefined ? {} : { permissionIds: g.permissionIds }),
    ...(Object.keys(users).length ? { users } : {}),
  };
}

/** A snapshot's group as the V2 definition the lines and the patch read. */
const asDefinition = (group: DirectoryGroup): UserGroupDefinition => ({
  ...group,
  permissionIds: [...group.permissionIds],
});

/** A PATCH applied to a definition, as Visier applies it: omitted fields stay, the membership rule merges. */
function patched(before: UserGroupDefinition, patch: UserGroupDefinition): UserGroupDefinition {
  const users = { ...before.users, ...patch.users };
  // Visier drops members added by hand when a group comes to include all users.
  if (users.includeAllUsers) delete users.manuallyIncludedIds;
  return { ...before, ...patch, users };
}

/** What a group change does that a human must see: why it is elevated, which privileged permissions it grants. */
interface GroupChange {
  elevated: string[];
  privilegedGrants: string[];
  /** Whether its permissions or membership rule change (so its members count as people reached). */
  reaches: boolean;
}

const added = (after: readonly string[] | undefined, before: readonly string[] | undefined) =>
  (after ?? []).filter((i) => !(before ?? []).includes(i));

/** Compares a group before (undefined: being created) and after the change. */
function groupChange(
  catalogue: PermissionCatalogue,
  before: UserGroupDefinition | undefined,
  after: UserGroupDefinition,
): GroupChange {
  const newlyPrivileged = catalogue.privileged(added(after.permissionIds, before?.permissionIds));
  const privilegedAfter = catalogue.privileged(after.permissionIds ?? []);
  const allUsersOn = after.users?.includeAllUsers === true && before?.users?.includeAllUsers !== true;
  const joined = added(after.users?.manuallyIncludedIds, before?.users?.manuallyIncludedIds).length;
  const unexcluded = added(before?.users?.manuallyExcludedIds, after.users?.manuallyExcludedIds).length;
  const filterSet =
    after.users?.dynamicFilterDefinition !== undefined &&
    fingerprint(after.users.dynamicFilterDefinition) !== fingerprint(before?.users?.dynamicFilterDefinition ?? null);
  const widens = allUsersOn || filterSet || joined > 0 || unexcluded > 0;
  const elevated = [
    ...(newlyPrivileged.length ? [`grants privileged ${quotedList(newlyPrivileged)}`] : []),
    ...(allUsersOn ? ['includeAllUsers turned on: every user becomes a member'] : []),
    ...(filterSet ? ['a dynamic filter chooses members from employee data'] : []),
    ...(widens && privilegedAfter.length ? [`members it gains get privileged ${quotedList(privilegedAfter)}`] : []),
  ];
  const rule = (g: UserGroupDefinition | undefined) => [
    [...(g?.permissionIds ?? [])].sort(),
    membershipLines(g?.users),
  ];
  return {
    elevated,
    privilegedGrants: [...newlyPrivileged, ...(widens ? privilegedAfter : [])],
    reaches: before === undefined || fingerprint(rule(before)) !== fingerprint(rule(after)),
  };
}

const elevatedField = (elevated: string[]) => (elevated.length ? { elevated } : {});

/** Whether the person is a member under `rule`: a dynamic-filter member stays one while the group keeps its filter. */
function memberUnder(
  snapshot: DirectorySnapshot,
  userId: string,
  userGroupId: string,
  rule: UserGroupDefinition['users'],
): boolean {
  if (rule?.manuallyExcludedIds?.includes(userId)) return false;
  if (rule?.includeAllUsers || rule?.manuallyIncludedIds?.includes(userId)) return true;
  return rule?.dynamicFilterDefinition !== undefined && membershipIn(snapshot, userId, userGroupId) === 'dynamic';
}

/**
 * Each person whose groups or group grants a group change touches, with what they can newly use or no longer use
 * (`after`: the groups as they would be, undefined for a group deleted). The groups' own targets say why a change is
 * elevated and to how many: these lines are unmarked, so a tenant-wide change still groups into lines a person can
 * read. Ordered as the directory lists people.
 */
function peopleTargets(view: AccessView, after: ReadonlyMap<string, UserGroupDefinition | undefined>): ImpactTarget[] {
  const { snapshot } = view;
  const touched = new Set<string>();
  for (const [userGroupId, definition] of after) {
    for (const userId of snapshot.members.get(userGroupId) ?? []) touched.add(userId);
    for (const userId of definition?.users?.manuallyIncludedIds ?? []) touched.add(userId);
  }
  const everyone = [...after.values()].some((d) => d?.users?.includeAllUsers);
  const change: PaperChange = {
    groups: (userId, inGroups) => [
      ...inGroups.filter((g) => !after.has(g)),
      ...[...after].flatMap(([g, d]) => (d && memberUnder(snapshot, userId, g, d.users) ? [g] : [])),
    ],
    grants: (userGroupId, granted) => after.get(userGroupId)?.permissionIds ?? granted,
  };
  return [...snapshot.users.values()].flatMap((user): ImpactTarget[] => {
    if (!everyone && !touched.has(user.userId)) return [];
    const lines = effectLines(view, personEffect(snapshot, user.userId, change));
    return [
      {
        kind: 'user',
        id: user.userId,
        name: user.displayName ?? user.username,
        before: [identityLine(user), ...accessLines(view, user.userId)],
        after: lines,
        change: lines.join('; '),
      },
    ];
  });
}

const changedGroup = {
  userGroupId: z.string().optional(),
  displayName: z.string().optional(),
  tenantCode: z.string().optional(),
  projectId: z.string().optional(),
  correlationId: z.string().optional(),
};
const changeOut = {
  successes: z.array(z.object({ ...changedGroup, note: z.string().optional() })),
  failures: z.array(z.object({ ...changedGroup, message: z.string().optional(), rci: z.string().optional() })),
};

function changeText(
  verb: string,
  result: {
    successes: { userGroupId?: string; displayName?: string; note?: string }[];
    failures: { userGroupId?: string; displayName?: string; message?: string; rci?: string }[];
  },
  fence: (lines: string[]) => string,
): string {
  const lines = [
    ...result.successes.map(
      (s) => `ok ${s.userGroupId ?? ''} ${quoted(s.displayName ?? '')}${s.note ? ` (${s.note})` : ''}`,
    ),
    ...result.failures.map(
      (f) =>
        `failed ${f.userGroupId ?? ''} ${quoted(f.displayName ?? '')}: ${f.message ?? ''}${f.rci ? ` rci:${f.rci}` : ''}`,
    ),
  ];
  return fencedText(
    `${verb} ${counted(result.successes.length, 'user group')}; ${result.failures.length} failed.`,
    lines,
    {
      fence,
    },
  );
}

export const createUserGroups = defineTool({
  name: 'create_user_groups',
  title: 'Create user groups',
  description: 'Creates user groups with their permissions and members.',
  classification: 'access',
  inputSchema: {
    userGroups: z
      .array(z.strictObject({ displayName: name('Display name'), ...groupFields }).superRefine(checkFilterCombination))
      .min(1)
      .max(MAX_GROUPS)
      .describe(`Groups to create (1-${MAX_GROUPS})`),
    ...projectRouting,
  },
  outputSchema: changeOut,
  itemCount: (args) => groupChangeCount(args.userGroups),
  journal: groupsJournal((_args: unknown, output) => createdGroupIds(output)),
  preview: async (args, ctx, read) => {
    const defs = args.userGroups.map(toDefinition);
    const view = await previewAccess(ctx, read);
    const { catalogue } = view;
    const reach = await reachOf(
      ctx,
      defs.map((d) => d.users),
      view.snapshot,
    );
    const changes = defs.map((d) => groupChange(catalogue, undefined, d));
    // Each new group under a name no existing group has, so people's lines can say what joining it gives.
    const targets: ImpactTarget[] = [
      ...defs.map(
        (d, i): ImpactTarget => ({
          kind: 'user-group',
          id: '(new)',
          name: d.displayName,
          after: [...definitionLines(d, catalogue.describe), ...dynamicReachLines(reach, d.users)],
          ...elevatedField(changes[i]?.elevated ?? []),
        }),
      ),
      ...peopleTargets(view, new Map(defs.map((d, i) => [`(new group ${i + 1})`, d]))),
    ];
    return {
      summary: `Create ${countPhrase(defs.length, 'user group', 0)} reaching ${reach.phrase}`,
      targets,
      fingerprint: fingerprintOf(targets, ['create_user_groups', defs]),
      ...effectFields(
        reach,
        changes.flatMap((c) => c.privilegedGrants),
      ),
    };
  },
  handler: async (args, ctx) => {
    const result = await ctx.api.createUserGroups(args.userGroups.map(toDefinition), ctx.call);
    return { text: changeText('Created', result, ctx.fence), structured: result };
  },
});

export const updateUserGroups = defineTool({
  name: 'update_user_groups',
  title: 'Update user groups',
  description: "Changes user groups' names, descriptions, permissions or members; omitted fields stay as they are.",
  classification: 'access',
  inputSchema: {
    userGroups: z
      .array(
        z
          .strictObject({
            userGroupId: id('User group id'),
            displayName: text('New display name').min(1).optional(),
            ...groupFields,
          })
          .superRefine(checkFilterCombination),
      )
      .min(1)
      .max(MAX_GROUPS)
      .describe(`Groups to change (1-${MAX_GROUPS})`),
    ...projectRouting,
  },
  outputSchema: changeOut,
  itemCount: (args) => groupChangeCount(args.userGroups),
  journal: groupsJournal((args: { userGroups: { userGroupId: string }[] }) =>
    args.userGroups.map((g) => g.userGroupId),
  ),
  preview: async (args, ctx, read) => {
    const view = await previewAccess(ctx, read);
    const { snapshot, catalogue } = view;
    const privilegedGrants: string[] = [];
    // Only groups whose permissions or members change reach anyone; a renamed or re-described group reaches no one.
    const reaching: UserGroupDefinition['users'][] = [];
    const changed = new Map<string, UserGroupDefinition>();
    const afterRules = new Map<ImpactTarget, UserGroupDefinition['users']>();
    const groupTargets: ImpactTarget[] = args.userGroups.map((g) => {
      const found = snapshot.groups.get(g.userGroupId);
      if (!found) return missingGroup(g.userGroupId);
      const before = asDefinition(found);
      const after = patched(before, toDefinition(g));
      const change = groupChange(catalogue, before, after);
      privilegedGrants.push(...change.privilegedGrants);
      if (change.reaches) {
        reaching.push(before.users, after.users);
        changed.set(g.userGroupId, after);
      }
      const target: ImpactTarget = {
        kind: 'user-group',
        id: g.userGroupId,
        name: before.displayName,
        before: definitionLines(before, catalogue.describe),
        after: definitionLines(after, catalogue.describe),
        ...elevatedField(change.elevated),
      };
      afterRules.set(target, after.users);
      return target;
    });
    const reach = await reachOf(ctx, reaching, snapshot);
    for (const [target, rule] of afterRules) target.after?.push(...dynamicReachLines(reach, rule));
    const targets = [...groupTargets, ...peopleTargets(view, changed)];
    return {
      summary: `Update ${countPhrase(groupTargets.length, 'user group', groupTargets.filter((t) => t.missing).length)} reaching ${reach.phrase}`,
      targets,
      fingerprint: fingerprintOf(targets),
      ...effectFields(reach, privilegedGrants),
    };
  },
  handler: async (args, ctx) => {
    const result = await ctx.api.updateUserGroups(args.userGroups.map(toDefinition), ctx.call);
    return { text: changeText('Updated', result, ctx.fence), structured: result };
  },
});

export const deleteUserGroups = defineTool({
  name: 'delete_user_groups',
  title: 'Delete user groups',
  description: 'Deletes user groups; their members lose what the groups granted.',
  classification: 'destructive',
  inputSchema: { userGroupIds: ids('User group id').max(MAX_GROUPS), ...projectRouting },
  outputSchema: changeOut,
  itemCount: (args) => args.userGroupIds.length,
  journal: groupsJournal((args: { userGroupIds: string[] }) => args.userGroupIds),
  preview: async (args, ctx, read) => {
    const view = await previewAccess(ctx, read);
    const { snapshot, catalogue } = view;
    const ids = [...new Set(args.userGroupIds)];
    const groupTargets: ImpactTarget[] = ids.map((userGroupId) => {
      const group = snapshot.groups.get(userGroupId);
      return group
        ? {
            kind: 'user-group',
            id: userGroupId,
            name: group.displayName,
            before: definitionLines(asDefinition(group), catalogue.describe),
            after: ['deleted'],
          }
        : missingGroup(userGroupId);
    });
    const reach = await reachOf(
      ctx,
      ids.map((id) => snapshot.groups.get(id)?.users),
      snapshot,
    );
    const deleted = new Map(ids.filter((id) => snapshot.groups.has(id)).map((id) => [id, undefined]));
    const targets = [...groupTargets, ...peopleTargets(view, deleted)];
    return {
      summary: `Delete ${countPhrase(groupTargets.length, 'user group', groupTargets.filter((t) => t.missing).length)}; their members (${reach.phrase}) lose what they grant`,
      targets,
      fingerprint: fingerprintOf(targets),
      ...effectFields(reach, []),
    };
  },
  handler: async (args, ctx) => {
    const result = await ctx.api.deleteUserGroups(
      args.userGroupIds.map((userGroupId) => ({ userGroupId })),
      ctx.call,
    );
    return { text: changeText('Deleted', result, ctx.fence), structured: result };
  },
});

export const USER_GROUP_TOOLS = [
  listUserGroups,
  getUserGroup,
  listUserGroupMembers,
  createUserGroups,
  updateUserGroups,
  deleteUserGroups,
];
