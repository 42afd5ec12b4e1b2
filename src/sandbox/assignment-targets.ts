// The tenants a V1 assignment call acts on: those named in `targetProjectForTenantsList`, else the tenant
// of the request. A named tenant that does not exist yields a Failed entry, as Visier reports per tenant.
import type { RequestContext } from './context.js';
import { objectBody } from './params.js';
import { badRequest } from './status-error.js';
import type { TenantState } from './tenant-state.js';

export interface AssignmentTarget {
  tenantCode: string;
  projectId?: string;
  tenant?: TenantState;
}

export function assignmentTargets(ctx: RequestContext): AssignmentTarget[] {
  const list = objectBody(ctx.body).targetProjectForTenantsList;
  if (list === undefined || list === null) return [{ tenantCode: ctx.tenant.tenantCode, tenant: ctx.tenant }];
  const entries = (list as { targetProjectForTenants?: unknown }).targetProjectForTenants;
  if (!Array.isArray(entries))
    throw badRequest("'targetProjectForTenantsList.targetProjectForTenants' must be an array");
  return entries.map((entry) => {
    const { tenantCode, projectId } = (entry ?? {}) as { tenantCode?: unknown; projectId?: unknown };
    if (typeof tenantCode !== 'string') throw badRequest("Each target tenant needs a 'tenantCode'");
    const tenant = ctx.services.tenants.get(tenantCode);
    return {
      tenantCode,
      ...(typeof projectId === 'string' ? { projectId } : {}),
      ...(tenant ? { tenant } : {}),
    };
  });
}

export function unknownTenantMessage(tenantCode: string): string {
  return `Tenant '${tenantCode}' does not exist or is not accessible`;
}
