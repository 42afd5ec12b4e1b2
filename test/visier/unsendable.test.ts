import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VisierApiError } from '../../src/providers/http/errors.js';
import type { SandboxHandle } from '../../src/sandbox/handle.js';
import { clientFor, startTestSandbox } from './harness.js';

// A routing value undici refuses to put in a request (here a NUL in the ProjectID header) reaches the client
// past any tool schema: it fails at once, is never retried, and leaves no connection behind for the next call.

const NUL_PROJECT = { projectId: 'proj\u0000ect' };
let handle: SandboxHandle;

beforeAll(async () => {
  handle = await startTestSandbox({ users: 5 });
});
afterAll(() => handle.close());

async function refusal(promise: Promise<unknown>): Promise<VisierApiError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(VisierApiError);
  return error as VisierApiError;
}

describe('a request undici refuses to build', () => {
  it('fails once, as not sent and not retryable, naming the header', async () => {
    const client = clientFor(handle, { rateLimit: { perMinute: 100, perHour: 6000 } });
    try {
      const error = await refusal(client.listUsers({ limit: 1 }, NUL_PROJECT));
      expect(error.kind).toBe('invalid-request');
      expect(error.retryable).toBe(false);
      expect(error.sent).toBe(false);
      expect(error.message).toBe('Visier GET /v1/admin/users: not sent: invalid ProjectID header (invalid-request)');
      expect(client.stats.retries).toBe(0);
    } finally {
      await client.close();
    }
  });

  it('never stalls the next call, however many came before (issue 9: twice left the next one hanging)', async () => {
    // Two connections and no retries: before the fix the third refusal already found no usable connection.
    const client = clientFor(handle, {
      connections: 2,
      retry: { maxAttempts: 1 },
      timeouts: { requestMs: 3000 },
      rateLimit: { perMinute: 100, perHour: 6000 },
    });
    try {
      for (let i = 0; i < 5; i++) await refusal(client.listUsers({ limit: 1 }, NUL_PROJECT));
      handle.clearRequests();
      const started = performance.now();
      const page = await client.listUsers({ limit: 2 });
      expect(page.items).toHaveLength(2);
      // Well under the 3 s request timeout the stalled call used to run into.
      expect(performance.now() - started).toBeLessThan(1500);
      expect(handle.requests.map((r) => `${r.method} ${r.path} ${r.status}`)).toContain('GET /v1/admin/users 200');
    } finally {
      await client.close();
    }
  });

  it('a refused chunk of a bulk operation leaves its items and the later ones not attempted', async () => {
    const client = clientFor(handle);
    try {
      const ids = Array.from({ length: 101 }, (_, i) => `user-${i}`);
      const result = await client.bulkDeleteUsers(ids, { targetTenantId: 'bad\r\ntenant' });
      expect(result.notAttempted).toBe(101);
      expect(result.items[0]?.message).toMatch(/^not sent: /);
    } finally {
      await client.close();
    }
  });
});
