// Shared plumbing for the Sales Cookie client tests: a sandbox per file, a client wired to it with fast
// retries, a log capture, and request counting through the client's stats.
import type { SalescookieClientConfig } from '../../../src/providers/salescookie/config.js';
import { SalescookieClient } from '../../../src/providers/salescookie/index.js';
import type { SalescookieSandbox, SalescookieSandboxOptions } from '../../../src/sandbox/salescookie/index.js';
import { startSalescookieSandbox } from '../../../src/sandbox/salescookie/index.js';
import { captureLogs } from '../../visier/harness.js';

export { captureLogs };

export function startTestSandbox(options: SalescookieSandboxOptions = {}): Promise<SalescookieSandbox> {
  return startSalescookieSandbox({ users: 30, seed: 7, odataRateLimit: false, ...options });
}

export function clientFor(sandbox: SalescookieSandbox, overrides: Partial<SalescookieClientConfig> = {}) {
  return new SalescookieClient({
    baseUrl: sandbox.url,
    apiKey: sandbox.apiKey,
    retry: { maxAttempts: 3, baseDelayMs: 2, maxDelayMs: 20 },
    logger: captureLogs().logger,
    ...overrides,
  });
}

/** HTTP requests `run` made through `client`, counted by the client itself. */
export async function requestsOf<T>(
  client: SalescookieClient,
  run: () => Promise<T>,
): Promise<{ value: T; requests: number }> {
  const before = client.stats.requests;
  const value = await run();
  return { value, requests: client.stats.requests - before };
}

/** The error `promise` rejects with; fails the test if it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<Error> {
  const outcome = await promise.then(
    () => new Error('expected the call to fail'),
    (e: unknown) => e,
  );
  if (!(outcome instanceof Error) || outcome.message === 'expected the call to fail') {
    throw new Error('expected the call to fail');
  }
  return outcome;
}
