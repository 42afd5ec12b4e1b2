import { z } from 'zod';
import { counted } from '../../grammar.js';
import type { SalescookieUser, UserUpsert } from '../../providers/salescookie/index.js';
import { decodeCursor, encodeCursor } from '../shared/cursor.js';
import { ToolArgumentError } from '../shared/errors.js';
import { fencedText, linesWithinBudget, pageHeader, quoted, quotedList } from '../shared/format.js';
import { defineTool, type ToolContext } from './define.js';
import { cursor, labels, limit, name, pageOutput, role, userId, userOut } from './fields.js';
import { naming } from './not-found.js';
import { deactivationPreview, displayName, teamsOf, upsertPreview } from './preview.js';

const LIST_MAX = 1000;
const LIST_DEFAULT = 100;

/** `dana@x LimitedAdmin "Dana Whitfield" tags:"Manager" aliases:"DW"`: directory text quoted. */
export function userLine(user: SalescookieUser): string {
  const tags = user.tags.length ? ` tags:${quotedList(user.tags)}` : '';
  const aliases = user.aliases.length ? ` aliases:${quotedList(user.aliases)}` : '';
  return `${quoted(user.email)} ${user.role} ${quoted(displayName(user))}${tags}${aliases}`;
}

/** A user in the tools' structured output: `userId` is the e-mail. */
export function userOutOf(user: SalescookieUser) {
  const { email, ...rest } = user;
  return { userId: email, ...rest };
}

function matches(user: SalescookieUser, needle: string): boolean {
  return [user.email, user.firstName, user.lastName, displayName(user), ...user.tags, ...user.aliases].some((v) =>
    v?.toLowerCase().includes(needle),
  );
}

/** One page of users, or of those a search finds by scanning, cut to the text budget; the cursor is a position. */
async function listPage(ctx: ToolContext, args: { limit?: number; cursor?: string; search?: string }) {
  const start = decodeCursor(args.cursor);
  const pageLimit = args.limit ?? LIST_DEFAULT;
  const found: { user: SalescookieUser; next: number }[] = [];
  let exhausted: boolean;
  if (args.search === undefined) {
    const page = await ctx.api.listUsers({ limit: pageLimit, start }, ctx.call);
    page.items.forEach((user, i) => {
      found.push({ user, next: start + i + 1 });
    });
    exhausted = !page.hasMore;
  } else {
    // OData filters an e-mail only by equality, so a search reads the whole directory once (3 requests per 1,000
    // users) and matches here; the cursor is the position after the last match shown.
    const needle = args.search.toLowerCase();
    const all = await ctx.api.allUsers(ctx.call);
    for (let position = start; position < all.length && found.length < pageLimit; position++) {
      const user = all[position] as SalescookieUser;
      if (matches(user, needle)) found.push({ user, next: position + 1 });
    }
    const last = found.at(-1);
    exhausted = found.length < pageLimit || !all.slice(last?.next ?? start).some((user) => matches(user, needle));
  }
  const lines = found.map(({ user }) => userLine(user));
  const fit = linesWithinBudget(lines, ctx);
  const cappedBySize = fit < found.length;
  const last = found[fit - 1];
  const more = cappedBySize || !exhausted;
  return {
    users: found.slice(0, fit).map(({ user }) => user),
    lines: lines.slice(0, fit),
    ...(more ? { nextCursor: encodeCursor(last ? last.next : start) } : {}),
    cappedBySize,
  };
}

export const listUsers = defineTool({
  name: 'list_users',
  title: 'List users',
  description: 'Lists workspace users (e-mail, role, name, tags, aliases), one page at a time, optionally by search.',
  classification: 'read',
  inputSchema: {
    search: name('Case-insensitive text to find in e-mail, name, tags or aliases').optional(),
    limit: limit(LIST_MAX, LIST_DEFAULT),
    cursor,
  },
  outputSchema: { users: z.array(userOut), ...pageOutput },
  handler: async (args, ctx) => {
    const page = await listPage(ctx, args);
    return {
      text: fencedText(
        pageHeader(counted(page.users.length, 'user'), page.nextCursor, page.cappedBySize),
        page.lines,
        ctx,
      ),
      structured: {
        users: page.users.map(userOutOf),
        returned: page.users.length,
        ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
      },
    };
  },
});

/** The user with this e-mail, or a ToolArgumentError naming `field`. Requests: 1 when absent, 3 when found. */
export async function userByEmail(ctx: ToolContext, email: string, field = 'userId'): Promise<SalescookieUser> {
  const user = await ctx.api.findUserByEmail(email, ctx.call);
  if (!user) throw new ToolArgumentError(field, 'no user has this e-mail; list_users finds users');
  return user;
}

export const getUser = defineTool({
  name: 'get_user',
  title: 'Get user',
  description: 'Gets one user by e-mail: role, previous role, name, tags, aliases and teams.',
  classification: 'read',
  inputSchema: { userId },
  outputSchema: { user: userOut.extend({ teams: z.array(z.string()).describe('Teams, as "name" (teamId)') }) },
  handler: async (args, ctx) => {
    const user = await userByEmail(ctx, args.userId);
    const teams = (await teamsOf(ctx, [user])).get(user.systemUserId) ?? [];
    const previous = user.previousRole ? [`previous role: ${user.previousRole}`] : [];
    return {
      text: fencedText(
        `User ${user.systemUserId}:`,
        [userLine(user), ...previous, `teams: ${teams.join(', ') || 'none'}`],
        ctx,
      ),
      structured: { user: { ...userOutOf(user), teams } },
    };
  },
});

const profile = {
  firstName: name('First name').optional(),
  lastName: name('Last name').optional(),
  tags: labels('Tags'),
  aliases: labels('Aliases (names the user goes by in CRM and billing data)'),
};

type ProfileArgs = { userId: string; role?: UserUpsert['role'] | undefined } & {
  [K in keyof typeof profile]?: z.infer<(typeof profile)[K]> | undefined;
};

/** The SetUser input for a tool's arguments; `role` given by the caller or read from the user. */
function upsertOf(args: ProfileArgs, role: UserUpsert['role']): UserUpsert {
  const { firstName, lastName, tags, aliases } = args;
  return {
    email: args.userId,
    role,
    ...(firstName === undefined ? {} : { firstName }),
    ...(lastName === undefined ? {} : { lastName }),
    ...(tags === undefined ? {} : { tags }),
    ...(aliases === undefined ? {} : { aliases }),
  };
}

/** update_user keeps the current role when none is given; a new user (SetUser creates one) needs one. */
async function updateInput(ctx: ToolContext, args: ProfileArgs): Promise<UserUpsert> {
  if (args.role !== undefined) return upsertOf(args, args.role);
  const current = await ctx.api.findUserByEmail(args.userId, ctx.call);
  if (!current)
    throw new ToolArgumentError('role', 'required here: no user has this e-mail, so SetUser would create one');
  return upsertOf(args, current.role);
}

function upsertText(result: { plan: { action: string; noChange: boolean }; user: SalescookieUser }, ctx: ToolContext) {
  const what =
    result.plan.action === 'create' ? 'Created' : result.plan.noChange ? 'Unchanged (nothing sent)' : 'Updated';
  return fencedText(`${what}:`, [userLine(result.user)], ctx);
}

const upsertOutput = { action: z.enum(['create', 'update']), changed: z.boolean(), user: userOut };

export const createUser = defineTool({
  name: 'create_user',
  title: 'Create user',
  description:
    'Creates a user via SetUser, an upsert by e-mail: an existing e-mail is UPDATED. Tags and aliases are only added.',
  classification: 'write',
  inputSchema: { userId, role, ...profile },
  outputSchema: upsertOutput,
  effectDependsOnData: () => true,
  preview: (args, ctx) => upsertPreview(ctx, [upsertOf(args, args.role)], 'create_user'),
  handler: async (args, ctx) => {
    const result = await ctx.api.upsertUser(upsertOf(args, args.role), ctx.call);
    return {
      text: upsertText(result, ctx),
      structured: { action: result.plan.action, changed: !result.plan.noChange, user: userOutOf(result.user) },
    };
  },
});

export const updateUser = defineTool({
  name: 'update_user',
  title: 'Update user',
  description:
    "Changes a user's role, names, tags or aliases via SetUser; an unknown e-mail is CREATED. Tags, aliases only added.",
  classification: 'write',
  inputSchema: { userId, role: role.optional(), ...profile },
  outputSchema: upsertOutput,
  effectDependsOnData: () => true,
  preview: async (args, ctx) => upsertPreview(ctx, [await updateInput(ctx, args)], 'update_user'),
  handler: async (args, ctx) => {
    const result = await ctx.api.upsertUser(await updateInput(ctx, args), ctx.call);
    return {
      text: upsertText(result, ctx),
      structured: { action: result.plan.action, changed: !result.plan.noChange, user: userOutOf(result.user) },
    };
  },
});

export const deleteUser = defineTool({
  name: 'delete_user',
  title: 'Deactivate user',
  description:
    'No delete in Sales Cookie: sets role Deactivated, taking all access away; the account, its data and teams stay.',
  classification: 'destructive',
  inputSchema: { userId },
  outputSchema: { userId: z.string(), deactivated: z.boolean(), changed: z.boolean() },
  preview: (args, ctx) => deactivationPreview(ctx, [args.userId]),
  handler: async (args, ctx) => {
    const result = await naming(
      'userId',
      'no user has this e-mail; nothing was sent (SetUser would have created one)',
      () => ctx.api.deactivateUser(args.userId, ctx.call),
    );
    const changed = !result.plan.noChange;
    return {
      text: changed
        ? `Deactivated user ${quoted(args.userId)}: role Deactivated (Sales Cookie has no delete; the account stays).`
        : `User ${quoted(args.userId)} was already Deactivated; nothing was sent.`,
      structured: { userId: args.userId, deactivated: true, changed },
    };
  },
});

export const USER_TOOLS = [listUsers, getUser, createUser, updateUser, deleteUser];
