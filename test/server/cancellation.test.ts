import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ users: 3000 });
});
afterAll(() => h.close());

const userPageRequests = () =>
  h.sandbox.requests.filter((r) => r.method === 'GET' && r.path === '/v1/admin/users').length;

describe('progress and cancellation on a full listing', () => {
  it('reports monotonic progress per page scanned', async () => {
    const seen: { progress: number; message?: string }[] = [];
    const r = await h.client.callTool(
      { name: 'list_users', arguments: { search: 'no-such-person' } },
      {
        onprogress: (p) => seen.push({ progress: p.progress, ...(p.message ? { message: p.message } : {}) }),
      },
    );
    expect((r.structuredContent as { returned: number }).returned).toBe(0);
    expect(seen.map((p) => p.progress)).toEqual([1000, 2000, 3000]);
    expect(seen[2]?.message).toBe('scanned 3000 users');
  });

  it('a cancelled scan stops asking Visier for pages', async () => {
    h.sandbox.faults.set({ latencyMs: 200 });
    h.sandbox.clearRequests();
    const controller = new AbortController();
    const call = h.client.callTool(
      { name: 'list_users', arguments: { search: 'no-such-person' } },
      {
        signal: controller.signal,
      },
    );
    while (userPageRequests() === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    controller.abort();
    await expect(call).rejects.toThrow();
    // Let any page still in flight land, then make sure no further page was requested.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(userPageRequests()).toBe(1);
    h.sandbox.faults.clear();
  });
});
