import type { McpServer } from '@modelcontextprotocol/server';
import type pino from 'pino';
import type { UnguardedCall } from './audit-every-call.js';
import type { Config } from './config.js';
import type { GuardOptions } from './guards/guard.js';
import { createAuditAnchor, createGuard } from './guards/index.js';
import { withReadCache } from './providers/visier/cache.js';
import { VisierClient } from './providers/visier/client.js';
import type { VisierClientConfig } from './providers/visier/config.js';
import { type SandboxHandle, startSandbox } from './sandbox/index.js';
import { createServer } from './server.js';
import { privilegedPolicy } from './tools/visier/privileged.js';

/** Everything one process serves from: the Visier client (or the embedded sandbox) and the guard. */
export interface Runtime {
  /** A new McpServer: stdio makes one per connection, Streamable HTTP one per 2025 session or 2026-07-28 request. */
  createServer: () => McpServer;
  /** Audits a tools/call a transport refused before any server saw it (see HttpOptions.onRefusedToolCall). */
  rejectCall: (call: UnguardedCall, principal: string) => void;
  sandbox?: SandboxHandle;
  defaultTenant: string;
  tenants: string[];
  close(): Promise<void>;
}

/** How to reach Visier: the embedded sandbox when one runs, else the configured tenant. Throws without credentials. */
export function visierConfig(
  config: Config,
  sandbox: SandboxHandle | undefined,
  logger: pino.Logger,
): VisierClientConfig {
  if (sandbox) {
    const { apiKey, username, password } = sandbox.credentials;
    return {
      host: sandbox.url,
      apiKey,
      auth: { kind: 'asid', username, password },
      tenantCode: sandbox.tenants.primary,
      rateLimit: config.rateLimit,
      logger,
    };
  }
  const { visierHost, apiKey, username, password, clientId, clientSecret } = config;
  if (!visierHost || !apiKey || !username || !password) {
    throw new Error(
      'VISIER_HOST, VISIER_API_KEY, VISIER_USERNAME and VISIER_PASSWORD are all needed outside the sandbox',
    );
  }
  return {
    host: visierHost,
    apiKey,
    auth:
      clientId && clientSecret
        ? { kind: 'oauth2', clientId, clientSecret, username, password }
        : { kind: 'asid', username, password },
    ...(config.tenantCode === undefined ? {} : { tenantCode: config.tenantCode }),
    ...(config.projectId === undefined ? {} : { projectId: config.projectId }),
    rateLimit: config.rateLimit,
    logger,
  };
}

/**
 * The tenant allowlist (`--tenants`, else the default tenant alone) and the tenant a call names none acts on
 * (VISIER_TENANT_CODE when allowed, else the first); the sandbox's own tenant stands in for VISIER_TENANT_CODE.
 * Undefined when no tenant is named at all.
 */
export function allowedTenants(
  config: Pick<Config, 'tenants' | 'tenantCode'>,
  sandbox: Pick<SandboxHandle, 'tenants'> | undefined,
): { tenants: string[]; defaultTenant: string } | undefined {
  const tenants = config.tenants ?? [sandbox?.tenants.primary ?? config.tenantCode].filter((t): t is string => !!t);
  const defaultTenant = config.tenantCode && tenants.includes(config.tenantCode) ? config.tenantCode : tenants[0];
  return defaultTenant === undefined ? undefined : { tenants, defaultTenant };
}

export async function startRuntime(config: Config, logger: pino.Logger): Promise<Runtime> {
  const sandbox = config.sandbox ? await startSandbox({ rateLimit: config.rateLimit }) : undefined;
  const allowed = allowedTenants(config, sandbox);
  if (allowed === undefined) {
    await sandbox?.close();
    throw new Error('VISIER_TENANT_CODE or --tenants: name the tenant(s) this server may touch');
  }
  const { tenants, defaultTenant } = allowed;
  const client = new VisierClient(visierConfig(config, sandbox, logger));
  const visier = withReadCache(client, { ttlMs: config.cacheTtlSeconds * 1000 });
  const anchor = config.auditAnchor ? createAuditAnchor(config.auditAnchor, config.auditLog, logger) : undefined;
  const guardOptions: GuardOptions = {
    mode: config.mode,
    ...(config.tenantModes ? { tenantModes: config.tenantModes } : {}),
    tenants,
    defaultTenant,
    confirm: config.confirm,
    confirmSecret: config.confirmSecret,
    elicitationTimeoutMs: config.elicitationTimeoutSeconds * 1000,
    caps: {
      maxItemsPerCall: config.maxItemsPerCall,
      maxChangesPerSession: config.maxChangesPerSession,
      maxChangesPerHour: config.maxChangesPerHour,
    },
    audit: { path: config.auditLog, keyFile: config.auditKey, logger, ...(anchor ? { anchor } : {}) },
  };
  const guard = createGuard(guardOptions);
  return {
    createServer: () =>
      createServer({
        visier,
        liveVisier: visier.live,
        guard,
        sandbox: config.sandbox,
        maxResultChars: config.maxResultChars,
        elicitationTimeoutMs: config.elicitationTimeoutSeconds * 1000,
        defaultTenant,
        logger,
        conformanceFixtures: config.conformanceFixtures,
        ...(config.reportDir === undefined ? {} : { reportDir: config.reportDir }),
        ...(config.privilegedPermissions === undefined
          ? {}
          : { privileged: privilegedPolicy(config.privilegedPermissions) }),
      }),
    rejectCall: ({ tool, args, reason, requestId }, principal) =>
      guard.reject(tool, args, { principal, ...(requestId === undefined ? {} : { requestId }) }, reason),
    ...(sandbox ? { sandbox } : {}),
    defaultTenant,
    tenants,
    close: async () => {
      await anchor?.close();
      await client.close();
      await sandbox?.close();
    },
  };
}
