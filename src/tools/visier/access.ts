import { z } from 'zod';
import type { ImpactPreview, ImpactTarget } from '../../contract/tool.js';
import { counted } from '../../grammar.js';
import type {
  AssignmentResult,
  GroupPermissionsResult,
  IdUsers,
  TargetProjectForTenant,
  User,
} from '../../providers/visier/api.js';
import { fencedText, quoted, quotedList } from '../shared/format.js';
import { defineTool, type ToolContext } from './define.js';
import { id, ids, projectRouting, targetProjectForTenants } from './fields.js';
import { groupsJournal, usersJournal } from './journal-state.js';
import { type PermissionCatalogue, permissionCatalogue } from './permission-catalogue.js';
import { type Place, placed, placesOf, placesPhrase } from './places.js';
import {
  countPhrase,
  currentGroups,
  currentUsers,
  describeRefs,
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

/** Users who gain or lose permissions, read where the change lands: who each is, what each holds now and after. */
async function userPermissionPreview(
  ctx: ToolContext,
  args: { permissionIds: string[]; userIds: string[]; targetProjectForTenants?: TargetProjectForTenant[] | undefined },
  grant: boolean,
): Promise<ImpactPreview> {
  const places = placesOf(ctx, args.targetProjectForTenants);
  const read = await Promise.all(
    places.map(async (place) => {
      const [catalogue, users] = await Promise.all([
        permissionCatalogue(place.ctx),
        currentUsers(place.ctx, args.userIds, { permissions: true }),
      ]);
      const privileged = grant ? catalogue.privileged(args.permissionIds) : [];
      const userTargets = users.map(({ userId, user }) =>
        placed(
          place,
          user ? permissionChange(user, args.permissionIds, grant, catalogue, privileged) : missingUser(userId),
        ),
      );
      const targets: ImpactTarget[] = [
        ...args.permissionIds
          .filter((p) => !catalogue.has(p))
          .map((p) => placed(place, { kind: 'permission', id: p, missing: true, before: ['no such permission'] })),
        ...userTargets,
      ];
      return {
        catalogue,
        targets,
        missing: users.filter((u) => !u.user).length,
        privileged: userTargets.some((t) => t.elevated) ? privileged : [],
      };
    }),
  );
  const [first] = read as [(typeof read)[number]];
  const targets = read.flatMap((r) => r.targets);
  const users = new Set(args.userIds).size;
  return {
    summary: `${grant ? 'Grant' : 'Revoke'} ${first.catalogue.describe(args.permissionIds)} ${grant ? 'to' : 'from'} ${countPhrase(users, 'user', Math.max(...read.map((r) => r.missing)))}${placesPhrase(places)}`,
    targets,
    fingerprint: fingerprintOf(targets, args.permissionIds),
    ...effectFields(
      undefined,
      read.flatMap((r) => r.privileged),
    ),
  };
}

function permissionChange(
  user: User,
  permissionIds: string[],
  grant: boolean,
  catalogue: PermissionCatalogue,
  privileged: string[],
): ImpactTarget {
  const held = (user.permissions ?? []).map((p) => ({ id: p.permissionId, name: p.displayName }));
  const gained = grant ? permissionIds.filter((p) => !held.some((h) => h.id === p)) : [];
  const lost = grant ? [] : held.filter((h) => permissionIds.includes(h.id));
  const after = grant
    ? [...held, ...gained.map((p) => ({ id: p, name: catalogue.name(p) }))]
    : held.filter((h) => !permissionIds.includes(h.id));
  return {
    kind: 'user',
    id: user.userId,
    name: user.displayName ?? user.username,
    before: [identityLine(user), `permissions: ${describeRefs(held)}`],
    after: [`permissions: ${describeRefs(after)}`],
    change: grant
      ? gained.length > 0
        ? `gains permissions ${catalogue.describe(gained)}`
        : 'already holds them: no change'
      : lost.length > 0
        ? `loses permissions ${describeRefs(lost)}`
        : 'holds none of them: no change',
    ...(gained.length && privileged.length ? { elevated: [`gains privileged ${quotedList(privileged)}`] } : {}),
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
  preview: (args, ctx) => userPermissionPreview(ctx, args, true),
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
  preview: (args, ctx) => userPermissionPreview(ctx, args, false),
  handler: async (args, ctx) => {
    const result = await ctx.api.removePermissionsFromUsers(
      toAssignments(args),
      assignmentOptions(ctx, args.targetProjectForTenants),
    );
    return assignmentOutput('Remove permissions', result, ctx.fence);
  },
});

/**
 * Users joining or leaving a group, read where the change lands: who each is, their groups now and after, and
 * the group itself (name, description, what it grants, its members).
 */
async function membershipPreview(
  ctx: ToolContext,
  args: { userGroupId: string; userIds: string[]; targetProjectForTenants?: TargetProjectForTenant[] | undefined },
  join: boolean,
): Promise<ImpactPreview> {
  const places = placesOf(ctx, args.targetProjectForTenants);
  const read = await Promise.all(places.map((place) => membershipAt(place, args, join)));
  const [first] = read as [(typeof read)[number]];
  const targets = read.flatMap((r) => r.targets);
  const users = new Set(args.userIds).size;
  const groupName = first.groupName;
  return {
    summary: `${join ? 'Add' : 'Remove'} ${countPhrase(users, 'user', Math.max(...read.map((r) => r.missing)))} ${join ? 'to' : 'from'} group ${groupName === undefined ? args.userGroupId : quoted(groupName)}${placesPhrase(places)}`,
    targets,
    fingerprint: fingerprintOf(targets, args.userGroupId),
    ...effectFields(
      undefined,
      read.flatMap((r) => r.privileged),
    ),
  };
}

/** One place's share of a membership preview: the group and the users as they are there. */
async function membershipAt(
  place: Place,
  args: { userGroupId: string; userIds: string[] },
  join: boolean,
): Promise<{ targets: ImpactTarget[]; missing: number; privileged: string[]; groupName: string | undefined }> {
  const [[group], users, catalogue] = await Promise.all([
    currentGroups(place.ctx, [args.userGroupId]),
    currentUsers(place.ctx, args.userIds, { userGroups: true }),
    permissionCatalogue(place.ctx),
  ]);
  const definition = group?.group;
  const groupName = definition?.displayName;
  const granted = definition?.permissionIds ?? [];
  // In words, as the human approving it reads it: joining a group grants everything the group grants.
  const grants = `permissions: ${catalogue.describe(granted)}`;
  const privileged = join ? catalogue.privileged(granted) : [];
  const userTargets = users.map(({ userId, user }): ImpactTarget => {
    if (!user) return placed(place, missingUser(userId));
    const held = (user.userGroups ?? []).map((g) => ({ id: g.userGroupId, name: g.displayName }));
    const joins = join && !held.some((h) => h.id === args.userGroupId);
    const after = join
      ? joins
        ? [...held, { id: args.userGroupId, name: groupName }]
        : held
      : held.filter((h) => h.id !== args.userGroupId);
    return placed(place, {
      kind: 'user',
      id: userId,
      name: user.displayName ?? user.username,
      before: [identityLine(user), `user groups: ${describeRefs(held)}`],
      after: [`user groups: ${describeRefs(after)}`, `${join ? 'gains' : 'loses'} what the group grants (${grants})`],
      change: join
        ? joins
          ? `joins the group, gaining ${grants}`
          : 'already a member: no change'
        : after.length < held.length
          ? `leaves the group, losing ${grants}`
          : 'not a member: no change',
      ...(joins && privileged.length
        ? { elevated: [`joins a group granting privileged ${quotedList(privileged)}`] }
        : {}),
    });
  });
  const groupTarget: ImpactTarget = definition
    ? {
        kind: 'user-group',
        id: args.userGroupId,
        name: groupName,
        before: [groupIdentityLine(definition), grants, ...membershipLines(definition.users)],
      }
    : missingGroup(args.userGroupId);
  return {
    targets: [placed(place, groupTarget), ...userTargets],
    missing: users.filter((u) => !u.user).length,
    privileged: userTargets.some((t) => t.elevated) ? privileged : [],
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
  preview: (args, ctx) => membershipPreview(ctx, args, true),
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
  preview: (args, ctx) => membershipPreview(ctx, args, false),
  handler: async (args, ctx) => {
    const result = await ctx.api.removeUsersFromGroups(
      toChanges(args),
      assignmentOptions(ctx, args.targetProjectForTenants),
    );
    return assignmentOutput('Remove users from group', result, ctx.fence);
  },
});

/** A group whose permissions change: what it grants now and after, and the people its members count. */
async function groupPermissionPreview(
  ctx: ToolContext,
  args: { userGroupId: string; permissionIds: string[] },
  grant: boolean,
): Promise<ImpactPreview> {
  const [catalogue, [current]] = await Promise.all([permissionCatalogue(ctx), currentGroups(ctx, [args.userGroupId])]);
  const group = current?.group;
  if (!group) {
    const targets = [missingGroup(args.userGroupId)];
    return {
      summary: `${grant ? 'Grant' : 'Revoke'} permissions on group ${args.userGroupId}`,
      targets,
      fingerprint: fingerprintOf(targets, args.permissionIds),
    };
  }
  const held = [...(group.permissionIds ?? [])].sort();
  const after = grant
    ? [...new Set([...held, ...args.permissionIds])]
    : held.filter((p) => !args.permissionIds.includes(p));
  const privileged = grant ? catalogue.privileged(args.permissionIds.filter((p) => !held.includes(p))) : [];
  const reach = await reachOf(ctx, [group.users]);
  const targets: ImpactTarget[] = [
    {
      kind: 'user-group',
      id: args.userGroupId,
      name: group.displayName,
      before: [groupIdentityLine(group), `permissions: ${catalogue.describe(held)}`, ...membershipLines(group.users)],
      after: [`permissions: ${catalogue.describe(after)}`],
      ...(privileged.length ? { elevated: [`grants privileged ${quotedList(privileged)} to ${reach.phrase}`] } : {}),
    },
    ...args.permissionIds
      .filter((p) => !catalogue.has(p))
      .map((p): ImpactTarget => ({ kind: 'permission', id: p, missing: true, before: ['no such permission'] })),
  ];
  return {
    summary: `${grant ? 'Grant' : 'Revoke'} ${catalogue.describe(args.permissionIds)} ${grant ? 'to' : 'from'} group ${group.displayName === undefined ? args.userGroupId : quoted(group.displayName)} (${reach.phrase})`,
    targets,
    fingerprint: fingerprintOf(targets, args.permissionIds),
    ...effectFields(reach, privileged),
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
  preview: (args, ctx) => groupPermissionPreview(ctx, args, true),
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
  preview: (args, ctx) => groupPermissionPreview(ctx, args, false),
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
