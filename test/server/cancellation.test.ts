import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ users: 3000 });
});
afterAll(() => h.close());

const visierReads = () => h.sandbox.requests.filter((r) => r.method === 'GET' && !r.path.endsWith('visierSecureToken'));

describe('cancellation of a search', () => {
  // A search reads the directory snapshot; when its only caller cancels, the fill stops between requests.
  it('a cancelled search stops filling the directory snapshot', async () => {
    h.sandbox.faults.set({ latencyMs: 200 });
    h.sandbox.clearRequests();
    const controller = new AbortController();
    const call = h.client.callTool(
      { name: 'list_users', arguments: { search: 'no-such-person' } },
      {
        signal: controller.signal,
      },
    );
    while (visierReads().length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    controller.abort();
    await expect(call).rejects.toThrow();
    // Let the request in flight land, then make sure no further one was sent (a whole fill is 4).
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(visierReads().length).toBe(1);
    h.sandbox.faults.clear();
  });
});
