import { describe, expect, it } from 'vitest';
import { VisierApiError } from '../../src/providers/http/errors.js';
import { NO_RESULT_MESSAGE, runBulk } from '../../src/providers/visier/bulk.js';

interface Success {
  username?: string;
  userId?: string;
}
interface Failure {
  userName?: string;
  message: string;
}

/** A plan over usernames whose replies come from `reply`, so the matching rules can be pinned exactly. */
function plan(
  items: string[],
  reply: (chunk: string[], call: number) => { successes: Success[]; failures: Failure[] },
) {
  let calls = 0;
  return {
    items,
    keyOfItem: (u: string) => u,
    keyOfSuccess: (s: Success) => s.username,
    keyOfFailure: (f: Failure) => f.userName,
    describe: (u: string) => ({ username: u }),
    succeeded: (_u: string, s: Success) => (s.userId ? { userId: s.userId } : {}),
    failed: (f: Failure) => ({ message: f.message }),
    send: async (chunk: string[]) => reply(chunk, calls++),
    chunkSize: 3,
  };
}

describe('runBulk result matching', () => {
  it('matches reordered replies by key, case-insensitively, and marks missing ones', async () => {
    const items = ['a@x', 'B@x', 'c@x', 'd@x', 'e@x'];
    const result = await runBulk(
      plan(items, (chunk, call) =>
        call === 0
          ? {
              successes: [
                { username: 'c@x', userId: 'id-c' },
                { username: 'b@X', userId: 'id-b' },
              ],
              failures: [],
            }
          : { successes: [{ username: 'e@x', userId: 'id-e' }], failures: [{ userName: chunk[0]!, message: 'nope' }] },
      ),
      () => 2,
    );
    expect(result.items).toEqual([
      { index: 0, status: 'failed', username: 'a@x', message: NO_RESULT_MESSAGE },
      { index: 1, status: 'succeeded', username: 'B@x', userId: 'id-b' },
      { index: 2, status: 'succeeded', username: 'c@x', userId: 'id-c' },
      { index: 3, status: 'failed', username: 'd@x', message: 'nope' },
      { index: 4, status: 'succeeded', username: 'e@x', userId: 'id-e' },
    ]);
    expect([result.succeeded, result.failed, result.notAttempted, result.requests]).toEqual([3, 2, 0, 2]);
  });

  it('settles duplicate keys one reply each and ignores replies for unknown keys', async () => {
    const result = await runBulk(
      plan(['dup@x', 'dup@x', 'other@x'], () => ({
        successes: [
          { username: 'dup@x', userId: '1' },
          { username: 'stranger@x', userId: '9' },
        ],
        failures: [{ userName: 'dup@x', message: 'exists' }],
      })),
      () => 1,
    );
    expect(result.items.map((i) => [i.status, i.userId ?? i.message])).toEqual([
      ['succeeded', '1'],
      ['failed', 'exists'],
      ['failed', NO_RESULT_MESSAGE],
    ]);
  });

  it('fails a chunk Visier rejected and keeps going; a lost connection stops the run', async () => {
    const rejected = new VisierApiError({
      kind: 'http',
      method: 'POST',
      path: '/v2/admin/users',
      status: 400,
      localizedMessage: 'bad chunk',
      rci: 'r1',
      retryable: false,
    });
    const lost = new VisierApiError({ kind: 'network', method: 'POST', path: '/v2/admin/users', retryable: false });
    let sent = 0;
    const result = await runBulk(
      {
        ...plan(['a', 'b', 'c', 'd', 'e', 'f', 'g'], () => ({ successes: [], failures: [] })),
        send: async (chunk: string[]) => {
          sent++;
          if (chunk[0] === 'a') throw rejected;
          if (chunk[0] === 'd') throw lost;
          return { successes: [], failures: [] };
        },
      },
      () => sent,
    );
    expect(result.items.map((i) => [i.status, i.message, i.rci])).toEqual([
      ['failed', 'bad chunk', 'r1'],
      ['failed', 'bad chunk', 'r1'],
      ['failed', 'bad chunk', 'r1'],
      ['failed', `outcome unknown: ${lost.message}`, undefined],
      ['failed', `outcome unknown: ${lost.message}`, undefined],
      ['failed', `outcome unknown: ${lost.message}`, undefined],
      ['not_attempted', `not sent: an earlier chunk failed: ${lost.message}`, undefined],
    ]);
    expect(sent).toBe(2);
  });
});
