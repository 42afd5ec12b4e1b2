// Starting Visier: the client from VISIER_* credentials, or the embedded sandbox's demo tenant.
import type pino from 'pino';
import type { Config } from '../config.js';
import { withReadCache } from '../providers/visier/cache.js';
import { VisierClient } from '../providers/visier/client.js';
import type { VisierClientConfig } from '../providers/visier/config.js';
import { type SandboxHandle, startSandbox } from '../sandbox/index.js';
import type { SharedReads } from '../shared-state/shared-reads.js';
import type { SharedStore } from '../shared-state/store.js';
import type { StartedProvider } from './started.js';

/** How to reach Visier: the embedded sandbox when one runs, else the configured tenant. Throws without credentials. */
export function visierConfig(
  config: Config,
  sandbox: SandboxHandle | undefined,
  logger: pino.Logger,
  shared?: SharedStore,
): VisierClientConfig {
  const rateStore = shared === undefined ? {} : { rateStore: shared };
  if (sandbox) {
    const { apiKey, username, password } = sandbox.credentials;
    return {
      host: sandbox.url,
      apiKey,
      auth: { kind: 'asid', username, password },
      tenantCode: sandbox.tenants.primary,
      rateLimit: config.rateLimit,
      ...rateStore,
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
    ...rateStore,
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

export async function startVisier(
  config: Config,
  logger: pino.Logger,
  shared?: SharedStore & SharedReads,
): Promise<StartedProvider<SandboxHandle>> {
  const sandbox = config.sandbox ? await startSandbox({ rateLimit: config.rateLimit }) : undefined;
  const allowed = allowedTenants(config, sandbox);
  if (allowed === undefined) {
    await sandbox?.close();
    throw new Error('VISIER_TENANT_CODE or --tenants: name the tenant(s) this server may touch');
  }
  const target = visierConfig(config, sandbox, logger, shared);
  const client = new VisierClient(target);
  const api = withReadCache(client, {
    ttlMs: config.cacheTtlSeconds * 1000,
    snapshotTtlMs: config.directoryTtlSeconds * 1000,
    ...(shared === undefined ? {} : { shared }),
  });
  return {
    api,
    liveApi: api.live,
    host: target.host,
    probe: async () => {
      await client.listUsers({ limit: 1 }, { tenantCode: allowed.defaultTenant });
      return `read a user page of tenant ${allowed.defaultTenant}`;
    },
    ...allowed,
    ...(sandbox ? { sandbox } : {}),
    close: async () => {
      await client.close();
      await sandbox?.close();
    },
  };
}
