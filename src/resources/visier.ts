// Visier's resources: the collections (users, user groups, permissions) and templates for one user, one group,
// a group's members and a permission's holders, with completion of their ids.
import { type Resource, ResourceTemplate } from '@modelcontextprotocol/server';
import type { CallOptions, VisierApi } from '../providers/visier/api.js';
import {
  COLLECTION_MAX,
  COMPLETION_GATHER,
  completeFromPages,
  firstValue,
  JSON_TYPE,
  json,
  type ProviderResources,
} from './index.js';

export const visierResources: ProviderResources<VisierApi, CallOptions> = (server, read) => {
  const completeUserId = (value: string) =>
    read('complete:userId', {}, (ctx) =>
      completeFromPages(
        value,
        ctx.api.userPages({ pageSize: COLLECTION_MAX }, ctx.call),
        (u) => [u.userId, u.username, u.displayName],
        (u) => u.userId,
      ),
    );
  const completeGroupId = (value: string) =>
    read('complete:userGroupId', {}, async (ctx) => {
      const prefix = value.toLowerCase();
      const page = await ctx.api.listUserGroups({ limit: COLLECTION_MAX, start: 0 }, ctx.call);
      return page.items
        .filter((g) => [g.userGroupId, g.displayName].some((v) => v?.toLowerCase().startsWith(prefix)))
        .slice(0, COMPLETION_GATHER)
        .map((g) => g.userGroupId);
    });
  const completePermissionId = (value: string) =>
    read('complete:permissionId', {}, async (ctx) => {
      const prefix = value.toLowerCase();
      const all = await ctx.api.listPermissions({}, ctx.call);
      return all
        .filter((p) => [p.permissionId, p.displayName].some((v) => v?.toLowerCase().startsWith(prefix)))
        .slice(0, COMPLETION_GATHER)
        .map((p) => p.permissionId);
    });

  const statics: Resource[] = [
    { uri: 'visier://users', name: 'users', description: 'The first 1,000 users', mimeType: JSON_TYPE },
    {
      uri: 'visier://user-groups',
      name: 'user-groups',
      description: 'The first 1,000 user groups',
      mimeType: JSON_TYPE,
    },
    { uri: 'visier://permissions', name: 'permissions', description: 'Every permission', mimeType: JSON_TYPE },
  ];
  const [usersRes, groupsRes, permsRes] = statics as [Resource, Resource, Resource];

  server.registerResource(usersRes.name, usersRes.uri, usersRes, async (uri, extra) =>
    json(
      uri,
      await read('users', { extra, uri }, async (ctx) => ({
        users: (await ctx.api.listUsers({ limit: COLLECTION_MAX, start: 0 }, ctx.call)).items,
      })),
    ),
  );
  server.registerResource(groupsRes.name, groupsRes.uri, groupsRes, async (uri, extra) =>
    json(
      uri,
      await read('user-groups', { extra, uri }, async (ctx) => ({
        userGroups: (await ctx.api.listUserGroups({ limit: COLLECTION_MAX, start: 0 }, ctx.call)).items,
      })),
    ),
  );
  server.registerResource(permsRes.name, permsRes.uri, permsRes, async (uri, extra) =>
    json(
      uri,
      await read('permissions', { extra, uri }, async (ctx) => ({
        permissions: await ctx.api.listPermissions({}, ctx.call),
      })),
    ),
  );

  server.registerResource(
    'user-group-members',
    new ResourceTemplate('visier://user-groups/{userGroupId}/members', {
      list: undefined,
      complete: { userGroupId: completeGroupId },
    }),
    { description: 'Users assigned to a user group by hand', mimeType: JSON_TYPE },
    async (uri, vars, extra) => {
      const userGroupId = firstValue(vars.userGroupId);
      return json(
        uri,
        await read('user-group-members', { extra, uri }, async (ctx) => {
          const page = await ctx.api.listUserGroupMembers(userGroupId, { start: 0, limit: 100 }, ctx.call);
          return { userGroupId, tenants: page.items };
        }),
      );
    },
  );
  server.registerResource(
    'user',
    new ResourceTemplate('visier://users/{userId}', { list: undefined, complete: { userId: completeUserId } }),
    { description: 'One user with permissions, user groups and profiles', mimeType: JSON_TYPE },
    async (uri, vars, extra) => {
      const userId = firstValue(vars.userId);
      return json(
        uri,
        await read('user', { extra, uri }, (ctx) =>
          ctx.api.getUser(userId, { permissions: true, userGroups: true, profiles: true }, ctx.call),
        ),
      );
    },
  );
  server.registerResource(
    'user-group',
    new ResourceTemplate('visier://user-groups/{userGroupId}', {
      list: undefined,
      complete: { userGroupId: completeGroupId },
    }),
    { description: "A user group's definition", mimeType: JSON_TYPE },
    async (uri, vars, extra) => {
      const userGroupId = firstValue(vars.userGroupId);
      return json(
        uri,
        await read('user-group', { extra, uri }, (ctx) => ctx.api.getUserGroup(userGroupId, {}, ctx.call)),
      );
    },
  );
  server.registerResource(
    'permission-users',
    new ResourceTemplate('visier://permissions/{permissionId}/users', {
      list: undefined,
      complete: { permissionId: completePermissionId },
    }),
    { description: 'Users who hold a permission, directly or through a group', mimeType: JSON_TYPE },
    async (uri, vars, extra) => {
      const permissionId = firstValue(vars.permissionId);
      return json(
        uri,
        await read('permission-users', { extra, uri }, async (ctx) => {
          const page = await ctx.api.listUsersWithPermission(
            permissionId,
            { start: 0, limit: 100, includeUserGroups: true },
            ctx.call,
          );
          return { permissionId, tenants: page.items };
        }),
      );
    },
  );

  return statics;
};
