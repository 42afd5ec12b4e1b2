import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './harness.js';

// Some clients list every resource at start-up, following every cursor. On a large tenant that must stay a
// few calls, not a walk of the directory against the hourly Visier budget.
let h: Harness;
beforeAll(async () => {
  h = await startHarness({ users: 100_000 });
}, 120_000);
afterAll(() => h.close());

describe('resources/list on a 100,000-user tenant', () => {
  it('an eager client that follows every cursor finishes in a few calls and costs no Visier call', async () => {
    h.sandbox.clearRequests();
    let cursor: string | undefined;
    let calls = 0;
    const uris: string[] = [];
    do {
      const page = await h.client.request({ method: 'resources/list', params: cursor ? { cursor } : {} });
      uris.push(...page.resources.map((r) => r.uri));
      cursor = page.nextCursor;
      calls++;
    } while (cursor !== undefined && calls < 2_000);
    expect(calls).toBeLessThanOrEqual(3);
    expect(h.sandbox.requests.filter((r) => r.path.includes('/users'))).toEqual([]);
    expect(uris).toContain('visier://users');
    // The users it no longer lists are still one read away, through the template.
    const { resourceTemplates } = await h.client.listResourceTemplates();
    expect(resourceTemplates.map((t) => t.uriTemplate)).toContain('visier://users/{userId}');
    const [first] = h.sandbox.snapshot().users.slice(-1);
    const read = await h.client.readResource({ uri: `visier://users/${encodeURIComponent(first!.userId)}` });
    expect(JSON.parse((read.contents[0] as { text: string }).text).userId).toBe(first!.userId);
  });
});
