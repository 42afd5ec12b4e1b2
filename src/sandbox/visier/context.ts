// What a route handler is given: the parsed request, the tenant it addresses and the sandbox services.
import type { IncomingMessage } from 'node:http';
import type { Faults } from '../faults.js';
import type { SandboxCredentials } from '../handle.js';
import type { Reply } from '../http-io.js';
import { StatusError } from '../status-error.js';
import type { TenantState } from './tenant-state.js';
import type { TokenStore } from './tokens.js';

export interface SandboxServices {
  credentials: SandboxCredentials;
  tokens: TokenStore;
  faults: Faults;
  tenants: Map<string, TenantState>;
  primaryTenant: string;
  /** Whether the API user may run Data Query API queries (see `SandboxOptions.dataQuery`). */
  dataQuery: boolean;
}

export interface RequestContext {
  req: IncomingMessage;
  method: string;
  path: string;
  query: URLSearchParams;
  params: Record<string, string>;
  rawBody: string;
  /** The JSON body, undefined when the request had none. */
  body: unknown;
  /**
   * The tenant named by `tenantCode` or `TargetTenantID`, else the primary one; inside the project the `ProjectID`
   * header names when the route takes it.
   */
  tenant: TenantState;
  /** Username the session token was issued to; empty on public routes. */
  actor: string;
  services: SandboxServices;
}

export interface Route {
  method: string;
  /** Express-like pattern: `:name` segments become `params.name`. */
  path: string;
  /** Public routes (token issuing) skip the apikey and session checks. */
  public?: boolean;
  /** Whether the endpoint takes the `ProjectID` header (reference section 1.6); elsewhere it is ignored. */
  projects?: boolean;
  handle(ctx: RequestContext): Reply | Promise<Reply>;
}

export function resolveTenant(services: SandboxServices, code: string | undefined): TenantState {
  const tenant = services.tenants.get(code ?? services.primaryTenant);
  if (!tenant) throw new StatusError(403, 'PermissionDenied', `Tenant '${code}' does not exist or is not accessible`);
  return tenant;
}

/**
 * The state a change names in its body: its tenant (default: the request's) inside its project (default: the
 * request's `ProjectID` when the tenant is the request's). An unknown project is a 404 StatusError.
 */
export function stateFor(
  ctx: RequestContext,
  tenantCode: string | undefined,
  projectId: string | undefined,
): TenantState {
  const home = ctx.tenant.production ?? ctx.tenant;
  const tenant =
    tenantCode === undefined || tenantCode === home.tenantCode ? home : resolveTenant(ctx.services, tenantCode);
  const project = projectId ?? (tenant === home ? ctx.tenant.project?.projectId : undefined);
  return project === undefined ? tenant : tenant.requireProject(project);
}
