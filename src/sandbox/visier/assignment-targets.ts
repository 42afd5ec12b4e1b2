// The tenants a V1 assignment call acts on: those named in `targetProjectForTenantsList` (inside the project each
// names), else the tenant (and ProjectID project) of the request. A named tenant or project that does not exist
// yields a Failed entry, as Visier reports per tenant.

import { badRequest } from '../status-error.js';
import type { RequestContext } from './context.js';
import { objectBody } from './params.js';
import type { TenantState } from './tenant-state.js';

export interface AssignmentTarget {
  tenantCode: string;
  projectId?: string;
  /** The tenant, inside the named project; absent when either does not exist, and `missing` says which. */
  tenant?: TenantState;
  missing?: string;
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
    const home = ctx.services.tenants.get(tenantCode);
    const project = typeof projectId === 'string' ? home?.projects.get(projectId) : undefined;
    const tenant = typeof projectId === 'string' ? project?.data : home;
    return {
      tenantCode,
      ...(typeof projectId === 'string' ? { projectId } : {}),
      ...(tenant
        ? { tenant }
        : {
            missing: home
              ? `Project '${projectId}' was not found in tenant '${tenantCode}'`
              : `Tenant '${tenantCode}' does not exist or is not accessible`,
          }),
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
  return assignmentTargets(ctx).map(({ tenantCode, projectId, tenant, missing }) => {
    const project = projectId !== undefined ? { projectId } : {};
    if (!tenant) return { tenantCode, ...outcome([missing ?? 'Not found']), ...project };
    const problems: string[] = [];
    const fields = apply(tenant, problems);
    return { tenantCode, ...fields, ...outcome(problems), ...project };
  });
}
