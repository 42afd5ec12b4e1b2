// 100,000 users stream through userPages while the heap stays flat: the client keeps no page it has
// already handed over.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { User } from '../../src/providers/visier/api.js';
import type { VisierClient } from '../../src/providers/visier/client.js';
import type { SandboxHandle } from '../../src/sandbox/handle.js';
import { clientFor, countRequests, startTestSandbox } from './harness.js';

// vitest's workers run without --expose-gc; this enables it for the process at runtime.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

let handle: SandboxHandle;
let client: VisierClient;

beforeAll(async () => {
  handle = await startTestSandbox({ users: 100_000, rateLimit: false });
  client = clientFor(handle, { rateLimit: false });
}, 120_000);
afterAll(async () => {
  await client.close();
  await handle.close();
});

function heapAfterGc(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

describe('userPages over 100,000 users', () => {
  it('sees every user exactly once with memory bounded by one page', async () => {
    const seen = new Set<string>();
    let pages = 0;
    let firstPage: WeakRef<User[]> | undefined;
    let heapAt20k = 0;
    let firstPageCollected = false;
    handle.clearRequests();
    for await (const page of client.userPages({})) {
      pages++;
      for (const user of page) seen.add(user.userId);
      if (pages === 1) firstPage = new WeakRef(page);
      if (seen.size === 20_000) {
        heapAt20k = heapAfterGc();
        firstPageCollected = firstPage?.deref() === undefined;
      }
    }
    const heapAtEnd = heapAfterGc();
    expect(seen.size).toBe(100_000);
    expect(pages).toBe(100);
    // 100 full pages of 1000, then one empty page tells the generator to stop.
    expect(countRequests(handle, 'GET', '/v1/admin/users')).toBe(101);
    expect(firstPageCollected).toBe(true);
    // The Set of 80,000 more ids accounts for a few MB; a leak of pages would be far more.
    expect(heapAtEnd - heapAt20k).toBeLessThan(50 * 1024 * 1024);
  }, 120_000);
});
