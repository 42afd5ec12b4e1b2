// The tenants a V1 assignment call acts on: those named in `targetProjectForTenantsList`, else the tenant
// of the request. A named tenant that does not exist yields a Failed entry, as Visier reports per tenant.

import { badRequest } from '../status-error.js';
import type { RequestContext } from './context.js';
import { objectBody } from './params.js';
import type { TenantState } from './tenant-state.js';

export interface AssignmentTarget {
  tenantCode: string;
  projectId?: string;
  tenant?: TenantState;
}

function assignmentTargets(ctx: RequestContext): AssignmentTarget[] {
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

/** Visier's per-tenant outcome: Succeed, or Failed with every problem in the message. */
export function outcome(problems: string[]): { status: 'Succeed' | 'Failed'; message?: string } {
  return problems.length > 0 ? { status: 'Failed', message: problems.join('; ') } : { status: 'Succeed' };
}

/** Runs `apply` on each target tenant; `apply` applies what it can and pushes a message per problem. */
export function perTenantResults(
  ctx: RequestContext,
  apply: (tenant: TenantState, problems: string[]) => Record<string, unknown>,
): Record<string, unknown>[] {
  return assignmentTargets(ctx).map(({ tenantCode, projectId, tenant }) => {
    const project = projectId !== undefined ? { projectId } : {};
    if (!tenant) {
      return { tenantCode, ...outcome([`Tenant '${tenantCode}' does not exist or is not accessible`]), ...project };
    }
    const problems: string[] = [];
    const fields = apply(tenant, problems);
    return { tenantCode, ...fields, ...outcome(problems), ...project };
  });
}
