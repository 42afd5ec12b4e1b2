import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BulkItem, UserInput } from '../../src/providers/visier/api.js';
import type { VisierClient } from '../../src/providers/visier/client.js';
import type { SandboxHandle } from '../../src/sandbox/handle.js';
import { clientFor, countRequests, startTestSandbox } from './harness.js';

const V2 = '/v2/admin/users';
const ITEM_FAILURE = 'An internal error occurred while processing this user. Try again later.';

let handle: SandboxHandle;
let client: VisierClient;

beforeAll(async () => {
  handle = await startTestSandbox({ users: 20 });
  client = clientFor(handle);
});
afterAll(async () => {
  await client.close();
  await handle.close();
});

function input(tag: string, i: number, fail: boolean): UserInput {
  const username = `${tag}-${i}${fail ? '-fail' : ''}@wff-demo.example`;
  return { username, displayName: `${tag} ${i}`, employeeId: `${tag}-${i}`, accountEnabled: true };
}

/** Makes the next POST /v2/admin/users fail as a whole with a 500 once `done` items have been processed. */
function failChunkAfter(done: number) {
  return (progressDone: number) => {
    if (progressDone === done) {
      handle.faults.set({
        bulkItemFailurePattern: '-fail@',
        rules: [{ kind: '500', method: 'POST', path: `^${V2}$`, count: 1 }],
      });
    }
  };
}

function createdUsernames(tag: string): string[] {
  return handle
    .snapshot()
    .users.filter((u) => u.username.startsWith(`${tag}-`))
    .map((u) => u.username);
}

describe('bulk create in chunks of 100', () => {
  it('accounts for 250 users exactly once, in order, with item failures and a failed second chunk', async () => {
    const fails = new Set([3, 99, 150, 201, 249]);
    const inputs = Array.from({ length: 250 }, (_, i) => input('big', i, fails.has(i)));
    handle.faults.set({ bulkItemFailurePattern: '-fail@' });
    handle.clearRequests();
    const progress: number[] = [];
    const fail = failChunkAfter(100);
    const result = await client.bulkCreateUsers(inputs, {
      onProgress: (done, total) => {
        expect(total).toBe(250);
        progress.push(done);
        fail(done);
      },
    });
    handle.faults.clear();

    expect(progress).toEqual([100, 200, 250]);
    expect(countRequests(handle, 'POST', V2)).toBe(3);
    expect(result.requests).toBe(3);
    expect(result.items.map((i) => i.index)).toEqual(inputs.map((_, i) => i));
    expect(result.items.map((i) => i.username)).toEqual(inputs.map((u) => u.username));
    const expectedStatus = (i: number) => ((i >= 100 && i < 200) || fails.has(i) ? 'failed' : 'succeeded');
    expect(result.items.map((i) => i.status)).toEqual(inputs.map((_, i) => expectedStatus(i)));
    expect([result.succeeded, result.failed, result.notAttempted]).toEqual([146, 104, 0]);

    for (const item of result.items.filter((i) => fails.has(i.index) && (i.index < 100 || i.index >= 200))) {
      expect(item.message).toBe(ITEM_FAILURE);
      expect(item.rci).toMatch(/\S/);
    }
    const chunkMessages = new Set(result.items.slice(100, 200).map((i) => i.message));
    expect(chunkMessages.size).toBe(1);
    expect([...chunkMessages][0]).toMatch(/\S/);
    const succeeded = result.items.filter((i) => i.status === 'succeeded');
    expect(succeeded.every((i) => i.userId && i.user?.userId === i.userId)).toBe(true);
    expect(createdUsernames('big').sort()).toEqual(succeeded.map((i) => i.username!).sort());
  });

  it('marks later chunks not_attempted when the operation is cancelled mid-way', async () => {
    const inputs = Array.from({ length: 230 }, (_, i) => input('cancel', i, false));
    const controller = new AbortController();
    const result = await client.bulkCreateUsers(inputs, {
      signal: controller.signal,
      onProgress: (done) => {
        if (done === 100) controller.abort();
      },
    });
    expect(result.items.map((i) => i.status)).toEqual([
      ...Array<BulkItem['status']>(100).fill('succeeded'),
      ...Array<BulkItem['status']>(130).fill('not_attempted'),
    ]);
    expect(result.items[100]?.message).toBe('not sent: the operation was cancelled');
    expect(result.requests).toBe(1);
    expect(createdUsernames('cancel').length).toBe(100);
  });

  it('leaves the rest not_attempted when 429s outlast the retries, and says why', async () => {
    const limitedClient = clientFor(handle, { retry: { maxAttempts: 1 } });
    handle.faults.set({ rules: [{ kind: '429', method: 'POST', path: `^${V2}$` }] });
    const result = await limitedClient.bulkCreateUsers(
      Array.from({ length: 120 }, (_, i) => input('limited', i, false)),
    );
    handle.faults.clear();
    await limitedClient.close();
    expect(result.notAttempted).toBe(120);
    expect(result.items[0]?.message).toMatch(/^not sent: Visier POST \/v2\/admin\/users: .*\(HTTP 429/);
    expect(result.items[100]?.message).toMatch(/^not sent: an earlier chunk failed: /);
    expect(createdUsernames('limited')).toEqual([]);
  });

  it('holds for any pattern of item failures and failed chunks (property)', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 260 }).chain((n) =>
          fc.record({
            fails: fc.array(fc.boolean(), { minLength: n, maxLength: n }),
            failedChunk: fc.option(fc.integer({ min: 0, max: Math.ceil(n / 100) - 1 }), { nil: undefined }),
          }),
        ),
        async ({ fails, failedChunk }) => {
          const tag = `prop${run++}`;
          const inputs = fails.map((f, i) => input(tag, i, f));
          handle.faults.set({ bulkItemFailurePattern: '-fail@' });
          if (failedChunk === 0) failChunkAfter(0)(0);
          const onProgress = failedChunk ? failChunkAfter(failedChunk * 100) : undefined;
          const result = await client.bulkCreateUsers(inputs, onProgress ? { onProgress } : {});
          handle.faults.clear();
          const inFailedChunk = (i: number) => failedChunk !== undefined && Math.floor(i / 100) === failedChunk;
          expect(result.items.map((i) => [i.index, i.username])).toEqual(inputs.map((u, i) => [i, u.username]));
          expect(result.items.map((i) => i.status)).toEqual(
            fails.map((f, i) => (inFailedChunk(i) || f ? 'failed' : 'succeeded')),
          );
          expect(result.succeeded + result.failed + result.notAttempted).toBe(inputs.length);
          expect(createdUsernames(tag).sort()).toEqual(
            result.items
              .filter((i) => i.status === 'succeeded')
              .map((i) => i.username!)
              .sort(),
          );
        },
      ),
      { numRuns: 15, seed: 42 },
    );
  });
});

describe('bulk update and delete', () => {
  it('matches results by userId and reports item failures', async () => {
    const created = await client.bulkCreateUsers(Array.from({ length: 5 }, (_, i) => input('ud', i, false)));
    const ids = created.items.map((i) => i.userId!);
    const failing = ids[2]!;
    handle.faults.set({ bulkItemFailurePattern: `^${failing}$` });
    const updated = await client.bulkUpdateUsers(
      ids.map((userId, i) => ({
        ...input('ud', i, false),
        employeeId: `ud-${i}`,
        email: '',
        accountEnabled: false,
        userId,
        displayName: `Updated ${i}`,
      })),
    );
    const deleted = await client.bulkDeleteUsers([...ids].reverse());
    handle.faults.clear();
    expect(updated.items.map((i) => [i.userId, i.status])).toEqual(
      ids.map((id) => [id, id === failing ? 'failed' : 'succeeded']),
    );
    expect(updated.items[2]?.message).toBe(ITEM_FAILURE);
    expect(deleted.items.map((i) => [i.index, i.userId, i.status])).toEqual(
      [...ids].reverse().map((id, index) => [index, id, id === failing ? 'failed' : 'succeeded']),
    );
    expect(
      handle
        .snapshot()
        .users.filter((u) => ids.includes(u.userId))
        .map((u) => [u.userId, u.displayName]),
    ).toEqual([[failing, 'ud 2']]);
  });
});

describe('a bulk chunk whose answer was lost', () => {
  it('reports users the lost attempt deleted as succeeded with a note, and a user still there as failed', async () => {
    const created = await client.bulkCreateUsers(Array.from({ length: 4 }, (_, i) => input('lost', i, false)));
    const ids = created.items.map((i) => i.userId!);
    const kept = ids[1]!;
    handle.clearRequests();
    handle.faults.set({
      bulkItemFailurePattern: `^${kept}$`,
      rules: [{ kind: 'lost-response', method: 'DELETE', path: `^${V2}$`, count: 1 }],
    });
    const deleted = await client.bulkDeleteUsers(ids);
    handle.faults.clear();
    expect(
      handle.requests.filter((r) => r.path === V2).map((r) => `${r.method} ${r.status}${r.fault ? ` ${r.fault}` : ''}`),
    ).toEqual(['DELETE 0 lost-response', 'DELETE 200']);
    expect(deleted.items.map((i) => [i.userId, i.status])).toEqual(
      ids.map((id) => [id, id === kept ? 'failed' : 'succeeded']),
    );
    expect(deleted.items[0]?.message).toMatch(/^gone: retried after an attempt whose answer was lost/);
    expect(deleted.items[1]?.message).toBe(ITEM_FAILURE);
    expect([deleted.succeeded, deleted.failed, deleted.notAttempted]).toEqual([3, 1, 0]);
    expect(
      handle
        .snapshot()
        .users.filter((u) => ids.includes(u.userId))
        .map((u) => u.userId),
    ).toEqual([kept]);
  });

  it('without a lost answer, a failure for a missing user stays a failure', async () => {
    const deleted = await client.bulkDeleteUsers(['no-such-user']);
    expect(deleted.items.map((i) => i.status)).toEqual(['failed']);
  });
});
