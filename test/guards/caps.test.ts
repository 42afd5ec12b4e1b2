import { describe, expect, it } from 'vitest';
import { ChangeBudget } from '../../src/guards/caps.js';

function budget(limits: { maxItemsPerCall: number; maxChangesPerSession: number; maxChangesPerHour: number }) {
  const clock = { t: 1_000_000 };
  return { clock, budget: new ChangeBudget(limits, () => clock.t) };
}

describe('ChangeBudget', async () => {
  it('refuses a call over the per-call cap with the numbers', async () => {
    const { budget: b } = budget({ maxItemsPerCall: 500, maxChangesPerSession: 2000, maxChangesPerHour: 5000 });
    expect(await b.check(750, 's1')).toEqual({
      reason: 'item-cap',
      text: 'this call touches 750 users; the cap is 500 per call. Split it into smaller calls.',
    });
    expect(await b.check(500, 's1')).toBeUndefined();
  });

  it('counts per caller only what was taken, and callers apart', async () => {
    const { budget: b } = budget({ maxItemsPerCall: 100, maxChangesPerSession: 150, maxChangesPerHour: 10_000 });
    expect(await b.check(100, 's1')).toBeUndefined();
    expect(await b.check(100, 's1')).toBeUndefined();
    expect(await b.take(100, 's1')).toBeUndefined();
    expect(await b.take(60, 's1')).toEqual({
      reason: 'caller-budget',
      text: 'this call touches 60 users; this caller has made 100 of its 150 allowed changes (all its sessions together).',
    });
    expect(await b.take(50, 's1')).toBeUndefined();
    expect((await b.check(1, 's1'))?.reason).toBe('caller-budget');
    expect(await b.take(100, 's2')).toBeUndefined();
  });

  it('limits the server per rolling hour and frees the budget as the hour passes', async () => {
    const { budget: b, clock } = budget({ maxItemsPerCall: 100, maxChangesPerSession: 10_000, maxChangesPerHour: 150 });
    expect(await b.take(100, 'a')).toBeUndefined();
    clock.t += 30 * 60_000;
    expect(await b.take(50, 'b')).toBeUndefined();
    expect(await b.take(1, 'c')).toEqual({
      reason: 'hour-budget',
      text: 'this call touches 1 user; the server has made 150 of its 150 allowed changes in the last hour.',
    });
    clock.t += 30 * 60_000;
    expect(await b.take(100, 'c')).toBeUndefined();
    expect((await b.check(1, 'd'))?.text).toBe(
      'this call touches 1 user; the server has made 150 of its 150 allowed changes in the last hour.',
    );
  });
});
