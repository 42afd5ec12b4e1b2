// Permissions: the catalogue, direct assignment to users (partial failure reported per tenant in a 200),
// and who holds a permission, directly, through a user group, or both.

import { badRequest } from '../../status-error.js';
import { perTenantResults } from '../assignment-targets.js';
import { type Route, stateFor } from '../context.js';
import { arrayField, flag, objectBody, paging, stringArray } from '../params.js';
import type { PermissionRecord, TenantState } from '../tenant-state.js';

const basic = ({ permissionId, displayName, description }: PermissionRecord) => ({
  permissionId,
  displayName,
  description,
});

/** The sandbox models no data-security tree; with details it adds the capability config it can vouch for. */
const detailed = (permission: PermissionRecord) => ({
  ...basic(permission),
  adminCapabilityConfig: {
    allCapabilitiesAccess: permission.displayName === 'Admin (Full Access)',
    capabilities: [],
  },
});

interface AssignmentEntry {
  permissionId: string;
  userIds: string[];
}

function assignmentEntries(body: unknown): AssignmentEntry[] {
  return arrayField(objectBody(body), 'permissions').map((entry) => {
    const record = objectBody(entry);
    if (typeof record.permissionId !== 'string') throw badRequest("Each permission needs a 'permissionId'");
    return { permissionId: record.permissionId, userIds: stringArray(record.userIds ?? [], 'userIds') };
  });
}

function applyToTenant(
  tenant: TenantState,
  entries: AssignmentEntry[],
  assign: boolean,
  actor: string,
  problems: string[],
) {
  const permissions = entries.map(({ permissionId, userIds }) => {
    const permission = tenant.permissions.get(permissionId);
    const holders = tenant.userPermissions.get(permissionId);
    if (!permission || !holders) {
      problems.push(`Permission '${permissionId}' was not found`);
      return { permission: { permissionId }, users: userIds.map((userId) => ({ userId, message: 'Not applied' })) };
    }
    const users = userIds.map((userId) => {
      const user = tenant.getUser(userId);
      if (!user) {
        problems.push(`User '${userId}' was not found`);
        return { userId, message: 'User not found' };
      }
      if (assign) holders.add(userId);
      else holders.delete(userId);
      tenant.record(
        actor,
        assign ? 'PermissionAssigned' : 'PermissionRemoved',
        `${permission.displayName}: ${user.username}`,
      );
      return { userId, username: user.username };
    });
    return { permission: basic(permission), users };
  });
  return { permissions };
}

function assignment(assign: boolean): Route['handle'] {
  return (ctx) => {
    const entries = assignmentEntries(ctx.body);
    const tenants = perTenantResults(ctx, (tenant, problems) =>
      applyToTenant(tenant, entries, assign, ctx.actor, problems),
    );
    return { status: 200, json: { tenants } };
  };
}

function holdersOf(tenant: TenantState, permissionId: string, includeUserGroups: boolean) {
  const from = new Map<string, 'User' | 'UserGroup' | 'UserAndUserGroup'>();
  for (const userId of tenant.userPermissions.get(permissionId) ?? []) from.set(userId, 'User');
  if (includeUserGroups) {
    for (const group of tenant.groups.values()) {
      if (!group.permissionIds.has(permissionId)) continue;
      for (const { userId } of tenant.members(group)) {
        const direct = from.get(userId);
        from.set(userId, direct === 'User' || direct === 'UserAndUserGroup' ? 'UserAndUserGroup' : 'UserGroup');
      }
    }
  }
  return [...from].flatMap(([userId, permissionFrom]) => {
    const user = tenant.getUser(userId);
    return user ? [{ userId, username: user.username, permissionFrom }] : [];
  });
}

export const permissionRoutes: Route[] = [
  {
    method: 'GET',
    path: '/v1/admin/permissions',
    handle({ query, tenant }) {
      const shape = flag(query, 'includeDetails') ? detailed : basic;
      return { status: 200, json: { permissions: [...tenant.permissions.values()].map(shape) } };
    },
  },
  { method: 'PUT', path: '/v1/admin/permissions/users', handle: assignment(true) },
  { method: 'DELETE', path: '/v1/admin/permissions/users', handle: assignment(false) },
  {
    method: 'GET',
    path: '/v1/admin/permissions/:permissionId',
    handle({ params, tenant }) {
      return { status: 200, json: detailed(tenant.requirePermission(params.permissionId as string)) };
    },
  },
  {
    // Pages over tenants, as Visier does: the caller's tenant, or the one `tenantFilter` names.
    method: 'GET',
    path: '/v1/admin/permissions/:permissionId/users',
    handle(ctx) {
      const { query, params } = ctx;
      const permissionId = params.permissionId as string;
      const { limit, start } = paging(query, 100, 100);
      const filter = query.get('tenantFilter');
      const scope = stateFor(ctx, filter ?? undefined, undefined);
      scope.requirePermission(permissionId);
      const includeUserGroups = flag(query, 'includeUserGroups');
      const tenants = [scope]
        .slice(start, start + limit)
        .map((each) => ({ tenantCode: each.tenantCode, users: holdersOf(each, permissionId, includeUserGroups) }));
      return { status: 200, json: { tenants, limit, start } };
    },
  },
];
