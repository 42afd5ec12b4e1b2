import { z } from 'zod';
import type { Permission, PermissionHolder } from '../visier/api.js';
import { defineTool } from './define.js';
import { cursor, id, limit, pageOutput, projectRouting, text } from './fields.js';
import { fencedText, pageHeader, quoted } from './format.js';
import { localPage } from './paging.js';
import { permissionRefOut } from './schemas.js';

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
    const all = (await ctx.visier.listPermissions({}, ctx.call)).filter(
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
        pageHeader(permissions.length, 'permissions', page.nextCursor, page.cappedBySize),
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

type Holder = PermissionHolder & { tenantCode: string };

const holderLine = (h: Holder) =>
  [h.userId, h.username, h.permissionFrom ? `via:${h.permissionFrom}` : undefined, `tenant:${h.tenantCode}`]
    .filter((part) => part !== undefined)
    .join(' ');

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
        permissionFrom: z.string().optional(),
        tenantCode: z.string(),
      }),
    ),
    ...pageOutput,
  },
  handler: async (args, ctx) => {
    const page = await ctx.visier.listUsersWithPermission(
      args.permissionId,
      { start: 0, limit: TENANTS_PER_CALL, ...(args.includeUserGroups ? { includeUserGroups: true } : {}) },
      ctx.call,
    );
    const holders: Holder[] = page.items.flatMap((t) => t.users.map((u) => ({ ...u, tenantCode: t.tenantCode })));
    const slice = localPage(holders, holderLine, args, 200, ctx);
    return {
      text: fencedText(
        pageHeader(slice.items.length, `users hold ${args.permissionId}`, slice.nextCursor, slice.cappedBySize),
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
