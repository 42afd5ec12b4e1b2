import { z } from 'zod';
import type { UserUpsert } from '../../providers/salescookie/index.js';
import { splitPipes } from '../../providers/salescookie/mapping.js';
import { csvArgument, oneOf, rowsFromCsv } from '../shared/csv.js';
import { defineTool } from './define.js';
import { email, labels, MAX_IDS, name, role, userIds } from './fields.js';
import { deactivationPreview, upsertPreview } from './preview.js';
import { bulkAnswer, bulkOut, byEmail } from './results.js';

// Many users in one call, from a JSON list or the CSV the onboarding and offboarding lists people have: each
// row upserted (or deactivated) in order and accounted for as succeeded, failed with the reason, or not
// attempted. A bad CSV row is refused before anything is sent, naming the row and column.

const MAX_BULK = 10_000;

const row = {
  email: email('E-mail: creates the user, or UPDATES the user who has it'),
  role,
  firstName: name('First name').optional(),
  lastName: name('Last name').optional(),
  tags: labels('Tags'),
  aliases: labels('Aliases'),
};
const CREATE_COLUMNS = ['email', 'firstName', 'lastName', 'role', 'tags', 'aliases'] as const;

/** A CSV cell of tags or aliases holds them '|'-separated, as Sales Cookie's own import does. */
const pipeCell = (field: typeof row.tags) => z.string().transform(splitPipes).pipe(field.unwrap()).optional();
const createCsvRow = z.strictObject({ ...row, tags: pipeCell(row.tags), aliases: pipeCell(row.aliases) });

const DELETE_COLUMNS = ['email', 'firstName', 'lastName'] as const;
/** Names may ride along in an offboarding list; only the e-mail is used. */
const deleteCsvRow = z.strictObject({
  email: row.email,
  firstName: z.string().optional(),
  lastName: z.string().optional(),
});

function upserts(args: { users?: UserUpsert[] | undefined; csv?: string | undefined }): UserUpsert[] {
  return oneOf(args.users, args.csv, (csv) => rowsFromCsv(csv, createCsvRow, CREATE_COLUMNS) as UserUpsert[], [
    'users',
    'csv',
  ]);
}

function emails(args: { userIds?: string[] | undefined; csv?: string | undefined }): string[] {
  return oneOf(args.userIds, args.csv, (csv) => rowsFromCsv(csv, deleteCsvRow, DELETE_COLUMNS).map((r) => r.email), [
    'userIds',
    'csv',
  ]);
}

export const bulkCreateUsers = defineTool({
  name: 'bulk_create_users',
  title: 'Create or update many users',
  description:
    'Upserts many users by e-mail via SetUser (existing ones are UPDATED); tags and aliases only added. Each item reported.',
  classification: 'write',
  inputSchema: {
    users: z.array(z.strictObject(row)).min(1).max(MAX_BULK).optional().describe(`Users (1-${MAX_BULK}); or csv`),
    csv: csvArgument(CREATE_COLUMNS).optional(),
  },
  outputSchema: bulkOut,
  itemCount: (args) => (args.users ? args.users.length : upserts(args).length),
  effectDependsOnData: () => true,
  preview: (args, ctx) => upsertPreview(ctx, upserts(args), 'bulk_create_users'),
  handler: async (args, ctx) => {
    const inputs = upserts(args);
    const result = await ctx.api.bulkUpsertUsers(inputs, { ...ctx.call, onProgress: ctx.progress });
    return bulkAnswer(
      'Create or update users',
      byEmail(
        result,
        inputs.map((i) => i.email),
      ),
      ctx,
    );
  },
});

export const bulkDeleteUsers = defineTool({
  name: 'bulk_delete_users',
  title: 'Deactivate many users',
  description:
    'No delete in Sales Cookie: sets each e-mail to role Deactivated, taking all access away. Each item reported.',
  classification: 'destructive',
  inputSchema: {
    userIds: userIds.optional().describe(`E-mails to deactivate (1-${MAX_IDS}); or csv`),
    csv: csvArgument(DELETE_COLUMNS).optional(),
  },
  outputSchema: bulkOut,
  itemCount: (args) => new Set(emails(args).map((e) => e.toLowerCase())).size,
  preview: (args, ctx) => deactivationPreview(ctx, emails(args)),
  handler: async (args, ctx) => {
    const list = emails(args);
    const result = await ctx.api.bulkDeactivateUsers(list, { ...ctx.call, onProgress: ctx.progress });
    return bulkAnswer('Deactivate users', byEmail(result, list), ctx);
  },
});

export const BULK_TOOLS = [bulkCreateUsers, bulkDeleteUsers];
