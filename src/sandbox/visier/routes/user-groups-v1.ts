// User groups V1: list, explicit members, membership changes and group permissions. These act on the same
// group records as V2, so a change here shows up in V2's `users.manuallyIncludedIds` and back.

import { badRequest } from '../../status-error.js';
import { outcome, perTenantResults } from '../assignment-targets.js';
import { type Route, stateFor } from '../context.js';
import { arrayField, objectBody, paging, stringArray } from '../params.js';
import type { GroupRecord, TenantState } from '../tenant-state.js';

/** Visier allows at most this many userIds per user group entry in one call. */
const MAX_USERS_PER_GROUP_ENTRY = 100;

const groupPermissions = (tenant: TenantState, group: GroupRecord) =>
  [...group.permissionIds].flatMap((permissionId) => {
    const permission = tenant.permissions.get(permissionId);
    return permission ? [{ permissionId, displayName: permission.displayName }] : [];
  });

const groupDto = (tenant: TenantState, group: GroupRecord) => ({
  userGroupId: group.userGroupId,
  displayName: group.displayName,
  permissions: groupPermissions(tenant, group),
});

function membershipEntries(body: unknown): { userGroupId: string; userIds: string[] }[] {
  return arrayField(objectBody(body), 'userGroups').map((entry) => {
    const record = objectBody(entry);
    if (typeof record.userGroupId !== 'string') throw badRequest("Each user group needs a 'userGroupId'");
    const userIds = stringArray(record.userIds ?? [], 'userIds');
    if (userIds.length > MAX_USERS_PER_GROUP_ENTRY) {
      throw badRequest(
        `User group '${record.userGroupId}' lists ${userIds.length} userIds; at most ${MAX_USERS_PER_GROUP_ENTRY} are allowed per user group`,
      );
    }
    return { userGroupId: record.userGroupId, userIds };
  });
}

function membership(add: boolean): Route['handle'] {
  return (ctx) => {
    const entries = membershipEntries(ctx.body);
    const tenants = perTenantResults(ctx, (tenant, problems) => {
      const assignments = entries.map(({ userGroupId, userIds }) => {
        const group = tenant.groups.get(userGroupId);
        if (!group) {
          problems.push(`User group '${userGroupId}' was not found`);
          return { id: userGroupId, users: [] };
        }
        const users = userIds.flatMap((userId) => {
          const user = tenant.getUser(userId);
          if (!user) {
            problems.push(`User '${userId}' was not found`);
            return [];
          }
          if (add) {
            group.included.add(userId);
            group.excluded.delete(userId);
          } else {
            group.included.delete(userId);
          }
          tenant.record(
            ctx.actor,
            add ? 'UserGroupMemberAdded' : 'UserGroupMemberRemoved',
            `${group.displayName}: ${user.username}`,
          );
          return [{ userId, username: user.username }];
        });
        return { id: userGroupId, name: group.displayName, users };
      });
      return { assignments };
    });
    return { status: 200, json: { tenants } };
  };
}

function groupPermissionChange(add: boolean): Route['handle'] {
  return ({ body, tenant, actor }) => {
    const entries = arrayField(objectBody(body), 'userGroups').map((entry) => {
      const record = objectBody(entry);
      if (typeof record.userGroupId !== 'string') throw badRequest("Each user group needs a 'userGroupId'");
      return {
        userGroupId: record.userGroupId,
        permissionIds: stringArray(record.permissionsIds ?? [], 'permissionsIds'),
      };
    });
    const problems: string[] = [];
    const userGroups = entries.flatMap(({ userGroupId, permissionIds }) => {
      const group = tenant.groups.get(userGroupId);
      if (!group) {
        problems.push(`User group '${userGroupId}' was not found`);
        return [];
      }
      for (const permissionId of permissionIds) {
        const permission = tenant.permissions.get(permissionId);
        if (!permission) {
          problems.push(`Permission '${permissionId}' was not found`);
          continue;
        }
        if (add) group.permissionIds.add(permissionId);
        else group.permissionIds.delete(permissionId);
        tenant.record(
          actor,
          add ? 'UserGroupPermissionAssigned' : 'UserGroupPermissionRemoved',
          `${group.displayName}: ${permission.displayName}`,
        );
      }
      return [groupDto(tenant, group)];
    });
    return { status: 200, json: { tenantCode: tenant.tenantCode, ...outcome(problems), userGroups } };
  };
}

export const userGroupsV1Routes: Route[] = [
  {
    method: 'GET',
    path: '/v1/admin/user-groups',
    handle({ query, tenant }) {
      const { limit, start } = paging(query, 100, 1000);
      const userGroups = [...tenant.groups.values()]
        .slice(start, start + limit)
        .map((group) => groupDto(tenant, group));
      return { status: 200, json: { userGroups, limit, start } };
    },
  },
  { method: 'PUT', path: '/v1/admin/user-groups/users', handle: membership(true) },
  { method: 'DELETE', path: '/v1/admin/user-groups/users', handle: membership(false) },
  { method: 'PUT', path: '/v1/admin/user-groups/permissions', handle: groupPermissionChange(true) },
  { method: 'DELETE', path: '/v1/admin/user-groups/permissions', handle: groupPermissionChange(false) },
  {
    // Only explicitly assigned users, as Visier documents; pages over tenants.
    method: 'GET',
    path: '/v1/admin/user-groups/:userGroupId/users',
    handle(ctx) {
      const { query, params } = ctx;
      const { limit, start } = paging(query, 100, 1000);
      const filter = query.get('tenantFilter');
      const scope = stateFor(ctx, filter ?? undefined, undefined);
      const group = scope.requireGroup(params.userGroupId as string);
      const tenants = [scope].slice(start, start + limit).map((each) => ({
        tenantCode: each.tenantCode,
        users: [...group.included].flatMap((userId) => {
          const user = each.getUser(userId);
          return user && !group.excluded.has(userId) ? [{ userId, username: user.username }] : [];
        }),
      }));
      return { status: 200, json: { tenants, limit, start } };
    },
  },
];
