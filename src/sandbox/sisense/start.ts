// Builds the demo sites, starts the HTTP server on loopback and returns the handle tests drive it with.
import type { AddressInfo } from 'node:net';
import { Faults } from '../faults.js';
import type { RequestLogEntry } from '../handle.js';
import { createPrng } from '../prng.js';
import { RateLimiter } from '../rate-limit.js';
import { buildDemoSites } from './demo-data.js';
import { SISENSE_SITES } from './demo-ids.js';
import type { SisenseSandboxHandle, SisenseSandboxOptions } from './handle.js';
import { createSisenseServer } from './server.js';

export async function startSisenseSandbox(options: SisenseSandboxOptions = {}): Promise<SisenseSandboxHandle> {
  const seed = options.seed ?? 1;
  const pageSize = options.pageSize ?? 50;
  if (!Number.isInteger(pageSize) || pageSize < 1) throw new RangeError(`pageSize must be an integer >= 1`);
  const sites = buildDemoSites(options.users ?? 120, seed);
  const services = {
    sites,
    keys: new Map(Object.values(SISENSE_SITES).map((s) => [s.site, s.apiKey])),
    faults: new Faults(createPrng(seed ^ 0x85ebca6b), options.faults),
    limiter: new RateLimiter(options.rateLimit ?? false),
    pageSize,
  };
  const requests: RequestLogEntry[] = [];
  const server = createSisenseServer(services, requests);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host}:${address.port}`,
    sites: { primary: { ...SISENSE_SITES.primary }, secondary: { ...SISENSE_SITES.secondary } },
    siteWithoutApi: { ...SISENSE_SITES.withoutApi },
    faults: services.faults,
    requests,
    clearRequests: () => {
      requests.length = 0;
    },
    snapshot: (name = SISENSE_SITES.primary.site) => {
      const site = sites.get(name);
      if (!site) throw new Error(`Unknown site '${name}'`);
      return {
        users: [...site.users.values()].map(({ email, first_name, last_name, groups, invited_by_email }) =>
          structuredClone({ email, first_name, last_name, groups, invited_by_email }),
        ),
        groups: [...site.groups.values()].map(({ name: n, access, built_in }) => ({ name: n, access, built_in })),
      };
    },
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
