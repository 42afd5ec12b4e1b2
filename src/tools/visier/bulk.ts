import { z } from 'zod';
import type { ImpactTarget } from '../../contract/tool.js';
import { counted } from '../../grammar.js';
import type { BulkItem, BulkResult, User, UserInput, UserPatch, UserUpdate } from '../../providers/visier/api.js';
import { grantsOf } from '../../providers/visier/directory.js';
import { csvArgument, oneOf, rowsFromCsv } from '../shared/csv.js';
import { ToolArgumentError } from '../shared/errors.js';
import { fencedText, linesWithinBudget, quoted } from '../shared/format.js';
import { previewAccess, userWithHoldings } from './access-effect.js';
import { defineTool, type ToolContext } from './define.js';
import { id, name, routing, text } from './fields.js';
import { createdUserIds, usersJournal } from './journal-state.js';
import { allUsersGroups, creationEffect, mayHoldOnCreation } from './new-account.js';
import {
  countPhrase,
  currentUsersMany,
  fingerprint,
  fingerprintOf,
  holdings,
  identityLine,
  missingUser,
} from './preview.js';
import { bulkOut } from './schemas.js';
import {
  elevatedProfileChange,
  mayChangeAccess,
  profileBefore,
  RELINK_REASON,
  reEnables,
  regained,
  relinksEmployee,
} from './user-effect.js';

// Many users in one call; the client sends them to Visier's V2 endpoints in chunks of 100 and accounts
// for every item as succeeded, failed or not attempted.

const MAX_BULK = 10_000;

const profileFields = {
  displayName: text('Display name').optional(),
  email: text('Email, when it differs from the username').optional(),
  employeeId: text('Employee id').optional(),
  accountEnabled: z.boolean().optional().describe('Whether the user can sign in'),
};

const createRow = z.strictObject({ username: name('Username, typically an email'), ...profileFields });
type CreateRow = z.infer<typeof createRow>;

/** A spreadsheet's row: the same fields, `accountEnabled` written as true/false (or yes/no, 1/0). */
const CREATE_COLUMNS = ['username', 'displayName', 'email', 'employeeId', 'accountEnabled'] as const;
const createCsvRow = createRow.extend({
  accountEnabled: z
    .enum(['true', 'false', 'yes', 'no', '1', '0'], { error: 'must be true or false' })
    .transform((v) => v === 'true' || v === 'yes' || v === '1')
    .optional(),
});
const DELETE_COLUMNS = ['userId'] as const;
const deleteCsvRow = z.strictObject({ userId: id('Visier userId') });

/** The rows to create, from `users` or from `csv`; ToolArgumentError naming the row and column otherwise. */
function createRows(args: { users?: CreateRow[] | undefined; csv?: string | undefined }): CreateRow[] {
  return capped(oneOf(args.users, args.csv, (csv) => rowsFromCsv(csv, createCsvRow, CREATE_COLUMNS), ['users', 'csv']));
}

function deleteIds(args: { userIds?: string[] | undefined; csv?: string | undefined }): string[] {
  const rows = oneOf(
    args.userIds?.map((userId) => ({ userId })),
    args.csv,
    (csv) => rowsFromCsv(csv, deleteCsvRow, DELETE_COLUMNS),
    ['userIds', 'csv'],
  );
  return [...new Set(capped(rows).map((row) => row.userId))];
}

function capped<T>(rows: T[]): T[] {
  if (rows.length > MAX_BULK)
    throw new ToolArgumentError('csv', `at most ${counted(MAX_BULK, 'row')}, got ${rows.length}`);
  return rows;
}

/**
 * The user whole with `change` applied, as Visier's V2 PUT needs it (it replaces the user): a field Visier left out
 * of the read is sent as its proto3 default (empty, false), which is what leaving it out would mean.
 */
function wholeUser(user: User, change: UserPatch & { userId: string }): UserUpdate {
  return {
    userId: change.userId,
    username: change.username ?? user.username ?? '',
    displayName: change.displayName ?? user.displayName ?? '',
    employeeId: change.employeeId ?? user.employeeId ?? '',
    email: change.email ?? user.email ?? '',
    accountEnabled: change.accountEnabled ?? user.accountEnabled ?? false,
  };
}

/**
 * Every item asked for, in the order given: Visier's answer for those sent (its item indexes are positions in
 * `sent`, mapped back to the caller's), and each userId not found as a failed item saying so, by the id given.
 */
function withNotFound(
  asked: readonly { userId: string }[],
  sent: readonly { index: number }[],
  answered: BulkResult | undefined,
): BulkResult {
  const byIndex = new Map((answered?.items ?? []).map((item) => [sent[item.index]?.index, item]));
  const items = asked.map(
    ({ userId }, index): BulkItem =>
      byIndex.has(index)
        ? { ...(byIndex.get(index) as BulkItem), index }
        : {
            index,
            status: 'failed',
            userId,
            message: 'not found: no user has this userId in the tenant; nothing was sent for it',
          },
  );
  const notFound = asked.length - sent.length;
  return {
    items,
    succeeded: answered?.succeeded ?? 0,
    failed: (answered?.failed ?? 0) + notFound,
    notAttempted: answered?.notAttempted ?? 0,
    requests: answered?.requests ?? 0,
  };
}

const bulkOptions = (ctx: ToolContext) => ({ ...ctx.call, onProgress: ctx.progress });

function bulkText(verb: string, result: BulkResult, ctx: ToolContext): string {
  const order = { failed: 0, not_attempted: 1, succeeded: 2 } as const;
  const lines = [...result.items]
    .sort((a, b) => order[a.status] - order[b.status] || a.index - b.index)
    .map(
      (i) =>
        `#${i.index} ${i.status} ${i.userId ?? ''} ${i.username ?? ''}${i.message ? `: ${i.message}` : ''}${i.rci ? ` rci:${i.rci}` : ''}`,
    );
  const fit = linesWithinBudget(lines, ctx);
  const omitted = lines.length - fit;
  const header =
    `${verb}: ${result.succeeded} succeeded, ${result.failed} failed, ${result.notAttempted} not attempted.` +
    (omitted > 0 ? ` ${counted(omitted, 'item line')} omitted here; structuredContent lists every item.` : '');
  return fencedText(header, lines.slice(0, fit), ctx);
}

const structured = (result: BulkResult) => ({
  succeeded: result.succeeded,
  failed: result.failed,
  notAttempted: result.notAttempted,
  items: result.items.map(({ user: _user, ...item }) => item),
});

export const bulkCreateUsers = defineTool({
  name: 'bulk_create_users',
  title: 'Create many users',
  description: 'Creates many users; reports each as succeeded, failed or not attempted.',
  classification: 'write',
  inputSchema: {
    users: z.array(createRow).min(1).max(MAX_BULK).optional().describe(`Users to create (1-${MAX_BULK}); or csv`),
    csv: csvArgument(CREATE_COLUMNS).optional(),
    ...routing,
  },
  outputSchema: bulkOut,
  itemCount: (args) => createRows(args).length,
  journal: usersJournal((_args: unknown, output) => createdUserIds(output)),
  effectDependsOnData: (args) => createRows(args).some(mayHoldOnCreation),
  preview: async (args, ctx, read) => {
    const users = createRows(args);
    const effect = creationEffect(await allUsersGroups(ctx, read), users);
    return {
      summary: `Create ${countPhrase(users.length, 'user', 0)}`,
      targets: [
        ...users.map((u): ImpactTarget => {
          const joins = effect.accountLines(u);
          return {
            kind: 'user',
            id: u.username,
            name: u.displayName,
            after: [identityLine({ userId: '(new)', ...u }), ...joins],
            // Each account's own fields are who it is, not what it may do: every new account joins the same
            // all-users groups, so many creations are one change the human can count.
            change: [
              `created as a new ${u.accountEnabled === false ? 'disabled' : 'enabled'} account${u.employeeId === undefined ? '' : ' linked to an employee record'}`,
              ...joins,
            ].join('; '),
          };
        }),
        ...effect.groupTargets,
      ],
      fingerprint: fingerprint(['bulk_create_users', users, effect.fingerprintPart]),
      ...effect.fields,
    };
  },
  handler: async (args, ctx) => {
    const result = await ctx.api.bulkCreateUsers(createRows(args) as UserInput[], bulkOptions(ctx));
    return { text: bulkText('Create users', result, ctx), structured: structured(result) };
  },
});

export const bulkUpdateUsers = defineTool({
  name: 'bulk_update_users',
  title: 'Update many users',
  description: "Changes many users' profile fields; omitted fields stay as they are.",
  classification: 'write',
  inputSchema: {
    users: z
      .array(
        z.strictObject({
          userId: id('Visier userId'),
          username: text('New username').min(1).optional(),
          ...profileFields,
        }),
      )
      .min(1)
      .max(MAX_BULK)
      .describe(`Users to change (1-${MAX_BULK})`),
    ...routing,
  },
  outputSchema: bulkOut,
  itemCount: (args) => args.users.length,
  journal: usersJournal((args: { users: { userId: string }[] }) => args.users.map((u) => u.userId)),
  effectDependsOnData: (args) => args.users.some(mayChangeAccess),
  preview: async (args, ctx, read) => {
    // Holdings come with each person in the snapshot: whether a rename is an access change depends on them.
    const view = await previewAccess(ctx, read);
    const current = new Map(args.users.map((u) => [u.userId, userWithHoldings(view, u.userId)]));
    const privileged: string[] = [];
    const targets: ImpactTarget[] = args.users.map(({ userId, ...patch }) => {
      const user = current.get(userId);
      if (!user) return missingUser(userId);
      const keys = Object.keys(patch) as (keyof typeof patch)[];
      const back = reEnables(user, patch)
        ? regained([...grantsOf(view.snapshot, userId).keys()], view.catalogue)
        : undefined;
      privileged.push(...(back?.privileged ?? []));
      const elevated = [...elevatedProfileChange(user, patch), ...(back?.elevated ?? [])];
      return {
        kind: 'user',
        id: userId,
        name: user.displayName ?? user.username,
        before: profileBefore(user, keys),
        after: [...keys.map((k) => `${k}: ${quoted(patch[k])}`), ...(back ? [back.line] : [])],
        change: keys.map((k) => `${k} becomes ${quoted(patch[k])}`).join('; '),
        ...(elevated.length ? { elevated } : {}),
      };
    });
    return {
      ...(privileged.length ? { privilegedGrants: [...new Set(privileged)] } : {}),
      summary: `Update ${countPhrase(args.users.length, 'user', targets.filter((t) => t.missing).length)}`,
      targets,
      // Who each user is and what the change would overwrite, never when they last signed in: a login must
      // not void an approval.
      fingerprint: fingerprintOf(targets),
      ...(targets.some((t) => t.elevated) ? { classification: 'access' as const } : {}),
      ...(args.users.some((u) => relinksEmployee(current.get(u.userId), u))
        ? { classification: 'access' as const, classificationReason: RELINK_REASON }
        : {}),
    };
  },
  handler: async (args, ctx) => {
    // Visier's PUT replaces the user, so, as update_user does, each item goes out as the user's current profile
    // with the change applied. A user not found is not sent: a whole-user PUT of an unknown id would be refused
    // for the fields it lacks (a username), never for the id, so it is reported here as not found instead.
    const current = await currentUsersMany(
      ctx,
      args.users.map((u) => u.userId),
      {},
    );
    const found = new Map(current.map(({ userId, user }) => [userId, user]));
    const sent = args.users.flatMap((u, index) => {
      const user = found.get(u.userId);
      return user === undefined ? [] : [{ index, update: wholeUser(user, u) }];
    });
    const answered =
      sent.length === 0
        ? undefined
        : await ctx.api.bulkUpdateUsers(
            sent.map((s) => s.update),
            bulkOptions(ctx),
          );
    const result = withNotFound(args.users, sent, answered);
    return { text: bulkText('Update users', result, ctx), structured: structured(result) };
  },
});

export const bulkDeleteUsers = defineTool({
  name: 'bulk_delete_users',
  title: 'Delete many users',
  description: 'Deletes many users and all of their access; reports each as succeeded, failed or not attempted.',
  classification: 'destructive',
  inputSchema: {
    userIds: z
      .array(id('Visier userId'))
      .min(1)
      .max(MAX_BULK)
      .optional()
      .describe(`userIds to delete (1-${MAX_BULK}); or csv`),
    csv: csvArgument(DELETE_COLUMNS).optional(),
    ...routing,
  },
  outputSchema: bulkOut,
  itemCount: (args) => deleteIds(args).length,
  journal: usersJournal(deleteIds),
  preview: async (args, ctx, read) => {
    const view = await previewAccess(ctx, read);
    const current = deleteIds(args).map((userId) => ({ userId, user: userWithHoldings(view, userId) }));
    const targets: ImpactTarget[] = current.map(({ userId, user }) =>
      user
        ? {
            kind: 'user',
            id: userId,
            name: user.displayName ?? user.username,
            before: [identityLine(user), ...holdings(user)],
            after: ['deleted'],
            change: 'deleted with everything they hold',
          }
        : missingUser(userId),
    );
    return {
      summary: `Delete ${countPhrase(current.length, 'user', targets.filter((t) => t.missing).length)}`,
      targets,
      fingerprint: fingerprint(targets.map((t) => [t.id, t.before])),
    };
  },
  handler: async (args, ctx) => {
    const result = await ctx.api.bulkDeleteUsers(deleteIds(args), bulkOptions(ctx));
    return { text: bulkText('Delete users', result, ctx), structured: structured(result) };
  },
});

export const BULK_TOOLS = [bulkCreateUsers, bulkUpdateUsers, bulkDeleteUsers];
