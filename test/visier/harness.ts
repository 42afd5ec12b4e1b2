// Shared test plumbing: a sandbox per test file, clients wired to it, and a log capture.
import { Writable } from 'node:stream';
import pino from 'pino';
import { VisierClient } from '../../src/providers/visier/client.js';
import type { VisierClientConfig } from '../../src/providers/visier/config.js';
import type { SandboxHandle, SandboxOptions } from '../../src/sandbox/handle.js';
import { startSandbox } from '../../src/sandbox/index.js';
import { ManualClock } from '../support/manual-clock.js';

export type AuthKind = 'asid' | 'oauth2';

export function startTestSandbox(options: SandboxOptions = {}): Promise<SandboxHandle> {
  return startSandbox({ rateLimit: false, users: 60, seed: 7, ...options });
}

export function authFor(handle: SandboxHandle, kind: AuthKind): VisierClientConfig['auth'] {
  const { username, password, clientId, clientSecret } = handle.credentials;
  return kind === 'asid' ? { kind, username, password } : { kind, clientId, clientSecret, username, password };
}

/**
 * A client on the sandbox with fast retries and no client-side rate limit unless the test asks. Its waits (backoff,
 * Retry-After) take no real time: they move a clock of its own, unless the test passes one.
 */
export function clientFor(
  handle: SandboxHandle,
  overrides: Partial<VisierClientConfig> = {},
  kind: AuthKind = 'asid',
): VisierClient {
  return new VisierClient({
    host: handle.url,
    apiKey: handle.credentials.apiKey,
    auth: authFor(handle, kind),
    tenantCode: handle.tenants.primary,
    rateLimit: false,
    retry: { maxAttempts: 4, baseDelayMs: 2, maxDelayMs: 20 },
    logger: captureLogs().logger,
    clock: new ManualClock({ instant: true }),
    ...overrides,
  });
}

/** A pino logger at level trace whose every line lands in `lines`. */
export function captureLogs(): { logger: pino.Logger; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { logger: pino({ level: 'trace' }, stream), lines };
}

export function countRequests(handle: SandboxHandle, method: string, path: string | RegExp): number {
  return handle.requests.filter(
    (r) => r.method === method && (typeof path === 'string' ? r.path === path : path.test(r.path)),
  ).length;
}

/** A demo group with fewer than 50 members, and `count` users not in it: a membership change of several requests. */
export function groupAndNewcomers(handle: SandboxHandle, count: number) {
  const snap = handle.snapshot();
  const group = snap.userGroups.find((g) => g.memberIds.length < 50)!;
  const newcomers = snap.users
    .map((u) => u.userId)
    .filter((id) => !group.memberIds.includes(id))
    .slice(0, count);
  return { group, newcomers };
}
