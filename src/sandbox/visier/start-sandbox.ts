// Builds the demo tenants, starts the HTTP server on loopback and returns the handle tests drive it with.
import type { AddressInfo } from 'node:net';
import { Faults } from '../faults.js';
import type { SandboxHandle, SandboxOptions } from '../handle.js';
import { createPrng } from '../prng.js';
import { RateLimiter } from '../rate-limit.js';
import { RequestLog } from '../request-log.js';
import type { SandboxServices } from './context.js';
import { buildDemoTenants } from './demo-data.js';
import { DEMO_CREDENTIALS, DEMO_TENANTS } from './demo-ids.js';
import { createSandboxServer } from './server.js';
import { TokenStore } from './tokens.js';

export const MAX_USERS = 100_000;

export async function startSandbox(options: SandboxOptions = {}): Promise<SandboxHandle> {
  const users = options.users ?? 200;
  if (!Number.isInteger(users) || users < 1 || users > MAX_USERS) {
    throw new RangeError(`users must be an integer from 1 to ${MAX_USERS}, got ${users}`);
  }
  const seed = options.seed ?? 1;
  const tenants = buildDemoTenants(users, seed);
  const services: SandboxServices = {
    credentials: { ...DEMO_CREDENTIALS },
    tokens: new TokenStore(options.tokenTtlSeconds ?? 3600),
    faults: new Faults(createPrng(seed ^ 0x85ebca6b), options.faults),
    tenants,
    primaryTenant: DEMO_TENANTS.primary,
    dataQuery: options.dataQuery ?? true,
  };
  const limiter = new RateLimiter(options.rateLimit ?? { perMinute: 100, perHour: 6000 });
  const log = new RequestLog();
  const server = createSandboxServer(services, limiter, log);
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
    credentials: { ...services.credentials },
    tenants: { ...DEMO_TENANTS },
    faults: services.faults,
    requests: log.entries,
    clearRequests: () => log.clear(),
    nextRequest: (match) => log.next(match),
    snapshot: (tenantCode, projectId) => {
      const tenant = tenants.get(tenantCode ?? DEMO_TENANTS.primary);
      if (!tenant) throw new Error(`Unknown tenant '${tenantCode}'`);
      return (projectId === undefined ? tenant : tenant.requireProject(projectId)).snapshot();
    },
    expireTokens: () => services.tokens.expireAll(),
    close: () => {
      // Dropping every connection also ends requests held open by a `timeout` fault.
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
