import { describe, expect, it } from 'vitest';
import { redactArgs, redactText, tokenDigest } from '../../src/guards/redact.js';

describe('redactArgs', () => {
  it('masks secrets by key at any depth and keeps ordinary fields', () => {
    expect(
      redactArgs({
        userId: 'u1',
        password: 'hunter2',
        users: [{ username: 'a', Password: 'p1', apiKey: 'k', profile: { client_secret: 's', email: 'a@x.io' } }],
        headers: { Authorization: 'Bearer abc', Cookie: 'asid=1' },
        tokenCount: 3,
      }),
    ).toEqual({
      userId: 'u1',
      password: '[REDACTED]',
      users: [
        {
          username: 'a',
          Password: '[REDACTED]',
          apiKey: '[REDACTED]',
          profile: { client_secret: '[REDACTED]', email: 'a@x.io' },
        },
      ],
      headers: { Authorization: '[REDACTED]', Cookie: '[REDACTED]' },
      tokenCount: 3,
    });
  });

  it('replaces the confirmation token with a short digest', () => {
    const token = 'eyJpZCI6IjEyMyJ9.c2lnbmF0dXJl';
    const redacted = redactArgs({ userId: 'u1', confirmationToken: token });
    expect(redacted).toEqual({ userId: 'u1', confirmationToken: tokenDigest(token) });
    expect(tokenDigest(token)).toMatch(/^sha256:[0-9a-f]{16}$/);
    expect(JSON.stringify(redacted)).not.toContain('c2lnbmF0dXJl');
  });

  it('masks credentials inside string values', () => {
    expect(redactArgs({ note: 'apikey=abc123 done' })).toEqual({ note: 'apikey=[REDACTED] done' });
  });
});

describe('redactText', () => {
  it('masks bearer tokens, key=value secrets and JWTs in error text', () => {
    expect(redactText('401 from https://h/v1?apikey=K123&x=1 with Authorization: Bearer abc.def')).toBe(
      '401 from https://h/v1?apikey=[REDACTED]&x=1 with Authorization: [REDACTED] [REDACTED]',
    );
    expect(redactText('password: "p w" and secret=s3 and ASID=zz')).toBe(
      'password: [REDACTED] and secret=[REDACTED] and ASID=[REDACTED]',
    );
    expect(redactText('token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.abc rejected')).toBe(
      'token [REDACTED] rejected',
    );
    expect(redactText('user u1 not found (rci 7f3a)')).toBe('user u1 not found (rci 7f3a)');
  });
});
