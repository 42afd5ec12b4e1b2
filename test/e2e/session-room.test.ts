import { describe, expect, it } from 'vitest';
import { defaultMaxPerPerson, type HeldSession, roomFor } from '../../src/transports/session-room.js';

// Who gets a session at the caps, and at whose expense: never another person's.

const RULES = { maxSessions: 4, maxPerPerson: 2, idleMs: 60_000 };
const NOW = 1_000_000;
const NONE_STARTING = { own: 0, total: 0 };
const held = (id: string, principal: string, busy: number, lastActive: number): HeldSession => ({
  id,
  principal,
  busy,
  lastActive,
});
const mallory = { principal: 'mallory', person: true };

describe('session room', () => {
  it('a person at her own cap closes her least recently active idle session, never anyone else’s', () => {
    const sessions = [
      held('a1', 'alice', 0, NOW - 50_000),
      held('m1', 'mallory', 0, NOW - 10),
      held('m2', 'mallory', 0, NOW - 20),
    ];
    expect(roomFor(mallory, sessions, NONE_STARTING, RULES, NOW)).toEqual({ kind: 'evict', id: 'm2' });
  });

  it('a person at her cap with every session busy is refused with 503 words naming the cap', () => {
    const sessions = [held('a1', 'alice', 0, NOW), held('m1', 'mallory', 1, NOW), held('m2', 'mallory', 2, NOW)];
    const room = roomFor(mallory, sessions, NONE_STARTING, RULES, NOW);
    expect(room).toMatchObject({ kind: 'refused', retryAfterSeconds: 60 });
    expect(room.kind === 'refused' && room.message).toMatch(/at most 2 per person, a tenth of --max-sessions 4/);
  });

  it('at the server’s cap, a newcomer with no idle session of her own is refused, told when one idles out', () => {
    const sessions = [
      held('a1', 'alice', 0, NOW - 30_000),
      held('a2', 'alice', 0, NOW - 10_000),
      held('b1', 'bob', 1, NOW),
      held('m1', 'mallory', 1, NOW),
    ];
    const room = roomFor(mallory, sessions, NONE_STARTING, RULES, NOW);
    expect(room).toMatchObject({ kind: 'refused', retryAfterSeconds: 30 });
    expect(room.kind === 'refused' && room.message).toMatch(/at most 4, --max-sessions.*not closed for a newcomer/);
  });

  it('sessions still initialising count against both caps', () => {
    expect(roomFor(mallory, [], { own: 2, total: 2 }, RULES, NOW)).toMatchObject({ kind: 'refused' });
    expect(roomFor(mallory, [], { own: 0, total: 4 }, RULES, NOW)).toMatchObject({ kind: 'refused' });
    expect(roomFor(mallory, [], { own: 1, total: 3 }, RULES, NOW)).toEqual({ kind: 'free' });
  });

  it('a shared bearer names nobody: its cap is the server’s, and its sessions make room for each other', () => {
    const bearer = { principal: 'bearer', person: false };
    const sessions = [held('s1', 'bearer', 0, NOW - 5), held('s2', 'bearer', 0, NOW - 9), held('s3', 'bearer', 1, NOW)];
    expect(roomFor(bearer, sessions, NONE_STARTING, RULES, NOW)).toEqual({ kind: 'free' });
    expect(roomFor(bearer, [...sessions, held('s4', 'bearer', 0, NOW)], NONE_STARTING, RULES, NOW)).toEqual({
      kind: 'evict',
      id: 's2',
    });
  });

  it('a person may hold a tenth of the server’s sessions, at least one', () => {
    expect([1, 5, 20, 100].map(defaultMaxPerPerson)).toEqual([1, 1, 2, 10]);
  });
});
