import { z } from 'zod';
import type { PrivilegedPolicy } from '../../contract/tool.js';
import { counted } from '../../grammar.js';
import type { Permission } from '../../providers/visier/api.js';
import type { DirectoryGroup, DirectorySnapshot, DirectoryUser } from '../../providers/visier/directory.js';
import { ToolArgumentError } from '../shared/errors.js';
import { userLine, withLastLoginIso } from '../shared/format.js';
import {
  accessOf,
  groupLine,
  heldGroupOut,
  heldPermissionOut,
  heldProfileOut,
  isPrivileged,
  named,
  pathOut,
  pathPhrase,
  permissionLine,
  profileLine,
  type UserAccess,
} from './access-paths.js';
import { type PlanRouting, type PlanStep, planLines, planOut, planStep } from './access-plan.js';
import { answerText } from './answer-text.js';
import { defineTool, type ToolContext } from './define.js';
import { name, projectRouting } from './fields.js';
import { asOfOut, freshness } from './freshness.js';
import { listPermissions } from './permissions.js';
import { userGroupRefOut, userOut } from './schemas.js';
import { candidatesOut, candidatesOutput, resolveUser, userReference } from './user-reference.js';

// One user's access in one call, from the directory snapshot: every permission and each path to it; or, for one
// permission, yes or no, the paths, or the smallest change that would grant it, as a plan that is not applied.

/** The permission `reference` names: its id, else its display name (case aside). Throws naming `permission`. */
function resolvePermission(snapshot: DirectorySnapshot, reference: string): Permission {
  const byId = snapshot.permissions.get(reference);
  if (byId) return byId;
  const wanted = reference.toLowerCase();
  const found = [...snapshot.permissions.values()].filter((p) => p.displayName?.toLowerCase() === wanted);
  if (found.length === 1) return found[0] as Permission;
  if (found.length === 0) {
    throw new ToolArgumentError(
      'permission',
      `no permission has this id or display name (exact, case aside); ${listPermissions.name} finds permissions by part of a name`,
    );
  }
  throw new ToolArgumentError(
    'permission',
    `${counted(found.length, 'permission')} have this display name (${found.map((p) => p.permissionId).join(', ')}); call again with one id`,
  );
}

/**
 * The group to join for `permissionId`: one that grants it, that the person is not in, that adds people by hand
 * (an all-users group already has everyone it may have), and that grants no other privileged permission the
 * person lacks; of those, the one granting the fewest permissions the person lacks. Undefined when none is.
 */
export function groupToJoin(
  snapshot: DirectorySnapshot,
  access: UserAccess,
  permissionId: string,
  policy: PrivilegedPolicy,
): { group: DirectoryGroup; extras: string[] } | undefined {
  const held = new Set(access.permissions.map((p) => p.permissionId));
  const memberOf = new Set(access.groups.map((g) => g.userGroupId));
  const candidates = [...snapshot.groups.values()]
    .filter((g) => g.permissionIds.includes(permissionId) && !memberOf.has(g.userGroupId) && !g.users?.includeAllUsers)
    .map((group) => ({
      group,
      extras: [...new Set(group.permissionIds)].filter((p) => p !== permissionId && !held.has(p)),
    }))
    .filter(({ extras }) => !extras.some((p) => isPrivileged(snapshot, policy, p)));
  candidates.sort(
    (a, b) =>
      a.extras.length - b.extras.length ||
      (a.group.displayName ?? '').localeCompare(b.group.displayName ?? '') ||
      a.group.userGroupId.localeCompare(b.group.userGroupId),
  );
  return candidates[0];
}

const permissionOut = z.object({
  permissionId: z.string(),
  displayName: z.string().optional(),
  privileged: z.boolean(),
});

interface OneUser {
  snapshot: DirectorySnapshot;
  user: DirectoryUser;
  access: UserAccess;
  phrase: string;
  routing: PlanRouting;
}

const DISABLED_EFFECT = "Visier applies none of this user's access until the account is re-enabled";

function everything({ snapshot, user, access, phrase }: OneUser, ctx: ToolContext) {
  const privileged = access.permissions.filter((p) => p.privileged).length;
  const header = [
    user.accountEnabled === false ? `Account disabled: ${DISABLED_EFFECT}.` : '',
    `User ${user.userId}: ${counted(access.permissions.length, 'permission')} (${privileged} privileged), ${counted(access.groups.length, 'group')}, ${counted(access.profiles.length, 'profile')}; ${phrase}.`,
  ]
    .filter(Boolean)
    .join('\n');
  const lines = [
    userLine(user),
    ...access.permissions.map(permissionLine),
    ...access.groups.map((g) => groupLine(snapshot, g)),
    ...access.profiles.map(profileLine),
  ];
  return {
    text: answerText(header, lines, ctx),
    structured: { permissions: access.permissions, groups: access.groups, profiles: access.profiles },
  };
}

function onePermission(one: OneUser, permission: Permission, ctx: ToolContext) {
  const { snapshot, user, access, phrase, routing } = one;
  const enabled = user.accountEnabled !== false;
  const privileged = ctx.privileged.isPrivileged(permission);
  const permissionId = permission.permissionId;
  const held = access.permissions.find((p) => p.permissionId === permissionId);
  const granting = [...snapshot.groups.values()].filter((g) => g.permissionIds.includes(permissionId));
  const plan: PlanStep[] = [];
  if (!enabled) {
    plan.push(planStep.enableAccount(user.userId, routing, `re-enable the account: ${DISABLED_EFFECT}`));
  }
  let change = '';
  if (!held) {
    const join = groupToJoin(snapshot, access, permissionId, ctx.privileged);
    if (join) {
      const extras = join.extras.map((p) => named(p, snapshot.permissions.get(p)?.displayName)).join(', ');
      change = `add the user to group ${join.group.userGroupId}`;
      plan.push(
        planStep.joinGroup(
          join.group.userGroupId,
          [user.userId],
          routing,
          `group ${named(join.group.userGroupId, join.group.displayName)} grants ${named(permissionId, permission.displayName)}${extras ? `, and also ${extras}` : ' and nothing else the user lacks'}`,
        ),
      );
    } else {
      change = 'grant it directly';
      plan.push(
        planStep.grant(
          [permissionId],
          [user.userId],
          routing,
          granting.length === 0
            ? 'no group grants it'
            : 'every group that grants it (and adds people by hand) also grants another privileged permission the user lacks',
        ),
      );
    }
  }
  const paths = held?.paths ?? [];
  const header = held
    ? enabled
      ? `Yes: user ${user.userId} holds permission ${permissionId} (${counted(paths.length, 'path')}); ${phrase}.`
      : `No: the account of user ${user.userId} is disabled, and ${DISABLED_EFFECT}. It holds permission ${permissionId} (${counted(paths.length, 'path')}), which applies again once the account is re-enabled (plan below, not applied); ${phrase}.`
    : `No: user ${user.userId} does not hold permission ${permissionId}. Smallest change: ${enabled ? '' : 're-enable the account, then '}${change} (plan below, not applied); ${phrase}.`;
  const lines = [
    userLine(user),
    `permission ${named(permissionId, permission.displayName)}${privileged ? ' [privileged]' : ''}`,
    ...(held
      ? paths.map((p) => `path: ${pathPhrase(p)}`)
      : [
          `missing: no direct grant, and in no group that grants it; groups that grant it: ${granting.map((g) => named(g.userGroupId, g.displayName)).join(', ') || 'none'}`,
        ]),
    ...planLines(plan),
  ];
  return {
    text: answerText(header, lines, ctx),
    structured: {
      permission: {
        permissionId,
        ...(permission.displayName !== undefined ? { displayName: permission.displayName } : {}),
        privileged,
      },
      holds: held !== undefined,
      applies: held !== undefined && enabled,
      paths,
      grantingGroups: granting.map((g) => ({
        userGroupId: g.userGroupId,
        ...(g.displayName !== undefined ? { displayName: g.displayName } : {}),
      })),
      plan,
    },
  };
}

export const explainUserAccess = defineTool({
  name: 'explain_user_access',
  title: 'Explain user access',
  description:
    "One user's permissions and where each comes from; for one permission, yes or no and the smallest change that grants it.",
  classification: 'read',
  inputSchema: {
    userId: userReference('The user'),
    permission: name('Permission id or display name (exact, case aside)').optional(),
    ...projectRouting,
  },
  outputSchema: {
    asOf: asOfOut,
    ...candidatesOut,
    user: userOut.optional(),
    permissions: z
      .array(heldPermissionOut)
      .optional()
      .describe('Without `permission`: every permission held, with every path'),
    groups: z.array(heldGroupOut).optional(),
    profiles: z.array(heldProfileOut).optional(),
    permission: permissionOut.optional(),
    holds: z.boolean().optional().describe('With `permission`: whether any path grants it'),
    applies: z.boolean().optional().describe('With `permission`: it is held and the account is enabled'),
    paths: z.array(pathOut).optional(),
    grantingGroups: z.array(userGroupRefOut).optional().describe('With `permission`: every group that grants it'),
    plan: planOut.optional(),
  },
  // Without `permission` the answer is the user's whole access: the approval view draws it as a tree.
  accessTree: ({ user, permissions, groups }) => {
    if (user === undefined || permissions === undefined) return undefined;
    const held = new Map(permissions.map((p) => [p.permissionId, p]));
    const node = (permissionId: string) => {
      const p = held.get(permissionId);
      return {
        id: permissionId,
        ...(p?.displayName === undefined ? {} : { name: p.displayName }),
        privileged: p?.privileged ?? false,
      };
    };
    return {
      user: { id: user.userId, ...(user.displayName === undefined ? {} : { name: user.displayName }) },
      direct: permissions.filter((p) => p.paths.some((path) => path.via === 'direct')).map((p) => node(p.permissionId)),
      groups: (groups ?? []).map((g) => ({
        id: g.userGroupId,
        ...(g.displayName === undefined ? {} : { name: g.displayName }),
        permissions: g.permissionIds.map(node),
      })),
    };
  },
  handler: async (args, ctx) => {
    const snapshot = await ctx.api.directory(ctx.call);
    const fresh = freshness(snapshot);
    const { asOf, phrase } = fresh;
    // The permission is checked first: a wrong one is the caller's to fix whoever the user turns out to be.
    const permission = args.permission === undefined ? undefined : resolvePermission(snapshot, args.permission);
    const resolved = resolveUser(snapshot, args.userId, 'userId');
    if (!('user' in resolved)) return candidatesOutput('userId', resolved, ctx, fresh);
    const one: OneUser = {
      snapshot,
      user: resolved.user,
      access: accessOf(snapshot, resolved.user.userId, ctx.privileged),
      phrase,
      routing: args,
    };
    const answer = permission ? onePermission(one, permission, ctx) : everything(one, ctx);
    return {
      text: answer.text,
      structured: { asOf, user: withLastLoginIso({ ...resolved.user }), ...answer.structured },
    };
  },
});
