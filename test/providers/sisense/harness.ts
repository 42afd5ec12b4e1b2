// Shared plumbing for the Sisense client tests: a sandbox per file and clients on its sites.

import { SisenseClient } from '../../../src/providers/sisense/client.js';
import type { SisenseClientConfig } from '../../../src/providers/sisense/config.js';
import { SisenseApiError } from '../../../src/providers/sisense/errors.js';
import type {
  SisenseSandboxHandle,
  SisenseSandboxOptions,
  SisenseSiteCredential,
} from '../../../src/sandbox/sisense/handle.js';
import { startSisenseSandbox } from '../../../src/sandbox/sisense/index.js';
import { captureLogs } from '../../visier/harness.js';

export { captureLogs };

export function startTestSandbox(options: SisenseSandboxOptions = {}): Promise<SisenseSandboxHandle> {
  return startSisenseSandbox({ seed: 7, ...options });
}

/** A client on a sandbox site with fast retries, logging into a capture unless the test gives a logger. */
export function clientFor(
  handle: SisenseSandboxHandle,
  site: SisenseSiteCredential = handle.sites.primary,
  overrides: Partial<SisenseClientConfig> = {},
): SisenseClient {
  return new SisenseClient({
    host: handle.url,
    site: site.site,
    apiKey: site.apiKey,
    retry: { maxAttempts: 4, baseDelayMs: 2, maxDelayMs: 20 },
    logger: captureLogs().logger,
    ...overrides,
  });
}

export async function failure(promise: Promise<unknown>): Promise<SisenseApiError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SisenseApiError);
  return error as SisenseApiError;
}

/** `METHOD status[ fault]` of every request to `path`, in order: what went over the wire. */
export function wire(handle: SisenseSandboxHandle, path: string | RegExp): string[] {
  return handle.requests
    .filter((r) => (typeof path === 'string' ? r.path === path : path.test(r.path)))
    .map((r) => `${r.method} ${r.status}${r.fault ? ` ${r.fault}` : ''}`);
}

import { expect } from 'vitest';
