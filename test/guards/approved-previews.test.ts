import { describe, expect, it } from 'vitest';
import type { ImpactPreview } from '../../src/contract/tool.js';
import { ApprovedPreviews } from '../../src/guards/approved-previews.js';

const preview = (targets: number): ImpactPreview => ({
  summary: `${targets} targets`,
  targets: new Array(targets).fill({ kind: 'user', id: 'u' }),
  fingerprint: 'f',
});

describe('ApprovedPreviews', () => {
  it('gives a preview back once, and not after its token expired', () => {
    const clock = { t: 0 };
    const held = new ApprovedPreviews(() => clock.t);
    held.remember('a', preview(1), 1_000);
    held.remember('b', preview(1), 1_000);
    expect(held.take('a')?.summary).toBe('1 targets');
    expect(held.take('a')).toBeUndefined();
    clock.t = 1_000;
    expect(held.take('b')).toBeUndefined();
  });

  it('forgets the oldest previews once too many targets are held', () => {
    const held = new ApprovedPreviews(() => 0);
    held.remember('old', preview(150_000), 1_000);
    held.remember('new', preview(150_000), 1_000);
    expect(held.take('old')).toBeUndefined();
    expect(held.take('new')?.summary).toBe('150000 targets');
  });
});
