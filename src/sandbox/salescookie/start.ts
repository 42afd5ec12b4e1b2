// Builds the demo workspace, starts the HTTP server on loopback and returns the handle tests drive it with.
import type { AddressInfo } from 'node:net';
import { Faults } from '../faults.js';
import { createPrng } from '../prng.js';
import { RateLimiter } from '../rate-limit.js';
import { buildDemoWorkspace } from './demo-data.js';
import { DEMO_API_KEY, DEMO_WORKSPACE } from './demo-ids.js';
import type { SalescookieRequestLogEntry, SalescookieSandbox, SalescookieSandboxOptions } from './handle.js';
import { createSalescookieServer } from './server.js';

export const MAX_GENERATED_USERS = 10_000;

/** Default OData allowance; Sales Cookie only says heavy use is answered with 429. */
const DEFAULT_ODATA_LIMIT = { perMinute: 120, perHour: 6000 };

export async function startSalescookieSandbox(options: SalescookieSandboxOptions = {}): Promise<SalescookieSandbox> {
  const users = options.users ?? 40;
  if (!Number.isInteger(users) || users < 0 || users > MAX_GENERATED_USERS) {
    throw new RangeError(`users must be an integer from 0 to ${MAX_GENERATED_USERS}, got ${users}`);
  }
  const seed = options.seed ?? 1;
  const workspace = buildDemoWorkspace(users, seed);
  const faults = new Faults(createPrng(seed ^ 0x85ebca6b), options.faults);
  const requests: SalescookieRequestLogEntry[] = [];
  let url = '';
  const server = createSalescookieServer({
    context: { workspace, faults },
    limiter: new RateLimiter(options.odataRateLimit ?? DEFAULT_ODATA_LIMIT),
    log: requests,
    baseUrl: () => url,
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  url = `http://${host}:${address.port}/app`;
  let closing: Promise<void> | undefined;
  return {
    url,
    apiKey: DEMO_API_KEY,
    workspace: { ...DEMO_WORKSPACE },
    faults,
    requests,
    clearRequests: () => {
      requests.length = 0;
    },
    state: () => workspace.snapshot(),
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
