import { z } from 'zod';
import type { ImpactTarget } from '../../contract/tool.js';
import { counted } from '../../grammar.js';
import { addUserToSites, deleteUsers, type SitesBulkResult } from '../../providers/sisense/bulk.js';
import type { NewUser } from '../../providers/sisense/domain.js';
import { csvArgument, oneOf, rowsFromCsv } from '../shared/csv.js';
import { countPhrase, fingerprint, fingerprintOf } from '../visier/preview.js';
import { defineTool, siteOf, type ToolContext } from './define.js';
import { email, groupName, groups, MAX_BULK, personName, routing, siteName, userId } from './fields.js';
import { outcome } from './outcome.js';
import {
  currentUser,
  dryRunItem,
  fullName,
  grantNames,
  groupsLine,
  identityOf,
  joinsPrivileged,
  missingUser,
  privilegedAmong,
  userBefore,
} from './preview.js';
import { bulkOut } from './schemas.js';

// The seed's two scripts as tools: users added to several sites (each site has its own key), and a list of
// e-mails deleted from one site, from JSON rows or the CSV people keep them in. Every item is accounted for.

const newUserRow = z.strictObject({
  userId: email('E-mail of the new user (Sisense keys users by e-mail)'),
  firstName: personName('First name'),
  lastName: personName('Last name'),
  groups: groups.optional(),
  invitedBy: email('E-mail of the site administrator the invitation comes from'),
});
type NewUserRow = z.infer<typeof newUserRow>;

const CREATE_COLUMNS = ['userId', 'firstName', 'lastName', 'groups', 'invitedBy'] as const;
/** A CSV cell cannot hold a list: groups are separated by `|` in it. */
const createCsvRow = newUserRow.extend({
  groups: z
    .string()
    .transform((cell) =>
      cell
        .split('|')
        .map((g) => g.trim())
        .filter((g) => g !== ''),
    )
    .pipe(z.array(groupName('Group name')))
    .optional(),
});

const DELETE_COLUMNS = ['userId'] as const;
const deleteCsvRow = z.strictObject({ userId });

function usersOf(args: { users?: NewUserRow[] | undefined; csv?: string | undefined }): NewUserRow[] {
  return oneOf(args.users, args.csv, (csv) => rowsFromCsv(csv, createCsvRow, CREATE_COLUMNS), ['users', 'csv']);
}

function emailsOf(args: { userIds?: string[] | undefined; csv?: string | undefined }): string[] {
  const rows = oneOf(
    args.userIds?.map((u) => ({ userId: u })),
    args.csv,
    (csv) => rowsFromCsv(csv, deleteCsvRow, DELETE_COLUMNS),
    ['userIds', 'csv'],
  );
  return [...new Set(rows.map((r) => r.userId))];
}

function sitesOf(args: { sites?: string[] | undefined }, ctx: Pick<ToolContext, 'call'>): string[] {
  return args.sites ?? [ctx.call.site];
}

function toNewUser(row: NewUserRow): NewUser {
  return {
    email: row.userId,
    firstName: row.firstName,
    lastName: row.lastName,
    ...(row.groups === undefined ? {} : { groups: row.groups }),
    invitedByEmail: row.invitedBy,
  };
}

export const bulkCreateUsers = defineTool({
  name: 'bulk_create_users',
  title: 'Create users on sites',
  description:
    'Creates users on one or more sites (JSON rows or CSV); reports each user and site as succeeded, failed or not attempted.',
  classification: 'write',
  inputSchema: {
    users: z.array(newUserRow).min(1).max(MAX_BULK).optional().describe(`Users to create (1-${MAX_BULK})`),
    csv: csvArgument(CREATE_COLUMNS).optional(),
    sites: z
      .array(siteName)
      .min(1)
      .max(50)
      .optional()
      .describe("Sites to create each user on (default: the call's site); each must be allowed"),
    ...routing,
  },
  outputSchema: bulkOut,
  itemCount: (args) => usersOf(args).length * (args.sites?.length ?? 1),
  tenantsInArgs: (args) => args.sites ?? [],
  effectDependsOnData: (args) => usersOf(args).some((u) => (u.groups?.length ?? 0) > 0),
  preview: async (args, ctx) => {
    const rows = usersOf(args);
    const targets: ImpactTarget[] = [];
    const privilegedGrants: string[] = [];
    for (const site of sitesOf(args, ctx)) {
      const client = ctx.api.site(site);
      const options = { signal: ctx.call.signal };
      const all = rows.some((r) => r.groups?.length) ? await client.listGroups(options) : [];
      for (const row of rows) {
        const privileged = privilegedAmong(row.groups ?? [], all);
        privilegedGrants.push(...privileged);
        const answer = await dryRunItem(() => client.createUser(toNewUser(row), { ...options, dryRun: true }));
        targets.push({
          kind: 'user',
          id: `${site}/${row.userId}`,
          name: `${row.firstName} ${row.lastName}`,
          after: [`identity: ${identityOf({ email: row.userId, ...row })}`, groupsLine(row.groups ?? []), answer],
          change: `created on site ${site}${row.groups?.length ? ` in ${counted(row.groups.length, 'group')}` : ''}`,
          ...(privileged.length ? { elevated: joinsPrivileged(privileged) } : {}),
        });
      }
    }
    const grouped = rows.some((r) => r.groups?.length);
    return {
      summary: `Create ${counted(rows.length, 'user')} on ${counted(sitesOf(args, ctx).length, 'site')}`,
      targets,
      fingerprint: fingerprint(['bulk_create_users', sitesOf(args, ctx), rows]),
      ...(grouped
        ? {
            classification: 'access' as const,
            classificationReason: 'new users join groups, which grant access levels',
          }
        : {}),
      ...(privilegedGrants.length ? { privilegedGrants: grantNames(privilegedGrants) } : {}),
    };
  },
  handler: async (args, ctx) => {
    const rows = usersOf(args);
    const clients = sitesOf(args, ctx).map((s) => ctx.api.site(s));
    const items: SitesBulkResult['items'] = [];
    let done = 0;
    for (const row of rows) {
      // Sites are independent, and so are users: one refused does not stop the rest (cancellation does).
      const result = await addUserToSites(clients, toNewUser(row), { signal: ctx.call.signal });
      for (const item of result.items) items.push({ ...item, index: items.length });
      ctx.progress(++done, rows.length);
    }
    const count = (status: string) => items.filter((i) => i.status === status).length;
    return outcome(
      'Create users',
      {
        items,
        succeeded: count('succeeded'),
        failed: count('failed'),
        notAttempted: count('not_attempted'),
        requests: 0,
      },
      ctx,
    );
  },
});

export const bulkDeleteUsers = defineTool({
  name: 'bulk_delete_users',
  title: 'Delete many users',
  description:
    'Deletes users from a site by e-mail (JSON list or CSV); reports each as succeeded, failed or not attempted.',
  classification: 'destructive',
  inputSchema: {
    userIds: z.array(userId).min(1).max(MAX_BULK).optional().describe(`E-mails of the users to delete (1-${MAX_BULK})`),
    csv: csvArgument(DELETE_COLUMNS).optional(),
    ...routing,
  },
  outputSchema: bulkOut,
  itemCount: (args) => emailsOf(args).length,
  preview: async (args, ctx) => {
    const { client, options } = siteOf(ctx);
    const targets: ImpactTarget[] = [];
    for (const email of emailsOf(args)) {
      const user = await currentUser(ctx, email);
      if (!user) {
        targets.push(missingUser(email));
        continue;
      }
      const answer = await dryRunItem(() => client.deleteUser(email, { ...options, dryRun: true }));
      targets.push({
        kind: 'user',
        id: user.email,
        ...(fullName(user) ? { name: fullName(user) } : {}),
        before: userBefore(user),
        after: ['deleted', answer],
        change: 'deleted with every group membership',
      });
    }
    return {
      summary: `Delete ${countPhrase(targets.length, 'user', targets.filter((t) => t.missing).length)} from site ${ctx.call.site}`,
      targets,
      fingerprint: fingerprintOf(targets, ctx.call.site),
    };
  },
  handler: async (args, ctx) => {
    const { client, options } = siteOf(ctx);
    const result = await deleteUsers(client, emailsOf(args), { ...options, onProgress: ctx.progress });
    return outcome('Delete users', result, ctx);
  },
});

export const BULK_TOOLS = [bulkCreateUsers, bulkDeleteUsers];
