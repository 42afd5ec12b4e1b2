// Which tenant and project headers or query parameters each endpoint takes (reference §1.6 and the
// OpenAPI spec): sending ProjectID where it is not accepted, or tenantCode where Visier ignores it,
// would silently act on the wrong place.
import type { CallOptions } from './api.js';

export interface Route {
  /**
   * Where the tenant to act on goes: the `tenantCode` query parameter, or (for endpoints without one)
   * the `TargetTenantID` header, which makes the call execute in that tenant.
   */
  tenant: 'query' | 'header';
  /** Whether the endpoint accepts the `ProjectID` header. */
  projectId: boolean;
}

export const ROUTES = {
  listUsers: { tenant: 'query', projectId: true },
  getUser: { tenant: 'query', projectId: true },
  createUser: { tenant: 'query', projectId: false },
  updateUser: { tenant: 'query', projectId: false },
  deleteUser: { tenant: 'query', projectId: false },
  usersV2: { tenant: 'query', projectId: false },
  listPermissions: { tenant: 'query', projectId: true },
  permissionUsers: { tenant: 'header', projectId: true },
  permissionAssignments: { tenant: 'header', projectId: true },
  listUserGroups: { tenant: 'query', projectId: true },
  userGroupMembers: { tenant: 'header', projectId: true },
  userGroupAssignments: { tenant: 'header', projectId: true },
  userGroupsV2: { tenant: 'header', projectId: true },
  reports: { tenant: 'query', projectId: false },
  // data-out-apis.yaml: TargetTenantID and ProjectID headers, no tenantCode parameter.
  dataQuery: { tenant: 'header', projectId: true },
  profiles: { tenant: 'header', projectId: false },
  projects: { tenant: 'header', projectId: false },
} as const satisfies Record<string, Route>;

export interface RouteDefaults {
  tenantCode?: string;
  projectId?: string;
}

export function routeParams(
  route: Route,
  options: CallOptions | undefined,
  defaults: RouteDefaults,
): { headers: Record<string, string | undefined>; query: Record<string, string | undefined> } {
  const tenantCode = options?.tenantCode ?? defaults.tenantCode;
  const projectId = options?.projectId ?? defaults.projectId;
  const targetTenant = options?.targetTenantId ?? (route.tenant === 'header' ? tenantCode : undefined);
  return {
    headers: {
      TargetTenantID: targetTenant,
      ProjectID: route.projectId ? projectId : undefined,
    },
    query: { tenantCode: route.tenant === 'query' ? tenantCode : undefined },
  };
}
