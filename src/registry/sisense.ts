// Starting Sisense for Cloud Data Teams: one client per site of SISENSE_PARTNER_AUTH, or the embedded sandbox's
// sites and keys.
import type pino from 'pino';
import type { Config } from '../config.js';
import { counted } from '../grammar.js';
import { SisenseClient } from '../providers/sisense/client.js';
import { DEFAULT_SISENSE_HOST } from '../providers/sisense/config.js';
import { SisenseSites } from '../providers/sisense/sites.js';
import { type SisenseSandboxHandle, startSisenseSandbox } from '../sandbox/sisense/index.js';
import type { StartedProvider } from './started.js';

/**
 * The site allowlist is `--tenants` when given (each must be a configured site), else every configured site; the
 * first is where a call naming no site acts. Throws naming what is missing or unknown. `--rate-limit` is Visier's
 * published limit and does not apply: Sisense publishes none, so neither the client nor the sandbox limits calls,
 * and the client honours a 429's Retry-After.
 */
export async function startSisense(
  config: Config,
  logger: pino.Logger,
): Promise<StartedProvider<SisenseSandboxHandle>> {
  const sandbox = config.sandbox ? await startSisenseSandbox() : undefined;
  const credentials = sandbox ? [sandbox.sites.primary, sandbox.sites.secondary] : (config.sisenseSites ?? []);
  const host = sandbox?.url ?? config.sisenseHost;
  try {
    if (credentials.length === 0) throw new Error('SISENSE_PARTNER_AUTH: name at least one SITE:API_KEY pair');
    const sites = new SisenseSites(
      credentials.map(
        ({ site, apiKey }) =>
          new SisenseClient({
            site,
            apiKey,
            ...(host === undefined ? {} : { host }),
            logger,
          }),
      ),
    );
    const tenants = config.tenants ?? sites.names;
    const unknown = tenants.find((t) => !sites.names.includes(t));
    if (unknown !== undefined) {
      await sites.close();
      throw new Error(
        `--tenants: '${unknown}' is not a configured Sisense site (configured: ${sites.names.join(', ')})`,
      );
    }
    const defaultTenant = tenants[0] as string;
    return {
      api: sites,
      liveApi: sites,
      tenants,
      defaultTenant,
      host: host ?? DEFAULT_SISENSE_HOST,
      probe: async () => {
        const page = await sites.site(defaultTenant).listUsersPage({});
        return `read a user page of site ${defaultTenant} (${counted(page.items.length, 'user')})`;
      },
      ...(sandbox ? { sandbox } : {}),
      close: async () => {
        await sites.close();
        await sandbox?.close();
      },
    };
  } catch (error) {
    await sandbox?.close();
    throw error;
  }
}
