import { z } from 'zod';
import type { ImpactTarget } from '../../contract/tool.js';
import { counted } from '../../grammar.js';
import { effectiveAccess, sameName, type User } from '../../providers/sisense/domain.js';
import { ToolArgumentError } from '../shared/errors.js';
import { fencedText, pageHeader, quoted } from '../shared/format.js';
import { localPage } from '../shared/paging.js';
import { fingerprint, fingerprintOf } from '../visier/preview.js';
import { defineTool, siteOf } from './define.js';
import { cursor, email, groups, limit, pageOutput, personName, routing, search, userId } from './fields.js';
import {
  currentUser,
  dryRun,
  fullName,
  grantNames,
  groupsLine,
  identityOf,
  joinsPrivileged,
  missingUser,
  privilegedAmong,
  siteGroups,
  userBefore,
} from './preview.js';
import { userOut } from './schemas.js';

const LIST_MAX = 1000;
const LIST_DEFAULT = 100;

/** A user as tools show it: `userId` is the e-mail, as the arguments name it. */
export function userView(user: User) {
  return { userId: user.email, ...user };
}

export function userLine(user: User): string {
  return `${identityOf(user)} ${groupsLine(user.groups)}`;
}

function matches(user: User, needle: string): boolean {
  return [user.email, user.firstName, user.lastName, [user.firstName, user.lastName].join(' ')].some((v) =>
    v?.toLowerCase().includes(needle),
  );
}

export const listUsers = defineTool({
  name: 'list_users',
  title: 'List users',
  description: "Lists a site's users with their groups, one page at a time, optionally only those matching a search.",
  classification: 'read',
  inputSchema: {
    search: search.describe('Case-insensitive text to find in e-mail, first or last name'),
    limit: limit(LIST_MAX, LIST_DEFAULT),
    cursor,
    ...routing,
  },
  outputSchema: { users: z.array(userOut), ...pageOutput },
  handler: async (args, ctx) => {
    const { client, options } = siteOf(ctx);
    // The API pages by its own cursor and cannot filter: the whole directory is read, then paged here.
    const all = await client.listUsers(options);
    const needle = args.search?.toLowerCase();
    const found = needle === undefined ? all : all.filter((u) => matches(u, needle));
    const page = localPage(found, userLine, args, LIST_DEFAULT, ctx);
    return {
      text: fencedText(
        pageHeader(counted(page.items.length, 'user'), page.nextCursor, page.cappedBySize),
        page.lines,
        ctx,
      ),
      structured: {
        users: page.items.map(userView),
        returned: page.items.length,
        ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
      },
    };
  },
});

export const getUser = defineTool({
  name: 'get_user',
  title: 'Get user',
  description: "Gets one user: name, groups with the access level each grants, and the user's effective access level.",
  classification: 'read',
  inputSchema: { userId, ...routing },
  outputSchema: {
    user: userOut.extend({
      accessLevel: z.string().optional().describe('Highest level of any of its groups: View < Discovery < SQL < Admin'),
      groupAccess: z.array(z.object({ name: z.string(), accessLevel: z.string().optional() })),
    }),
  },
  handler: async (args, ctx) => {
    const { client, options } = siteOf(ctx);
    const [user, all] = await Promise.all([client.getUser(args.userId, options), client.listGroups(options)]);
    const level = effectiveAccess(user, all);
    const groupAccess = user.groups.map((name) => {
      const group = all.find((g) => sameName(g.name, name));
      const grants = group?.privileged ? 'Admin' : group?.accessLevel;
      return { name, ...(grants === undefined ? {} : { accessLevel: grants }) };
    });
    const lines = [
      `identity: ${identityOf(user)}`,
      ...groupAccess.map((g) => `group ${quoted(g.name)}: ${g.accessLevel ?? 'access level unknown'}`),
    ];
    return {
      text: fencedText(`User ${args.userId} (effective access: ${level ?? 'unknown'}):`, lines, ctx),
      structured: { user: { ...userView(user), ...(level ? { accessLevel: level } : {}), groupAccess } },
    };
  },
});

const nameFields = {
  firstName: personName('First name'),
  lastName: personName('Last name'),
};

export const createUser = defineTool({
  name: 'create_user',
  title: 'Create user',
  description: 'Creates a user on a site, optionally in groups (by name); Sisense e-mails them an invitation.',
  classification: 'write',
  inputSchema: {
    userId: email('E-mail of the new user (Sisense keys users by e-mail)'),
    ...nameFields,
    groups: groups.optional(),
    invitedBy: email('E-mail of the site administrator the invitation comes from'),
    ...routing,
  },
  outputSchema: { user: userOut },
  effectDependsOnData: (args) => (args.groups?.length ?? 0) > 0,
  preview: async (args, ctx) => {
    const { client, options } = siteOf(ctx);
    const wanted = args.groups ?? [];
    const all = wanted.length ? await siteGroups(ctx) : [];
    const privileged = privilegedAmong(wanted, all);
    const answer = await dryRun(() => client.createUser(newUser(args), { ...options, dryRun: true }));
    const target: ImpactTarget = {
      kind: 'user',
      id: args.userId,
      name: `${args.firstName} ${args.lastName}`,
      after: [`identity: ${identityOf({ email: args.userId, ...args })}`, groupsLine(wanted), answer],
      ...(privileged.length ? { elevated: joinsPrivileged(privileged) } : {}),
    };
    return {
      summary: `Create user ${args.userId} on site ${ctx.call.site}${wanted.length ? ` in ${counted(wanted.length, 'group')}` : ''}`,
      targets: [target],
      fingerprint: fingerprint(['create_user', ctx.call.site, newUser(args)]),
      ...(wanted.length
        ? { classification: 'access' as const, classificationReason: 'joins groups, which grant access levels' }
        : {}),
      ...(privileged.length ? { privilegedGrants: grantNames(privileged) } : {}),
    };
  },
  handler: async (args, ctx) => {
    const { client, options } = siteOf(ctx);
    const done = await client.createUser(newUser(args), options);
    const user = done.value ?? {
      email: args.userId,
      firstName: args.firstName,
      lastName: args.lastName,
      groups: args.groups ?? [],
    };
    return { text: fencedText('Created:', [userLine(user)], ctx), structured: { user: userView(user) } };
  },
});

function newUser(args: {
  userId: string;
  firstName: string;
  lastName: string;
  groups?: string[] | undefined;
  invitedBy: string;
}) {
  return {
    email: args.userId,
    firstName: args.firstName,
    lastName: args.lastName,
    ...(args.groups === undefined ? {} : { groups: args.groups }),
    invitedByEmail: args.invitedBy,
  };
}

const SETS_GROUPS = 'sets the group list, and with it the access level';

export const updateUser = defineTool({
  name: 'update_user',
  title: 'Update user',
  description: "Changes a user's first or last name, or replaces their group list; omitted fields stay as they are.",
  classification: 'write',
  inputSchema: {
    userId,
    firstName: personName('New first name').optional(),
    lastName: personName('New last name').optional(),
    groups: groups.optional().describe('The complete new group list (replaces the current one; All Users is kept)'),
    ...routing,
  },
  outputSchema: { user: userOut },
  effectDependsOnData: (args) => args.groups !== undefined,
  preview: async (args, ctx) => {
    const { client, options } = siteOf(ctx);
    const user = await currentUser(ctx, args.userId);
    if (!user) {
      // The account may exist by the time the change is made (a create racing this call): a group list is
      // judged by what it grants, not by whom it finds now.
      const all = args.groups ? await siteGroups(ctx) : [];
      const privileged = privilegedAmong(args.groups ?? [], all);
      const targets = [
        { ...missingUser(args.userId), ...(privileged.length ? { elevated: joinsPrivileged(privileged) } : {}) },
      ];
      return {
        summary: `Update user ${args.userId}`,
        targets,
        fingerprint: fingerprintOf(targets),
        ...(args.groups ? { classification: 'access' as const, classificationReason: SETS_GROUPS } : {}),
        ...(privileged.length ? { privilegedGrants: grantNames(privileged) } : {}),
      };
    }
    const patch = patchOf(args);
    const joined = (args.groups ?? []).filter((g) => !user.groups.some((h) => sameName(g, h)));
    const left = args.groups ? user.groups.filter((h) => !args.groups!.some((g) => sameName(g, h))) : [];
    const all = args.groups ? await siteGroups(ctx) : [];
    const privileged = privilegedAmong(joined, all);
    const answer = await dryRun(() => client.updateUser(args.userId, patch, { ...options, dryRun: true }));
    const changed = Object.keys(patch);
    const after = [
      ...(args.firstName !== undefined || args.lastName !== undefined
        ? [`identity: ${identityOf({ ...user, ...patch })}`]
        : []),
      ...(args.groups ? [groupsLine([...args.groups].sort())] : []),
      answer,
    ];
    const targets: ImpactTarget[] = [
      {
        kind: 'user',
        id: user.email,
        ...(fullName(user) ? { name: fullName(user) } : {}),
        before: userBefore(user),
        after,
        ...(privileged.length ? { elevated: joinsPrivileged(privileged) } : {}),
      },
    ];
    const membership = joined.length + left.length > 0;
    return {
      summary: `Update ${changed.join(', ') || 'nothing'} of user ${user.email}`,
      targets,
      fingerprint: fingerprintOf(targets, ctx.call.site),
      // Any group list is an access change: the PUT replaces the list as it is when the change lands, which may
      // differ from what this preview read.
      ...(args.groups
        ? {
            classification: 'access' as const,
            classificationReason: membership
              ? `group membership changes${joined.length ? `: joins ${joined.length}` : ''}${left.length ? `, leaves ${left.length}` : ''}`
              : SETS_GROUPS,
          }
        : {}),
      ...(privileged.length ? { privilegedGrants: grantNames(privileged) } : {}),
    };
  },
  handler: async (args, ctx) => {
    const { client, options } = siteOf(ctx);
    const done = await client.updateUser(args.userId, patchOf(args), options);
    const user = done.value ?? (await client.getUser(args.userId, options));
    return { text: fencedText('Updated:', [userLine(user)], ctx), structured: { user: userView(user) } };
  },
});

/** The fields to change. @throws ToolArgumentError when the call names none. */
function patchOf(args: {
  firstName?: string | undefined;
  lastName?: string | undefined;
  groups?: string[] | undefined;
}) {
  const patch = {
    ...(args.firstName === undefined ? {} : { firstName: args.firstName }),
    ...(args.lastName === undefined ? {} : { lastName: args.lastName }),
    ...(args.groups === undefined ? {} : { groups: args.groups }),
  };
  if (Object.keys(patch).length === 0) {
    throw new ToolArgumentError('firstName, lastName, groups', 'name at least one to change');
  }
  return patch;
}

export const deleteUser = defineTool({
  name: 'delete_user',
  title: 'Delete user',
  description: 'Deletes a user from a site, and with them all of their group memberships.',
  classification: 'destructive',
  inputSchema: { userId, ...routing },
  outputSchema: { userId: z.string(), deleted: z.boolean() },
  preview: async (args, ctx) => {
    const { client, options } = siteOf(ctx);
    const user = await currentUser(ctx, args.userId);
    if (!user) {
      const targets = [missingUser(args.userId)];
      return { summary: `Delete user ${args.userId}`, targets, fingerprint: fingerprintOf(targets, ctx.call.site) };
    }
    const answer = await dryRun(() => client.deleteUser(args.userId, { ...options, dryRun: true }));
    const targets: ImpactTarget[] = [
      {
        kind: 'user',
        id: user.email,
        ...(fullName(user) ? { name: fullName(user) } : {}),
        before: userBefore(user),
        after: ['deleted', answer],
      },
    ];
    return {
      summary: `Delete user ${user.email} from site ${ctx.call.site}`,
      targets,
      fingerprint: fingerprintOf(targets, ctx.call.site),
    };
  },
  handler: async (args, ctx) => {
    const { client, options } = siteOf(ctx);
    await client.deleteUser(args.userId, options);
    return { text: `Deleted user ${args.userId}.`, structured: { userId: args.userId, deleted: true } };
  },
});

export const USER_TOOLS = [listUsers, getUser, createUser, updateUser, deleteUser];
