import { describe, expect, it } from 'vitest';
import { answering, ctx, harness, NO_ELICITATION } from './helpers.js';

const users = (n: number, from = 0) => ({ users: Array.from({ length: n }, (_, i) => ({ userId: `u${from + i}` })) });

describe('write-confirmation threshold over a caller’s unconfirmed changes', () => {
  it('frees the count an hour after each change ran', async () => {
    const h = harness({ writeConfirmThreshold: 10 });
    expect((await h.guard.call(h.tools.write, users(6), ctx(), NO_ELICITATION)).kind).toBe('result');
    h.clock.t += 30 * 60_000;
    expect((await h.guard.call(h.tools.write, users(4), ctx(), NO_ELICITATION)).kind).toBe('result');
    expect((await h.guard.call(h.tools.write, users(1), ctx(), NO_ELICITATION)).kind).toBe('confirmation-required');
    h.clock.t += 30 * 60_000;
    // The 6 left the window; the 4 are still in it.
    expect((await h.guard.call(h.tools.write, users(6), ctx(), NO_ELICITATION)).kind).toBe('result');
    expect((await h.guard.call(h.tools.write, users(1), ctx(), NO_ELICITATION)).kind).toBe('confirmation-required');
  });

  it('two racing calls of one caller cannot both slip under the threshold', async () => {
    const h = harness({ writeConfirmThreshold: 10 });
    const outcomes = await Promise.all([
      h.guard.call(h.tools.write, users(6), ctx(), NO_ELICITATION),
      h.guard.call(h.tools.write, users(6, 6), ctx(), NO_ELICITATION),
    ]);
    expect(outcomes.filter((o) => o.kind === 'result')).toHaveLength(1);
    expect(h.ran).toHaveLength(1);
  });

  it('a confirmed call shows the running count and takes it off; other callers count apart', async () => {
    const h = harness({ writeConfirmThreshold: 10 });
    const { caller, asked } = answering({ action: 'accept', content: { confirm: true } });
    expect((await h.guard.call(h.tools.write, users(8), ctx(), caller)).kind).toBe('result');
    expect((await h.guard.call(h.tools.write, users(3), ctx(), caller)).kind).toBe('result');
    expect(asked).toHaveLength(1);
    expect(asked[0]?.message).toContain(
      'Update 3 users; with 8 people changed without confirmation by this caller in the last 60 minutes, 11 in all (threshold 10)',
    );
    expect((await h.guard.call(h.tools.write, users(10), ctx(), caller)).kind).toBe('result');
    expect(asked).toHaveLength(1);
    const other = { ...NO_ELICITATION, principal: 'bearer:other' };
    expect((await h.guard.call(h.tools.write, users(10), ctx(), other)).kind).toBe('result');
    expect(h.audit.map((a) => a.decision)).toEqual(['allowed', 'confirmed', 'allowed', 'allowed']);
  });
});
