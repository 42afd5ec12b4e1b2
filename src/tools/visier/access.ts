import { z } from 'zod';
import type { ImpactPreview, ImpactTarget, PreviewRead } from '../../contract/tool.js';
import { counted } from '../../grammar.js';
import type {
  AssignmentResult,
  GroupPermissionsResult,
  IdUsers,
  TargetProjectForTenant,
} from '../../providers/visier/api.js';
import type { DirectoryUser } from '../../providers/visier/directory.js';
import { fencedText, quoted, quotedList } from '../shared/format.js';
import {
  type AccessView,
  accessLines,
  effectLines,
  escalation,
  membershipIn,
  type PaperChange,
  type PersonEffect,
  personEffect,
  previewAccess,
} from './access-effect.js';
import { defineTool, type ToolContext } from './define.js';
import { id, ids, projectRouting, targetProjectForTenants } from './fields.js';
import { groupsJournal, usersJournal } from './journal-state.js';
import { type Place, placed, placesOf, placesPhrase } from './places.js';
import {
  countPhrase,
  fingerprintOf,
  groupIdentityLine,
  identityLine,
  membershipLines,
  missingGroup,
  missingUser,
} from './preview.js';
import { effectFields, reachOf } from './reach.js';
import { permissionRefOut, tenantOutcomeOut } from './schemas.js';

// Tools that change who can see or do what: permissions on users, group membership, group permissions.

const MAX_PERMISSIONS = 100;

const idUsersOut = z.object({ id: z.string(), userIds: z.array(z.string()) });

const assignmentOut = {
  tenants: z.array(tenantOutcomeOut),
  requests: z.number().int(),
  succeeded: z.number().int().describe("Tenant outcomes Visier reported as 'Succeed'"),
  failed: z
    .number()
    .int()
    .describe("Tenant outcomes not 'Succeed', plus the request that failed when the change stopped part-way"),
  incomplete: z
    .object({
      failedRequest: z.number().int(),
      requestsPlanned: z.number().int(),
      outcome: z.enum(['not-sent', 'refused', 'unknown']),
      message: z.string(),
      rci: z.string().optional(),
      failed: z.array(idUsersOut),
      notSent: z.array(idUsersOut),
    })
    .optional()
    .describe('Set when a change needing several requests stopped part-way; `tenants` reports those before it'),
};

const STOP_OUTCOME = {
  'not-sent': 'not sent',
  refused: 'refused by Visier, not made',
  unknown: 'outcome unknown, may have been made',
} as const;

const idUsersLine = (label: string, entries: IdUsers[]) =>
  entries.map((e) => `${label} ${e.id}: ${e.userIds.join(', ') || 'no users'}`);

/**
 * Visier answers an assignment with a status per tenant, `Failed` inside a 200 included: anything but `Succeed`,
 * or a change that stopped part-way, makes the result an error, with every tenant's outcome and what became of
 * the rest in both the text and the structured data.
 */
function assignmentOutput(verb: string, result: AssignmentResult, fence: ToolContext['fence']) {
  const notSucceeded = result.tenants.filter((t) => t.status !== 'Succeed').length;
  const stop = result.incomplete;
  const lines = result.tenants.flatMap((t) => [
    `tenant ${t.tenantCode ?? '(default)'}: ${t.status}${t.message ? ` - ${t.message}` : ''}`,
    ...t.changes.map(
      (c) => `  ${c.id}${c.name ? ` ${quoted(c.name)}` : ''}: ${c.users.map((u) => u.userId).join(', ') || 'no users'}`,
    ),
  ]);
  if (stop) {
    lines.push(
      `request ${stop.failedRequest} failed: ${stop.message}${stop.rci ? ` (rci ${stop.rci})` : ''}`,
      ...idUsersLine(`${STOP_OUTCOME[stop.outcome]}:`, stop.failed),
      ...idUsersLine('not sent:', stop.notSent),
    );
  }
  const header = stop
    ? `${verb}: stopped at request ${stop.failedRequest} of ${stop.requestsPlanned} (${STOP_OUTCOME[stop.outcome]}); the requests before it are reported below, the rest was not sent.`
    : notSucceeded === 0
      ? `${verb}: succeeded.`
      : `${verb}: ${notSucceeded} of ${counted(result.tenants.length, 'tenant')} did not succeed.`;
  const failed = notSucceeded + (stop ? 1 : 0);
  return {
    text: fencedText(header, lines, { fence }),
    structured: { ...result, succeeded: result.tenants.length - notSucceeded, failed },
    isError: failed > 0,
  };
}

const assignmentOptions = (ctx: ToolContext, targets: TargetProjectForTenant[] | undefined) => ({
  ...ctx.call,
  ...(targets ? { targetProjectForTenants: targets } : {}),
});

const tenantsOf = (args: { targetProjectForTenants?: TargetProjectForTenant[] | undefined }) =>
  (args.targetProjectForTenants ?? []).map((t) => t.tenantCode);

/**
 * Users who gain or lose direct permissions, read where the change lands: who each is, everything they hold and
 * through which paths, and what they can newly use or no longer use (a permission also held through a group is
 * not lost). One directory read per place, whatever the number of users.
 */
/** One person's target: who they are and hold now, the change in words, its effect, and why it is elevated. */
function personTarget(
  view: AccessView,
  user: DirectoryUser,
  what: string,
  effect: PersonEffect,
  elevated: string[],
): ImpactTarget {
  const after = effectLines(view, effect);
  return {
    kind: 'user',
    id: user.userId,
    name: user.displayName ?? user.username,
    before: [identityLine(user), ...accessLines(view, user.userId)],
    after,
    change: [what, ...after].join('; '),
    ...(elevated.length ? { elevated } : {}),
  };
}

async function userPermissionPreview(
  ctx: ToolContext,
  args: { permissionIds: string[]; userIds: string[]; targetProjectForTenants?: TargetProjectForTenant[] | undefined },
  grant: boolean,
  read: PreviewRead,
): Promise<ImpactPreview> {
  const places = placesOf(ctx, args.targetProjectForTenants);
  const userIds = [...new Set(args.userIds)];
  const perPlace = await Promise.all(
    places.map(async (place) => {
      const view = await previewAccess(place.ctx, read);
      const { snapshot, catalogue } = view;
      const existing = args.permissionIds.filter((p) => snapshot.permissions.has(p));
      const change: PaperChange = {
        direct: (_, held) => (grant ? [...new Set([...held, ...existing])] : held.filter((p) => !existing.includes(p))),
      };
      const privileged: string[] = [];
      const userTargets = userIds.map((userId) => {
        const user = snapshot.users.get(userId);
        if (!user) return placed(place, missingUser(userId));
        const held = snapshot.directPermissions.get(userId) ?? [];
        const moved = grant ? existing.filter((p) => !held.includes(p)) : existing.filter((p) => held.includes(p));
        const effect = personEffect(snapshot, userId, change);
        const gainedPrivileged = catalogue.privileged(effect.gained);
        privileged.push(...gainedPrivileged);
        const what = moved.length
          ? `${grant ? 'given' : 'no longer given'} ${catalogue.describe(moved)} directly`
          : grant
            ? 'already holds them directly'
            : 'holds none of them directly';
        return placed(place, personTarget(view, user, what, effect, escalation(gainedPrivileged, 'gains')));
      });
      const targets: ImpactTarget[] = [
        ...args.permissionIds
          .filter((p) => !snapshot.permissions.has(p))
          .map((p) => placed(place, { kind: 'permission', id: p, missing: true, before: ['no such permission'] })),
        ...userTargets,
      ];
      return { catalogue, targets, missing: userTargets.filter((t) => t.missing).length, privileged };
    }),
  );
  const [first] = perPlace as [(typeof perPlace)[number]];
  const targets = perPlace.flatMap((r) => r.targets);
  return {
    summary: `${grant ? 'Grant' : 'Revoke'} ${first.catalogue.describe(args.permissionIds)} ${grant ? 'to' : 'from'} ${countPhrase(userIds.length, 'user', Math.max(...perPlace.map((r) => r.missing)))}${placesPhrase(places)}`,
    targets,
    fingerprint: fingerprintOf(targets, args.permissionIds),
    ...effectFields(
      undefined,
      perPlace.flatMap((r) => r.privileged),
    ),
  };
}

const userPermissionInput = {
  permissionIds: ids('Permission id').max(MAX_PERMISSIONS),
  userIds: ids('userId'),
  targetProjectForTenants,
  ...projectRouting,
};

/**
 * Changes the call makes: each user once in every place it lands. Project targets fan the same users out to
 * every listed tenant and project, and each is a change of its own for caps and budgets.
 */
const userCount = (args: { userIds: string[]; targetProjectForTenants?: TargetProjectForTenant[] | undefined }) =>
  new Set(args.userIds).size * Math.max(1, args.targetProjectForTenants?.length ?? 0);

const toAssignments = (args: { permissionIds: string[]; userIds: string[] }) =>
  args.permissionIds.map((permissionId) => ({ permissionId, userIds: [...new Set(args.userIds)] }));

export const assignPermissionsToUsers = defineTool({
  name: 'assign_permissions_to_users',
  title: 'Assign permissions to users',
  description: 'Grants permissions directly to users.',
  classification: 'access',
  inputSchema: userPermissionInput,
  outputSchema: assignmentOut,
  itemCount: userCount,
  tenantsInArgs: tenantsOf,
  journal: usersJournal((args: { userIds: string[] }) => args.userIds),
  preview: (args, ctx, read) => userPermissionPreview(ctx, args, true, read),
  handler: async (args, ctx) => {
    const result = await ctx.api.assignPermissionsToUsers(
      toAssignments(args),
      assignmentOptions(ctx, args.targetProjectForTenants),
    );
    return assignmentOutput('Assign permissions', result, ctx.fence);
  },
});

export const removePermissionsFromUsers = defineTool({
  name: 'remove_permissions_from_users',
  title: 'Remove permissions from users',
  description: 'Revokes permissions granted directly to users (not those a user group grants).',
  classification: 'access',
  inputSchema: userPermissionInput,
  outputSchema: assignmentOut,
  itemCount: userCount,
  tenantsInArgs: tenantsOf,
  journal: usersJournal((args: { userIds: string[] }) => args.userIds),
  preview: (args, ctx, read) => userPermissionPreview(ctx, args, false, read),
  handler: async (args, ctx) => {
    const result = await ctx.api.removePermissionsFromUsers(
      toAssignments(args),
      assignmentOptions(ctx, args.targetProjectForTenants),
    );
    return assignmentOutput('Remove permissions', result, ctx.fence);
  },
});

/**
 * Users joining or leaving a group, read where the change lands: the group itself (name, description, what it
 * grants, its members), and for each user who they are, what they hold and through which paths, and what they
 * can newly use or no longer use (a permission the group grants that another group or a direct grant also
 * gives is not lost). One directory read per place, whatever the number of users.
 */
async function membershipPreview(
  ctx: ToolContext,
  args: { userGroupId: string; userIds: string[]; targetProjectForTenants?: TargetProjectForTenant[] | undefined },
  join: boolean,
  read: PreviewRead,
): Promise<ImpactPreview> {
  const places = placesOf(ctx, args.targetProjectForTenants);
  const perPlace = await Promise.all(places.map((place) => membershipAt(place, args, join, read)));
  const [first] = perPlace as [(typeof perPlace)[number]];
  const targets = perPlace.flatMap((r) => r.targets);
  const users = new Set(args.userIds).size;
  const groupName = first.groupName;
  return {
    summary: `${join ? 'Add' : 'Remove'} ${countPhrase(users, 'user', Math.max(...perPlace.map((r) => r.missing)))} ${join ? 'to' : 'from'} group ${groupName === undefined ? args.userGroupId : quoted(groupName)}${placesPhrase(places)}`,
    targets,
    fingerprint: fingerprintOf(targets, args.userGroupId),
    ...effectFields(
      undefined,
      perPlace.flatMap((r) => r.privileged),
    ),
  };
}

/** How a person's membership in the group reads in a change phrase. */
const MEMBERSHIP_NOUN = {
  'by-hand': 'a member',
  'all-users': 'a member (all users)',
  dynamic: 'a member (dynamic filter)',
};

/** One place's share of a membership preview: the group and the users as they are there. */
async function membershipAt(
  place: Place,
  args: { userGroupId: string; userIds: string[] },
  join: boolean,
  read: PreviewRead,
): Promise<{ targets: ImpactTarget[]; missing: number; privileged: string[]; groupName: string | undefined }> {
  const view = await previewAccess(place.ctx, read);
  const { snapshot, catalogue } = view;
  const group = snapshot.groups.get(args.userGroupId);
  const groupName = group?.displayName;
  // Removing by hand takes out only a member added by hand: an all-users or dynamic-filter member stays.
  const change: PaperChange = {
    groups: (userId, inGroups) =>
      join
        ? [...new Set([...inGroups, args.userGroupId])]
        : inGroups.filter((g) => g !== args.userGroupId || membershipIn(snapshot, userId, g) !== 'by-hand'),
  };
  const privileged: string[] = [];
  const userTargets = [...new Set(args.userIds)].map((userId): ImpactTarget => {
    const user = snapshot.users.get(userId);
    if (!user) return placed(place, missingUser(userId));
    const kind = membershipIn(snapshot, userId, args.userGroupId);
    const effect = personEffect(snapshot, userId, change);
    const gainedPrivileged = catalogue.privileged(effect.gained);
    privileged.push(...gainedPrivileged);
    const what = join
      ? kind === undefined
        ? 'joins the group'
        : `already ${MEMBERSHIP_NOUN[kind]}: no change`
      : kind === 'by-hand'
        ? 'leaves the group'
        : kind === undefined
          ? 'not a member: no change'
          : `stays ${MEMBERSHIP_NOUN[kind]}: no change`;
    return placed(
      place,
      personTarget(view, user, what, effect, escalation(gainedPrivileged, 'joins a group granting')),
    );
  });
  const groupTarget: ImpactTarget = group
    ? {
        kind: 'user-group',
        id: args.userGroupId,
        name: groupName,
        before: [
          groupIdentityLine(group),
          `permissions: ${catalogue.describe(group.permissionIds)}`,
          ...membershipLines(group.users),
        ],
      }
    : missingGroup(args.userGroupId);
  return {
    targets: [placed(place, groupTarget), ...userTargets],
    missing: userTargets.filter((t) => t.missing).length,
    privileged,
    groupName,
  };
}

const membershipInput = {
  userGroupId: id('User group id'),
  userIds: ids('userId'),
  targetProjectForTenants,
  ...projectRouting,
};

const toChanges = (args: { userGroupId: string; userIds: string[] }) => [
  { userGroupId: args.userGroupId, userIds: [...new Set(args.userIds)] },
];

export const addUsersToGroup = defineTool({
  name: 'add_users_to_group',
  title: 'Add users to group',
  description: 'Adds users to a user group; they gain what the group grants.',
  classification: 'access',
  inputSchema: membershipInput,
  outputSchema: assignmentOut,
  itemCount: userCount,
  tenantsInArgs: tenantsOf,
  journal: groupsJournal((args: { userGroupId: string }) => [args.userGroupId]),
  preview: (args, ctx, read) => membershipPreview(ctx, args, true, read),
  handler: async (args, ctx) => {
    const result = await ctx.api.addUsersToGroups(
      toChanges(args),
      assignmentOptions(ctx, args.targetProjectForTenants),
    );
    return assignmentOutput('Add users to group', result, ctx.fence);
  },
});

export const removeUsersFromGroup = defineTool({
  name: 'remove_users_from_group',
  title: 'Remove users from group',
  description: 'Removes users from a user group; they lose what the group grants.',
  classification: 'access',
  inputSchema: membershipInput,
  outputSchema: assignmentOut,
  itemCount: userCount,
  tenantsInArgs: tenantsOf,
  journal: groupsJournal((args: { userGroupId: string }) => [args.userGroupId]),
  preview: (args, ctx, read) => membershipPreview(ctx, args, false, read),
  handler: async (args, ctx) => {
    const result = await ctx.api.removeUsersFromGroups(
      toChanges(args),
      assignmentOptions(ctx, args.targetProjectForTenants),
    );
    return assignmentOutput('Remove users from group', result, ctx.fence);
  },
});

/**
 * A group whose permissions change: what it grants now and after, the people it reaches, and for each member what
 * they can newly use or no longer use (a permission another path still gives them is not lost). One directory
 * read, whatever the number of members.
 */
async function groupPermissionPreview(
  ctx: ToolContext,
  args: { userGroupId: string; permissionIds: string[] },
  grant: boolean,
  read: PreviewRead,
): Promise<ImpactPreview> {
  const view = await previewAccess(ctx, read);
  const { snapshot, catalogue } = view;
  const group = snapshot.groups.get(args.userGroupId);
  if (!group) {
    const targets = [missingGroup(args.userGroupId)];
    return {
      summary: `${grant ? 'Grant' : 'Revoke'} permissions on group ${args.userGroupId}`,
      targets,
      fingerprint: fingerprintOf(targets, args.permissionIds),
    };
  }
  const held = [...group.permissionIds].sort();
  const existing = args.permissionIds.filter((p) => snapshot.permissions.has(p));
  const after = grant ? [...new Set([...held, ...existing])] : held.filter((p) => !existing.includes(p));
  const change: PaperChange = { grants: (id, granted) => (id === args.userGroupId ? after : granted) };
  const reach = await reachOf(ctx, [group.users], snapshot);
  // The group's own target says it grants a privileged permission and to how many: each member's line says what
  // they newly get, unmarked, so a tenant-wide grant still groups into a line a person can read.
  const memberTargets = (snapshot.members.get(args.userGroupId) ?? []).flatMap((userId): ImpactTarget[] => {
    const user = snapshot.users.get(userId);
    if (!user) return [];
    const lines = effectLines(view, personEffect(snapshot, userId, change));
    return [
      {
        kind: 'user',
        id: userId,
        name: user.displayName ?? user.username,
        before: [identityLine(user), ...accessLines(view, userId)],
        after: lines,
        change: ['member of the group', ...lines].join('; '),
      },
    ];
  });
  const newlyGranted = catalogue.privileged(existing.filter((p) => grant && !held.includes(p)));
  const targets: ImpactTarget[] = [
    {
      kind: 'user-group',
      id: args.userGroupId,
      name: group.displayName,
      before: [groupIdentityLine(group), `permissions: ${catalogue.describe(held)}`, ...membershipLines(group.users)],
      after: [`permissions: ${catalogue.describe(after)}`],
      ...(newlyGranted.length
        ? { elevated: [`grants privileged ${quotedList(newlyGranted)} to ${reach.phrase}`] }
        : {}),
    },
    ...args.permissionIds
      .filter((p) => !snapshot.permissions.has(p))
      .map((p): ImpactTarget => ({ kind: 'permission', id: p, missing: true, before: ['no such permission'] })),
    ...memberTargets,
  ];
  return {
    summary: `${grant ? 'Grant' : 'Revoke'} ${catalogue.describe(args.permissionIds)} ${grant ? 'to' : 'from'} group ${group.displayName === undefined ? args.userGroupId : quoted(group.displayName)} (${reach.phrase})`,
    targets,
    fingerprint: fingerprintOf(targets, args.permissionIds),
    ...effectFields(reach, newlyGranted),
  };
}

const groupPermissionInput = {
  userGroupId: id('User group id'),
  permissionIds: ids('Permission id').max(MAX_PERMISSIONS),
  ...projectRouting,
};

const groupPermissionOut = {
  tenantCode: z.string().optional(),
  status: z.string(),
  succeeded: z.number().int().describe("1 when Visier reported 'Succeed', else 0"),
  failed: z.number().int().describe("1 when Visier reported anything but 'Succeed', else 0"),
  message: z.string().optional(),
  userGroups: z.array(
    z.object({ userGroupId: z.string(), displayName: z.string().optional(), permissions: z.array(permissionRefOut) }),
  ),
};

/** One tenant's status, as for user assignments: anything but `Succeed` is an error result. */
function groupPermissionOutput(verb: string, result: GroupPermissionsResult, fence: ToolContext['fence']) {
  const lines = result.userGroups.map(
    (g) =>
      `${g.userGroupId}${g.displayName ? ` ${quoted(g.displayName)}` : ''} permissions: ${g.permissions.map((p) => p.permissionId).join(', ') || 'none'}`,
  );
  const failed = result.status === 'Succeed' ? 0 : 1;
  return {
    text: fencedText(`${verb}: ${result.status}${result.message ? ` - ${result.message}` : ''}.`, lines, { fence }),
    structured: { ...result, succeeded: 1 - failed, failed },
    isError: failed > 0,
  };
}

const toGroupChanges = (args: { userGroupId: string; permissionIds: string[] }) => [
  { userGroupId: args.userGroupId, permissionIds: [...new Set(args.permissionIds)] },
];

export const assignPermissionsToGroup = defineTool({
  name: 'assign_permissions_to_group',
  title: 'Assign permissions to group',
  description: 'Grants permissions to a user group and so to all its members.',
  classification: 'access',
  inputSchema: groupPermissionInput,
  outputSchema: groupPermissionOut,
  journal: groupsJournal((args: { userGroupId: string }) => [args.userGroupId]),
  preview: (args, ctx, read) => groupPermissionPreview(ctx, args, true, read),
  handler: async (args, ctx) => {
    const result = await ctx.api.assignPermissionsToGroups(toGroupChanges(args), ctx.call);
    return groupPermissionOutput('Assign permissions to group', result, ctx.fence);
  },
});

export const removePermissionsFromGroup = defineTool({
  name: 'remove_permissions_from_group',
  title: 'Remove permissions from group',
  description: 'Revokes permissions from a user group and so from its members.',
  classification: 'access',
  inputSchema: groupPermissionInput,
  outputSchema: groupPermissionOut,
  journal: groupsJournal((args: { userGroupId: string }) => [args.userGroupId]),
  preview: (args, ctx, read) => groupPermissionPreview(ctx, args, false, read),
  handler: async (args, ctx) => {
    const result = await ctx.api.removePermissionsFromGroups(toGroupChanges(args), ctx.call);
    return groupPermissionOutput('Remove permissions from group', result, ctx.fence);
  },
});

export const ACCESS_TOOLS = [
  assignPermissionsToUsers,
  removePermissionsFromUsers,
  addUsersToGroup,
  removeUsersFromGroup,
  assignPermissionsToGroup,
  removePermissionsFromGroup,
];
