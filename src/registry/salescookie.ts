// Starting Sales Cookie: the client from SALESCOOKIE_API_KEY (and SALESCOOKIE_HOST), or the embedded sandbox's demo
// workspace. One API key reaches one workspace, so the allowlist is that workspace's name: `--tenants` must name
// it, or the server does not start.
import type pino from 'pino';
import type { Config } from '../config.js';
import { counted } from '../grammar.js';
import { DEFAULT_BASE_URL } from '../providers/salescookie/config.js';
import { SalescookieClient } from '../providers/salescookie/index.js';
import { salescookieResources } from '../resources/salescookie.js';
import { type SalescookieSandbox, startSalescookieSandbox } from '../sandbox/salescookie/index.js';
import { salescookieProvider } from '../tools/salescookie/provider.js';
import type { ProviderServing } from './serving.js';
import type { StartedProvider } from './started.js';

export const SALESCOOKIE_SERVING: ProviderServing = {
  provider: salescookieProvider,
  resources: salescookieResources,
};

/** The workspace name SALESCOOKIE_WORKSPACE gives when unset. */
const DEFAULT_WORKSPACE = 'salescookie';

export async function startSalescookie(
  config: Config,
  logger: pino.Logger,
): Promise<StartedProvider<SalescookieSandbox>> {
  // `--rate-limit off` turns the sandbox's OData allowance off too, as it does Visier's sandbox limit.
  const sandbox = config.sandbox
    ? await startSalescookieSandbox(config.rateLimit === false ? { odataRateLimit: false } : {})
    : undefined;
  const apiKey = sandbox?.apiKey ?? config.salescookieApiKey;
  if (apiKey === undefined) throw new Error('SALESCOOKIE_API_KEY is needed outside the sandbox');
  const workspace = sandbox?.workspace.name ?? config.salescookieWorkspace ?? DEFAULT_WORKSPACE;
  if (config.tenants !== undefined && !config.tenants.includes(workspace)) {
    await sandbox?.close();
    throw new Error(
      `--tenants must name the Sales Cookie workspace ${JSON.stringify(workspace)}: one API key reaches that workspace alone`,
    );
  }
  const client = new SalescookieClient({
    apiKey,
    ...(sandbox ? { baseUrl: sandbox.url } : config.salescookieHost ? { baseUrl: config.salescookieHost } : {}),
    rateLimit: config.rateLimit,
    logger,
  });
  return {
    api: client,
    liveApi: client,
    tenants: config.tenants ?? [workspace],
    defaultTenant: workspace,
    host: sandbox?.url ?? config.salescookieHost ?? DEFAULT_BASE_URL,
    probe: async () => {
      const page = await client.listUsers({ limit: 1 });
      return `read a user page of workspace ${workspace} (${counted(page.items.length, 'user')})`;
    },
    ...(sandbox ? { sandbox } : {}),
    close: async () => {
      await client.close();
      await sandbox?.close();
    },
  };
}
