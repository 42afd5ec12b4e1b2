import { describe, expect, it } from 'vitest';
import { SignInStateSeal } from '../../src/approvals/sign-in-state.js';
import { spentInMemory } from '../../src/approvals/spent-sign-ins.js';

const started = { id: 'the-id', nonce: 'the-nonce-xyz', verifier: 'the-verifier-xyz', expires: 1_000 };

describe('sign-ins under way, sealed into their state', () => {
  it('only a seal with the same secret opens a state, and nothing of it is readable on the way', async () => {
    const state = await new SignInStateSeal('the-replicas-shared-secret').seal(started);
    for (const secret of [started.nonce, started.verifier]) expect(state).not.toContain(secret);
    expect(await new SignInStateSeal('the-replicas-shared-secret').open(state)).toEqual(started);
    expect(await new SignInStateSeal('another-deployment-secret').open(state)).toBeUndefined();
    const altered = `${state.slice(0, -3)}${state.endsWith('AAA') ? 'BBB' : 'AAA'}`;
    expect(await new SignInStateSeal('the-replicas-shared-secret').open(altered)).toBeUndefined();
    expect(await new SignInStateSeal('the-replicas-shared-secret').open('forged-by-an-attacker')).toBeUndefined();
  });

  it('a finished sign-in is spent once, and forgotten once its state expired', async () => {
    let now = 0;
    const spend = spentInMemory(() => now);
    expect(await spend('the-id', 1_000)).toBe(true);
    expect(await spend('the-id', 1_000)).toBe(false);
    now = 1_000;
    expect(await spend('the-id', 1_000)).toBe(true);
  });
});
