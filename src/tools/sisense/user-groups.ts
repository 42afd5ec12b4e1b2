import { z } from 'zod';
import type { ImpactTarget } from '../../contract/tool.js';
import { counted } from '../../grammar.js';
import { oneByOne } from '../../providers/sisense/bulk.js';
import type { Group } from '../../providers/sisense/domain.js';
import { ToolArgumentError } from '../shared/errors.js';
import { fencedText, pageHeader, quoted } from '../shared/format.js';
import { localPage } from '../shared/paging.js';
import { countPhrase, fingerprint, fingerprintOf, isNotFound } from '../visier/preview.js';
import { defineTool, siteOf, type ToolContext } from './define.js';
import {
  accessLevel,
  cursor,
  email,
  groupName,
  limit,
  MAX_ITEMS,
  pageOutput,
  routing,
  search,
  userGroupId,
} from './fields.js';
import { outcome } from './outcome.js';
import { DRY_RUN_ACCEPTED, dryRunItem } from './preview.js';
import { bulkOut, groupOut, userOut } from './schemas.js';
import { userLine, userView } from './users.js';

const LIST_MAX = 1000;
const LIST_DEFAULT = 100;
const MEMBERS_DEFAULT = 200;

export function groupView(group: Group) {
  return { userGroupId: group.name, ...group };
}

/** `"SQL Analysts" access SQL`, and `privileged` when membership makes an Admin. */
export function groupLine(group: Group): string {
  const level = group.privileged ? 'Admin' : (group.accessLevel ?? `unknown (${quoted(group.access ?? '')})`);
  return `${quoted(group.name)} access ${level}${group.privileged ? ' privileged' : ''}`;
}

/** A group and its members now, or undefined when Sisense answers 404: 1 + user pages requests. */
async function currentGroup(ctx: ToolContext, name: string) {
  const { client, options } = siteOf(ctx);
  try {
    return await client.getGroupWithMembers(name, options);
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

/** A group's state as `before` lines: what it grants and who holds it, members sorted. */
function groupBefore(group: Group, members: readonly { email: string }[]): string[] {
  const emails = members.map((m) => m.email).sort();
  return [groupLine(group), `members: ${emails.length ? emails.join(', ') : 'none'}`];
}

function missingGroup(name: string): ImpactTarget {
  return { kind: 'user-group', id: name, missing: true, before: ['not found'] };
}

export const listUserGroups = defineTool({
  name: 'list_user_groups',
  title: 'List user groups',
  description: "Lists a site's groups with the access level each grants (View, Discovery, SQL, Admin).",
  classification: 'read',
  inputSchema: {
    search: search.describe('Case-insensitive text to find in the group name'),
    limit: limit(LIST_MAX, LIST_DEFAULT),
    cursor,
    ...routing,
  },
  outputSchema: { userGroups: z.array(groupOut), ...pageOutput },
  handler: async (args, ctx) => {
    const { client, options } = siteOf(ctx);
    const all = await client.listGroups(options);
    const needle = args.search?.toLowerCase();
    const found = needle === undefined ? all : all.filter((g) => g.name.toLowerCase().includes(needle));
    const page = localPage(found, groupLine, args, LIST_DEFAULT, ctx);
    return {
      text: fencedText(
        pageHeader(counted(page.items.length, 'user group'), page.nextCursor, page.cappedBySize),
        page.lines,
        ctx,
      ),
      structured: {
        userGroups: page.items.map(groupView),
        returned: page.items.length,
        ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
      },
    };
  },
});

export const getUserGroup = defineTool({
  name: 'get_user_group',
  title: 'Get user group',
  description: 'Gets one group: the access level it grants and its members, one page at a time.',
  classification: 'read',
  inputSchema: { userGroupId, limit: limit(LIST_MAX, MEMBERS_DEFAULT), cursor, ...routing },
  outputSchema: { userGroup: groupOut, members: z.array(userOut), ...pageOutput },
  handler: async (args, ctx) => {
    const { client, options } = siteOf(ctx);
    const { group, members } = await client.getGroupWithMembers(args.userGroupId, options);
    const page = localPage(members, userLine, args, MEMBERS_DEFAULT, ctx);
    const header = `Group: ${pageHeader(counted(page.items.length, 'member'), page.nextCursor, page.cappedBySize)}`;
    return {
      text: fencedText(header, [groupLine(group), ...page.lines], ctx),
      structured: {
        userGroup: groupView(group),
        members: page.items.map(userView),
        returned: page.items.length,
        ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
      },
    };
  },
});

const createdBy = email('E-mail of the administrator making the change, recorded by Sisense').optional();

export const createUserGroups = defineTool({
  name: 'create_user_groups',
  title: 'Create user groups',
  description:
    'Creates groups, each granting an access level (View, Discovery or SQL; Admin comes from Administrators).',
  classification: 'access',
  inputSchema: {
    userGroups: z
      .array(z.strictObject({ name: groupName('Name of the new group'), accessLevel }))
      .min(1)
      .max(MAX_ITEMS)
      .describe(`Groups to create (1-${MAX_ITEMS})`),
    createdBy,
    ...routing,
  },
  outputSchema: bulkOut,
  itemCount: (args) => args.userGroups.length,
  preview: async (args, ctx) => {
    const { client, options } = siteOf(ctx);
    const targets: ImpactTarget[] = [];
    for (const g of args.userGroups) {
      const answer = await dryRunItem(() =>
        client.createGroup(newGroup(g, args.createdBy), { ...options, dryRun: true }),
      );
      targets.push({
        kind: 'user-group',
        id: g.name,
        name: g.name,
        after: [`grants ${g.accessLevel}; no members yet`, answer],
        change: `created granting ${g.accessLevel}`,
      });
    }
    return {
      summary: `Create ${counted(args.userGroups.length, 'group')} on site ${ctx.call.site}${refusedPhrase(targets)}`,
      targets,
      fingerprint: fingerprint(['create_user_groups', ctx.call.site, args.userGroups, args.createdBy ?? null]),
    };
  },
  handler: async (args, ctx) => {
    const { client, options } = siteOf(ctx);
    const result = await oneByOne(
      args.userGroups,
      (g) => ({ displayName: g.name }),
      (g, o) => client.createGroup(newGroup(g, args.createdBy), o),
      { ...options, onProgress: ctx.progress },
    );
    return outcome('Create groups', result, ctx);
  },
});

function newGroup(g: { name: string; accessLevel: 'View' | 'Discovery' | 'SQL' }, by: string | undefined) {
  return { name: g.name, accessLevel: g.accessLevel, ...(by === undefined ? {} : { createdByEmail: by }) };
}

/** ` (Sisense's dry run refused 2)`, when it refused any item: the person sees it in the summary. */
function refusedPhrase(targets: readonly ImpactTarget[]): string {
  const refused = targets.filter((t) => t.after !== undefined && !t.after.includes(DRY_RUN_ACCEPTED)).length;
  return refused ? ` (Sisense's dry run refused ${refused})` : '';
}

/** The items, refused when one group is named twice in the call, by its name or a new name. */
function onceEach<T extends { userGroupId: string; name?: string | undefined }>(items: T[]): T[] {
  const seen = new Map<string, number>();
  items.forEach((item, index) => {
    for (const name of [item.userGroupId, ...(item.name === undefined ? [] : [item.name])]) {
      const key = name.trim().toLowerCase();
      const first = seen.get(key);
      if (first !== undefined && first !== index) {
        throw new ToolArgumentError(
          `userGroups[${index}]`,
          `names group ${JSON.stringify(name)}, which item ${first} already names: one change per group per call`,
        );
      }
      seen.set(key, index);
    }
  });
  return items;
}

export const updateUserGroups = defineTool({
  name: 'update_user_groups',
  title: 'Update user groups',
  description: 'Renames groups or changes the access level they grant their members; omitted fields stay as they are.',
  classification: 'access',
  inputSchema: {
    userGroups: z
      .array(
        z.strictObject({
          userGroupId,
          name: groupName('New name').optional(),
          accessLevel: accessLevel.optional(),
        }),
      )
      .min(1)
      .max(MAX_ITEMS)
      .describe(`Groups to change (1-${MAX_ITEMS})`),
    updatedBy: email('E-mail of the administrator making the change, recorded by Sisense').optional(),
    ...routing,
  },
  outputSchema: bulkOut,
  // Each item is previewed against the groups as they are now, and items run in order: a group named by two
  // items (one renaming it, another naming its new name) would act on what no preview showed.
  itemCount: (args) => onceEach(args.userGroups).length,
  preview: async (args, ctx) => {
    const { client, options } = siteOf(ctx);
    const targets: ImpactTarget[] = [];
    let reached = 0;
    for (const g of args.userGroups) {
      const current = await currentGroup(ctx, g.userGroupId);
      if (!current) {
        targets.push(missingGroup(g.userGroupId));
        continue;
      }
      if (g.accessLevel !== undefined) reached += current.members.length;
      const answer = await dryRunItem(() =>
        client.updateGroup(g.userGroupId, patchOf(g, args.updatedBy), { ...options, dryRun: true }),
      );
      const after = [
        ...(g.name === undefined ? [] : [`name ${quoted(g.name)}`]),
        ...(g.accessLevel === undefined
          ? []
          : [`grants ${g.accessLevel} to ${counted(current.members.length, 'member')}`]),
        answer,
      ];
      targets.push({
        kind: 'user-group',
        id: current.group.name,
        name: current.group.name,
        before: groupBefore(current.group, current.members),
        after,
      });
    }
    return {
      summary: `Update ${countPhrase(targets.length, 'group', targets.filter((t) => t.missing).length)} on site ${ctx.call.site}, reaching ${counted(reached, 'member')}${refusedPhrase(targets)}`,
      targets,
      fingerprint: fingerprintOf(targets, ctx.call.site),
      peopleReached: reached,
    };
  },
  handler: async (args, ctx) => {
    const { client, options } = siteOf(ctx);
    const result = await oneByOne(
      args.userGroups,
      (g) => ({ displayName: g.userGroupId }),
      (g, o) => client.updateGroup(g.userGroupId, patchOf(g, args.updatedBy), o),
      { ...options, onProgress: ctx.progress },
    );
    return outcome('Update groups', result, ctx);
  },
});

function patchOf(
  g: { name?: string | undefined; accessLevel?: 'View' | 'Discovery' | 'SQL' | undefined },
  by: string | undefined,
) {
  return {
    ...(g.name === undefined ? {} : { name: g.name }),
    ...(g.accessLevel === undefined ? {} : { accessLevel: g.accessLevel }),
    ...(by === undefined ? {} : { updatedByEmail: by }),
  };
}

export const deleteUserGroups = defineTool({
  name: 'delete_user_groups',
  title: 'Delete user groups',
  description: 'Deletes groups; their members lose the access level the groups granted.',
  classification: 'destructive',
  inputSchema: {
    userGroupIds: z.array(userGroupId).min(1).max(MAX_ITEMS).describe(`Group names (1-${MAX_ITEMS})`),
    ...routing,
  },
  outputSchema: bulkOut,
  itemCount: (args) => args.userGroupIds.length,
  preview: async (args, ctx) => {
    const { client, options } = siteOf(ctx);
    const targets: ImpactTarget[] = [];
    let reached = 0;
    for (const name of args.userGroupIds) {
      const current = await currentGroup(ctx, name);
      if (!current) {
        targets.push(missingGroup(name));
        continue;
      }
      reached += current.members.length;
      const answer = await dryRunItem(() => client.deleteGroup(name, { ...options, dryRun: true }));
      targets.push({
        kind: 'user-group',
        id: current.group.name,
        name: current.group.name,
        before: groupBefore(current.group, current.members),
        after: ['deleted', answer],
      });
    }
    return {
      summary: `Delete ${countPhrase(targets.length, 'group', targets.filter((t) => t.missing).length)} from site ${ctx.call.site}; ${counted(reached, 'member')} lose what they grant${refusedPhrase(targets)}`,
      targets,
      fingerprint: fingerprintOf(targets, ctx.call.site),
      peopleReached: reached,
    };
  },
  handler: async (args, ctx) => {
    const { client, options } = siteOf(ctx);
    const result = await oneByOne(
      args.userGroupIds,
      (name) => ({ displayName: name }),
      (name, o) => client.deleteGroup(name, o),
      { ...options, onProgress: ctx.progress },
    );
    return outcome('Delete groups', result, ctx);
  },
});

export const USER_GROUP_TOOLS = [listUserGroups, getUserGroup, createUserGroups, updateUserGroups, deleteUserGroups];
