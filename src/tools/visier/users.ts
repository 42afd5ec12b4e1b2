import { z } from 'zod';
import type { ImpactTarget } from '../../contract/tool.js';
import { counted } from '../../grammar.js';
import type { User, UserInput } from '../../providers/visier/api.js';
import { searchUsers } from '../../providers/visier/directory-search.js';
import { decodeCursor, encodeCursor } from '../shared/cursor.js';
import {
  fencedText,
  linesWithinBudget,
  pageHeader,
  pickUserFields,
  quoted,
  USER_FIELDS,
  type UserField,
  userLine,
  withLastLoginIso,
} from '../shared/format.js';
import { defineTool, type ToolContext } from './define.js';
import { cursor, id, limit, name, pageOutput, projectRouting, routing, text } from './fields.js';
import { type Freshness, freshness } from './freshness.js';
import { groupGrants } from './group-grants.js';
import { createdUserIds, usersJournal } from './journal-state.js';
import { allUsersGroups, creationEffect, mayHoldOnCreation } from './new-account.js';
import { permissionCatalogue } from './permission-catalogue.js';
import { currentUsers, fingerprint, fingerprintOf, holdings, identityLine, missingUser } from './preview.js';
import { userDetailOut, userOut } from './schemas.js';
import {
  elevatedProfileChange,
  HOLDINGS,
  mayChangeAccess,
  profileBefore,
  RELINK_REASON,
  reEnables,
  regained,
  relinksEmployee,
} from './user-effect.js';

const LIST_MAX = 1000;
/** What a listing shows unless asked: enough to recognise and act on a user; get_user has the rest. */
const LIST_FIELDS: readonly UserField[] = ['userId', 'username', 'displayName', 'accountEnabled'];
const LIST_DEFAULT = 100;

const profileFields = {
  displayName: text('Display name').optional(),
  email: text('Email, when it differs from the username').optional(),
  employeeId: text('Employee id').optional(),
  accountEnabled: z.boolean().optional().describe('Whether the user can sign in'),
};

/** Pages of the directory, or of the users a search finds in its snapshot, cut to the text budget. */
async function listPage(
  ctx: ToolContext,
  args: { limit?: number; cursor?: string; search?: string },
  fields: readonly UserField[],
): Promise<{ users: User[]; lines: string[]; nextCursor?: string; cappedBySize: boolean; asOf?: Freshness }> {
  const start = decodeCursor(args.cursor);
  const pageLimit = args.limit ?? LIST_DEFAULT;
  let users: User[];
  let exhausted: boolean;
  let asOf: Freshness | undefined;
  if (args.search === undefined) {
    const page = await ctx.api.listUsers({ limit: pageLimit, start }, ctx.call);
    users = page.items;
    exhausted = page.items.length < pageLimit;
  } else {
    // The same index as find_users, in directory order and without typo tolerance: a list filters, it does not guess.
    // A fill can take a while on a large tenant: say so before and after it.
    ctx.progress(0, 1, 'reading the directory snapshot');
    const snapshot = await ctx.api.directory(ctx.call);
    ctx.progress(1, 1, `searched ${counted(snapshot.users.size, 'user')}`);
    asOf = freshness(snapshot);
    const hits = searchUsers(snapshot, args.search, { typos: false, order: 'directory' });
    users = hits.slice(start, start + pageLimit).flatMap((hit) => snapshot.users.get(hit.userId) ?? []);
    exhausted = start + pageLimit >= hits.length;
  }
  const lines = users.map((user) => userLine(user, fields));
  const fit = linesWithinBudget(lines, ctx);
  const cappedBySize = fit < users.length;
  const more = cappedBySize || !exhausted;
  return {
    users: cappedBySize ? users.slice(0, fit) : users,
    lines: cappedBySize ? lines.slice(0, fit) : lines,
    ...(more ? { nextCursor: encodeCursor(start + fit) } : {}),
    cappedBySize,
    ...(asOf ? { asOf } : {}),
  };
}

export const listUsers = defineTool({
  name: 'list_users',
  title: 'List users',
  description: 'Lists users, one page at a time, optionally only those matching a search text.',
  classification: 'read',
  inputSchema: {
    search: text('Words to find in username, display name, email or employee id (a word or its start), or a userId')
      .min(1)
      .optional(),
    fields: z
      .array(z.enum(USER_FIELDS))
      .min(1)
      .max(USER_FIELDS.length)
      .optional()
      .describe(`Fields to return (default ${LIST_FIELDS.join(', ')})`),
    limit: limit(LIST_MAX, LIST_DEFAULT),
    cursor,
    ...projectRouting,
  },
  outputSchema: {
    users: z.array(userOut),
    ...pageOutput,
    asOf: z.string().optional().describe('With search: when the directory snapshot searched was read (ISO-8601 UTC)'),
  },
  handler: async (args, ctx) => {
    const fields: readonly UserField[] = args.fields ?? LIST_FIELDS;
    const page = await listPage(ctx, args, fields);
    const header = pageHeader(counted(page.users.length, 'user'), page.nextCursor, page.cappedBySize);
    return {
      text: fencedText(page.asOf ? `${header} From the ${page.asOf.phrase}.` : header, page.lines, ctx),
      structured: {
        users: page.users.map((u) => pickUserFields(u, fields)),
        returned: page.users.length,
        ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
        ...(page.asOf ? { asOf: page.asOf.asOf } : {}),
      },
    };
  },
});

const ALL = { profiles: true, permissions: true, userGroups: true } as const;

export const getUser = defineTool({
  name: 'get_user',
  title: 'Get user',
  description: 'Gets one user: profiles, user groups, and permissions held directly and through each group.',
  classification: 'read',
  inputSchema: { userId: id('Visier userId'), ...projectRouting },
  outputSchema: { user: userDetailOut },
  handler: async (args, ctx) => {
    const user = await ctx.api.getUser(args.userId, ALL, ctx.call);
    const groups = user.userGroups ?? [];
    const grants = groups.length ? await groupGrants(ctx, new Set(groups.map((g) => g.userGroupId))) : new Map();
    const userGroups = groups.map((g) => ({ ...g, permissions: grants.get(g.userGroupId)?.permissions ?? [] }));
    return {
      text: fencedText(`User ${user.userId}:`, [userLine(user), ...holdings(user, grants)], ctx),
      structured: { user: withLastLoginIso({ ...user, userGroups }) },
    };
  },
  accessTree: ({ user }, privileged) => {
    const node = (p: { permissionId: string; displayName?: string | undefined }) => ({
      id: p.permissionId,
      ...(p.displayName === undefined ? {} : { name: p.displayName }),
      privileged: privileged.isPrivileged(p),
    });
    return {
      user: { id: user.userId, ...(user.displayName === undefined ? {} : { name: user.displayName }) },
      direct: (user.permissions ?? []).map(node),
      groups: (user.userGroups ?? []).map((g) => ({
        id: g.userGroupId,
        ...(g.displayName === undefined ? {} : { name: g.displayName }),
        permissions: (g.permissions ?? []).map(node),
      })),
    };
  },
});

export const createUser = defineTool({
  name: 'create_user',
  title: 'Create user',
  description: 'Creates a user.',
  classification: 'write',
  inputSchema: { username: name('Username, typically an email'), ...profileFields, ...routing },
  outputSchema: { user: userOut },
  journal: usersJournal((_args: unknown, output) => createdUserIds(output)),
  effectDependsOnData: (args) => mayHoldOnCreation(args),
  preview: async (args, ctx, read) => {
    const input = userInput(args);
    const effect = creationEffect(await allUsersGroups(ctx, read), [input]);
    return {
      summary: `Create user ${quoted(input.username)}`,
      targets: [
        {
          kind: 'user',
          id: input.username,
          name: input.displayName,
          after: [identityLine({ userId: '(new)', ...input }), ...effect.accountLines(input)],
        },
        ...effect.groupTargets,
      ],
      fingerprint: fingerprint(['create_user', input, effect.fingerprintPart]),
      ...effect.fields,
    };
  },
  handler: async (args, ctx) => {
    const user = await ctx.api.createUser(userInput(args), ctx.call);
    return { text: fencedText('Created:', [userLine(user)], ctx), structured: { user: withLastLoginIso(user) } };
  },
});

function userInput(args: { username: string } & Partial<UserInput>): UserInput {
  const { username, displayName, email, employeeId, accountEnabled } = args;
  return Object.fromEntries(
    Object.entries({ username, displayName, email, employeeId, accountEnabled }).filter(([, v]) => v !== undefined),
  ) as unknown as UserInput;
}

export const updateUser = defineTool({
  name: 'update_user',
  title: 'Update user',
  description: "Changes a user's profile fields; omitted fields stay as they are.",
  classification: 'write',
  inputSchema: {
    userId: id('Visier userId'),
    username: text('New username; the user then signs in with it').min(1).optional(),
    ...profileFields,
    ...routing,
  },
  outputSchema: { user: userOut },
  journal: usersJournal((args: { userId: string }) => [args.userId]),
  effectDependsOnData: (args) => mayChangeAccess(args),
  preview: async (args, ctx) => {
    const { userId, tenantCode: _t, ...patch } = args;
    const [current] = await currentUsers(ctx, [userId], HOLDINGS);
    const user = current?.user;
    if (!user) {
      const targets = [missingUser(userId)];
      return { summary: `Update user ${userId}`, targets, fingerprint: fingerprintOf(targets) };
    }
    const changed = Object.keys(patch) as (keyof typeof patch)[];
    const back = reEnables(user, patch) ? await regainedByUser(ctx, user) : undefined;
    const elevated = [...elevatedProfileChange(user, patch), ...(back?.elevated ?? [])];
    const targets: ImpactTarget[] = [
      {
        kind: 'user',
        id: userId,
        name: user.displayName ?? user.username,
        before: profileBefore(user, changed),
        after: [...changed.map((k) => `${k}: ${quoted(patch[k])}`), ...(back ? [back.line] : [])],
        ...(elevated.length ? { elevated } : {}),
      },
    ];
    return {
      summary: `Update ${changed.join(', ') || 'nothing'} of user ${userId}`,
      targets,
      fingerprint: fingerprintOf(targets),
      ...(back?.privileged.length ? { privilegedGrants: back.privileged } : {}),
      ...(elevated.length ? { classification: 'access' as const } : {}),
      ...(!elevated.length && relinksEmployee(user, patch)
        ? { classification: 'access' as const, classificationReason: RELINK_REASON }
        : {}),
    };
  },
  handler: async (args, ctx) => {
    const { userId, tenantCode: _t, ...patch } = args;
    const user = await ctx.api.updateUser(userId, patch, ctx.call);
    return { text: fencedText('Updated:', [userLine(user)], ctx), structured: { user: withLastLoginIso(user) } };
  },
});

/**
 * What a disabled account `user` (read with HOLDINGS) can use again once enabled: its direct permissions and what
 * each of its groups grants. Reads the group list (`groupGrants`, one page for most tenants; none when it is in
 * no group) and the permission catalogue (one call).
 */
async function regainedByUser(ctx: ToolContext, user: User) {
  const groupIds = new Set((user.userGroups ?? []).map((g) => g.userGroupId));
  const [grants, catalogue] = await Promise.all([
    groupIds.size ? groupGrants(ctx, groupIds) : new Map<string, never>(),
    permissionCatalogue(ctx),
  ]);
  const throughGroups = [...groupIds].flatMap((id) => (grants.get(id)?.permissions ?? []).map((p) => p.permissionId));
  return regained([...(user.permissions ?? []).map((p) => p.permissionId), ...throughGroups], catalogue);
}

export const deleteUser = defineTool({
  name: 'delete_user',
  title: 'Delete user',
  description: 'Deletes a user and with it all of their access.',
  classification: 'destructive',
  inputSchema: { userId: id('Visier userId'), ...routing },
  outputSchema: { userId: z.string(), deleted: z.boolean() },
  journal: usersJournal((args: { userId: string }) => [args.userId]),
  preview: async (args, ctx) => {
    const [current] = await currentUsers(ctx, [args.userId], ALL);
    const user = current?.user;
    if (!user) {
      return {
        summary: `Delete user ${args.userId}`,
        targets: [missingUser(args.userId)],
        fingerprint: fingerprint([args.userId, null]),
      };
    }
    const before = [identityLine(user), ...holdings(user)];
    return {
      summary: `Delete user ${quoted(user.username)} (${user.userId})`,
      targets: [{ kind: 'user', id: user.userId, name: user.displayName ?? user.username, before, after: ['deleted'] }],
      fingerprint: fingerprint([user.userId, before]),
    };
  },
  handler: async (args, ctx) => {
    await ctx.api.deleteUser(args.userId, ctx.call);
    return { text: `Deleted user ${args.userId}.`, structured: { userId: args.userId, deleted: true } };
  },
});

export const USER_TOOLS = [listUsers, getUser, createUser, updateUser, deleteUser];
