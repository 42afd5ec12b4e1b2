import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SandboxHandle, startSandbox } from '../../src/sandbox/index.js';
import { RateLimiter } from '../../src/sandbox/rate-limit.js';
import { rawCall, Session } from './session.js';

let sandbox: SandboxHandle;
beforeAll(async () => {
  sandbox = await startSandbox({ users: 10, rateLimit: { perMinute: 4, perHour: 4 } });
});
afterAll(() => sandbox.close());

describe('rate limits per API key', () => {
  it('sends the four X-RateLimit headers on every response and 429s over the limit', async () => {
    // The login carries no apikey, so it counts against a separate (anonymous) budget.
    const session = await Session.login(sandbox);
    const seen: [number, string | null, string | null][] = [];
    for (let i = 0; i < 5; i++) {
      const call = await session.get('/v1/admin/permissions');
      seen.push([
        call.status,
        call.headers.get('x-ratelimit-remaining-minute'),
        call.headers.get('x-ratelimit-remaining-hour'),
      ]);
      expect(call.headers.get('x-ratelimit-limit-minute')).toBe('4');
      expect(call.headers.get('x-ratelimit-limit-hour')).toBe('4');
    }
    expect(seen).toEqual([
      [200, '3', '3'],
      [200, '2', '2'],
      [200, '1', '1'],
      [200, '0', '0'],
      [429, '0', '0'],
    ]);
    const over = await session.get('/v1/admin/permissions');
    expect(over.status).toBe(429);
    expect(over.json).toMatchObject({ code: 'TooManyRequests', localizedMessage: 'API rate limit exceeded' });
    const retryAfter = Number(over.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(3600);
  });

  it('counts per API key: another key has its own budget (and gets a 401, with headers)', async () => {
    const other = await rawCall(sandbox, 'GET', '/v1/admin/permissions', { headers: { apikey: 'someone-else' } });
    expect(other.status).toBe(401);
    expect(other.headers.get('x-ratelimit-remaining-minute')).toBe('3');
  });

  it('windows are clock-aligned: the minute resets, the hour does not, Retry-After names the blocking window', () => {
    const limiter = new RateLimiter({ perMinute: 2, perHour: 3 });
    const t0 = Date.UTC(2026, 0, 1, 10, 0, 0);
    expect(limiter.take('k', t0).allowed).toBe(true);
    expect(limiter.take('k', t0 + 1_000).allowed).toBe(true);
    const minuteBlocked = limiter.take('k', t0 + 15_000);
    expect(minuteBlocked).toMatchObject({ allowed: false, retryAfter: 45 });
    const nextMinute = limiter.take('k', t0 + 60_000);
    expect(nextMinute.allowed).toBe(true);
    expect(nextMinute.headers).toEqual({
      'X-RateLimit-Limit-Minute': '2',
      'X-RateLimit-Remaining-Minute': '1',
      'X-RateLimit-Limit-Hour': '3',
      'X-RateLimit-Remaining-Hour': '0',
    });
    expect(limiter.take('k', t0 + 61_000)).toMatchObject({ allowed: false, retryAfter: 3599 - 60 });
    expect(limiter.take('other', t0 + 61_000).allowed).toBe(true);
    expect(limiter.take('k', t0 + 3_600_000).allowed).toBe(true);
  });

  it('rateLimit: false sends no limit headers and never 429s', async () => {
    const open = await startSandbox({ users: 5, rateLimit: false });
    try {
      const session = await Session.login(open);
      const statuses = [];
      for (let i = 0; i < 120; i++) statuses.push((await session.get('/v1/admin/permissions')).status);
      expect(new Set(statuses)).toEqual(new Set([200]));
      expect((await session.get('/v1/admin/permissions')).headers.get('x-ratelimit-limit-minute')).toBeNull();
    } finally {
      await open.close();
    }
  });
});
