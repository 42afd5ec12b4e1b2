import { z } from 'zod';
import { counted } from '../../grammar.js';
import { displayText } from '../../guards/untrusted.js';
import type { Permission, PermissionHolder, PermissionSource, UserGroupRef } from '../../providers/visier/api.js';
import { fencedText, pageHeader, quoted } from '../shared/format.js';
import { localPage } from '../shared/paging.js';
import { defineTool, type ToolContext } from './define.js';
import { cursor, id, limit, pageOutput, projectRouting, text } from './fields.js';
import { groupGrants } from './group-grants.js';
import { currentUsersMany, groupRefs } from './preview.js';
import { permissionRefOut, userGroupRefOut } from './schemas.js';

const permissionLine = (p: Permission) =>
  [p.permissionId, p.displayName ? quoted(p.displayName) : undefined, p.description ? `- ${p.description}` : undefined]
    .filter((part) => part !== undefined)
    .join(' ');

export const listPermissions = defineTool({
  name: 'list_permissions',
  title: 'List permissions',
  description: 'Lists permissions (id, name, description), optionally only those matching a search text.',
  classification: 'read',
  inputSchema: {
    search: text('Case-insensitive text to find in permission id, name or description').min(1).optional(),
    limit: limit(1000, 200),
    cursor,
    ...projectRouting,
  },
  outputSchema: {
    permissions: z.array(permissionRefOut),
    ...pageOutput,
  },
  handler: async (args, ctx) => {
    const needle = args.search?.toLowerCase();
    const all = (await ctx.api.listPermissions({}, ctx.call)).filter(
      (p) =>
        needle === undefined ||
        [p.permissionId, p.displayName, p.description].some((v) => v?.toLowerCase().includes(needle)),
    );
    const page = localPage(all, permissionLine, args, 200, ctx);
    const permissions = page.items.map(({ permissionId, displayName, description }) => ({
      permissionId,
      ...(displayName === undefined ? {} : { displayName }),
      ...(description === undefined ? {} : { description }),
    }));
    return {
      text: fencedText(
        pageHeader(counted(permissions.length, 'permission'), page.nextCursor, page.cappedBySize),
        page.lines,
        ctx,
      ),
      structured: {
        permissions,
        returned: permissions.length,
        ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
      },
    };
  },
});

type Holder = PermissionHolder & { tenantCode: string; via?: UserGroupRef[] };

const THROUGH_GROUP: readonly PermissionSource[] = ['UserGroup', 'UserAndUserGroup'];

/** How a holder holds it: `direct`, `via group "Sales Analysts" (ug-1)`, or both. */
function holdsThrough(h: Holder): string | undefined {
  if (h.permissionFrom === undefined) return undefined;
  const direct = h.permissionFrom === 'User' || h.permissionFrom === 'UserAndUserGroup';
  if (!THROUGH_GROUP.includes(h.permissionFrom)) return direct ? 'direct' : `via:${displayText(h.permissionFrom)}`;
  const via = h.via?.length ? `via group ${groupRefs(h.via)}` : 'via a user group';
  return direct ? `direct and ${via}` : via;
}

const holderLine = (h: Holder) =>
  [h.userId, h.username, holdsThrough(h), `tenant:${h.tenantCode}`].filter((part) => part !== undefined).join(' ');

/**
 * Names the groups through which holders hold the permission: Visier says only "through a user group". Those
 * are the groups granting it that the holder is in; when a single group grants it, that group is the answer and
 * no user is read. Groups and users are read in the call's tenant, so only holders listed there are named.
 */
async function withVia(ctx: ToolContext, permissionId: string, holders: Holder[]): Promise<Holder[]> {
  const tenants = new Set(holders.map((h) => h.tenantCode));
  const here = ctx.call.tenantCode ?? (tenants.size === 1 ? [...tenants][0] : undefined);
  const throughGroup = new Set(
    holders.filter(
      (h) => h.tenantCode === here && h.permissionFrom !== undefined && THROUGH_GROUP.includes(h.permissionFrom),
    ),
  );
  if (throughGroup.size === 0) return holders;
  const granting = [...(await groupGrants(ctx)).values()]
    .filter((g) => g.permissions?.some((p) => p.permissionId === permissionId))
    .map(({ userGroupId, displayName }) =>
      displayName === undefined ? { userGroupId } : { userGroupId, displayName },
    );
  const groupsOf = new Map<string, ReadonlySet<string>>();
  if (granting.length > 1) {
    const users = await currentUsersMany(
      ctx,
      [...throughGroup].map((h) => h.userId),
      { userGroups: true },
    );
    for (const { userId, user } of users) {
      groupsOf.set(userId, new Set((user?.userGroups ?? []).map((g) => g.userGroupId)));
    }
  }
  return holders.map((h) => {
    if (!throughGroup.has(h)) return h;
    const mine = groupsOf.get(h.userId);
    const via = mine ? granting.filter((g) => mine.has(g.userGroupId)) : granting;
    return via.length ? { ...h, via } : h;
  });
}

/** Visier pages this endpoint over tenants; 100 is its most tenants per page. */
const TENANTS_PER_CALL = 100;

export const listUsersWithPermission = defineTool({
  name: 'list_users_with_permission',
  title: 'List users with a permission',
  description: 'Lists the users who hold a permission, directly or, if asked, through a user group.',
  classification: 'read',
  inputSchema: {
    permissionId: id('Permission id (list_permissions finds it)'),
    includeUserGroups: z.boolean().optional().describe('Also users who hold it through a user group'),
    limit: limit(1000, 200),
    cursor,
    ...projectRouting,
  },
  outputSchema: {
    permissionId: z.string(),
    users: z.array(
      z.object({
        userId: z.string(),
        username: z.string().optional(),
        permissionFrom: z.string().optional().describe("Visier's word: User, UserGroup or UserAndUserGroup"),
        via: z.array(userGroupRefOut).optional().describe('The user groups granting it that the user is in'),
        tenantCode: z.string(),
      }),
    ),
    ...pageOutput,
  },
  handler: async (args, ctx) => {
    const page = await ctx.api.listUsersWithPermission(
      args.permissionId,
      { start: 0, limit: TENANTS_PER_CALL, ...(args.includeUserGroups ? { includeUserGroups: true } : {}) },
      ctx.call,
    );
    const holders = await withVia(
      ctx,
      args.permissionId,
      page.items.flatMap((t) => t.users.map((u) => ({ ...u, tenantCode: t.tenantCode }))),
    );
    const slice = localPage(holders, holderLine, args, 200, ctx);
    return {
      text: fencedText(
        pageHeader(
          `${counted(slice.items.length, 'user')} with ${args.permissionId}`,
          slice.nextCursor,
          slice.cappedBySize,
        ),
        slice.lines,
        ctx,
      ),
      structured: {
        permissionId: args.permissionId,
        users: slice.items,
        returned: slice.items.length,
        ...(slice.nextCursor ? { nextCursor: slice.nextCursor } : {}),
      },
    };
  },
});

export const PERMISSION_TOOLS = [listPermissions, listUsersWithPermission];
