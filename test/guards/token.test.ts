import { describe, expect, it } from 'vitest';
import { ConfirmationTokens, type TokenBinding } from '../../src/guards/token.js';

const SECRET = 'test-secret-0123456789abcdef';
const BINDING: TokenBinding = {
  tool: 'delete_user',
  args: { userId: 'u1', tenantCode: 'T1', options: { b: 2, a: 1 } },
  tenants: ['T1'],
  fingerprint: 'fp-1',
  session: 'sess-1',
  principal: 'bearer:abc',
};
/** The preview stated no unconfirmed count. */
const NONE_SHOWN = { items: 0, at: 0 };

function tokens(secret = SECRET) {
  const clock = { t: Date.UTC(2026, 0, 1) };
  return { clock, tokens: new ConfirmationTokens(secret, 300, () => clock.t) };
}

describe('confirmation tokens', () => {
  it('issues a token that expires after the TTL and redeems it once', () => {
    const { tokens: t } = tokens();
    const issued = t.issue(BINDING, NONE_SHOWN);
    expect(issued.expiresAt).toBe('2026-01-01T00:05:00.000Z');
    const first = t.redeem(issued.token, BINDING);
    expect(first.ok).toBe(true);
    expect(t.redeem(issued.token, BINDING)).toEqual({
      ok: false,
      reason: 'token-replayed',
      text: 'the confirmation token was already used. Nothing was sent.',
    });
  });

  it('binds canonical arguments: key order does not matter, a changed value does', () => {
    const { tokens: t } = tokens();
    const reordered = { ...BINDING, args: { options: { a: 1, b: 2 }, tenantCode: 'T1', userId: 'u1' } };
    expect(t.redeem(t.issue(BINDING, NONE_SHOWN).token, reordered).ok).toBe(true);
    const changed = t.redeem(t.issue(BINDING, NONE_SHOWN).token, {
      ...BINDING,
      args: { ...BINDING.args, userId: 'u2' },
    });
    expect(changed.ok === false && changed.reason).toBe('token-invalid');
    const added = t.redeem(t.issue(BINDING, NONE_SHOWN).token, { ...BINDING, args: { ...BINDING.args, extra: true } });
    expect(added.ok === false && added.reason).toBe('token-invalid');
  });

  it('refuses a token for another tool or another tenant', () => {
    const { tokens: t } = tokens();
    const otherTool = t.redeem(t.issue(BINDING, NONE_SHOWN).token, { ...BINDING, tool: 'bulk_delete_users' });
    expect(otherTool.ok === false && otherTool.reason).toBe('token-invalid');
    const otherTenant = t.redeem(t.issue(BINDING, NONE_SHOWN).token, { ...BINDING, tenants: ['T2'] });
    expect(otherTenant.ok === false && otherTenant.reason).toBe('token-invalid');
  });

  it('refuses a token in another session or from another caller, saying so', () => {
    const { tokens: t } = tokens();
    for (const elsewhere of [
      { ...BINDING, session: 'sess-2' },
      { ...BINDING, principal: 'bearer:def' },
    ]) {
      expect(t.redeem(t.issue(BINDING, NONE_SHOWN).token, elsewhere)).toEqual({
        ok: false,
        reason: 'token-invalid',
        text: 'the confirmation token was issued in another session or to another caller; a token works only where it was issued. Nothing was sent; ask for a new preview.',
      });
    }
    expect(t.redeem(t.issue(BINDING, NONE_SHOWN).token, BINDING).ok).toBe(true);
  });

  it('accepts a token until its expiry and refuses it from the expiry on', () => {
    const { tokens: t, clock } = tokens();
    const early = t.issue(BINDING, NONE_SHOWN);
    const late = t.issue(BINDING, NONE_SHOWN);
    clock.t += 299_999;
    expect(t.redeem(early.token, BINDING).ok).toBe(true);
    clock.t += 1;
    expect(t.redeem(late.token, BINDING)).toEqual({
      ok: false,
      reason: 'token-expired',
      text: 'the confirmation token has expired. Nothing was sent; ask for a new preview.',
    });
  });

  it('refuses tampered tokens: edited claims, edited signature, garbage, another secret', () => {
    const { tokens: t } = tokens();
    const { token } = t.issue(BINDING, NONE_SHOWN);
    const [body, mac] = token.split('.') as [string, string];
    const claims = JSON.parse(Buffer.from(body, 'base64url').toString()) as { exp: number };
    const longer = Buffer.from(JSON.stringify({ ...claims, exp: claims.exp + 3_600_000 })).toString('base64url');
    const flipped = `${mac.slice(0, -1)}${mac.endsWith('A') ? 'B' : 'A'}`;
    for (const forged of [`${longer}.${mac}`, `${body}.${flipped}`, 'garbage', '', `${body}.${mac}.x`, `${body}`]) {
      const check = t.redeem(forged, BINDING);
      expect(check.ok === false && check.reason).toBe('token-invalid');
    }
    const { tokens: elsewhere } = tokens('another-secret-0123456789');
    const foreign = elsewhere.redeem(token, BINDING);
    expect(foreign.ok === false && foreign.reason).toBe('token-invalid');
  });

  it('is accepted by another replica sharing the secret (single use is per replica)', () => {
    const { tokens: a } = tokens();
    const { tokens: b } = tokens();
    const { token } = a.issue(BINDING, NONE_SHOWN);
    expect(b.redeem(token, BINDING).ok).toBe(true);
    expect(b.redeem(token, BINDING).ok).toBe(false);
  });

  it('refused by a replica with another secret, saying the secrets differ rather than blaming the arguments', () => {
    const { tokens: a } = tokens();
    const { tokens: b } = tokens('another-secret-0123456789');
    const { token } = a.issue(BINDING, NONE_SHOWN);
    const refused = b.redeem(token, BINDING);
    expect(refused).toEqual({
      ok: false,
      reason: 'token-invalid',
      text: "the confirmation token was signed with another confirmation secret: another replica's, or this server's before a restart. Nothing was sent; ask for a new preview, and give every replica the same VISIER_MCP_CONFIRM_SECRET.",
    });
    expect(token).not.toContain(SECRET);
  });

  it('refuses, and spends, a valid token when the targets changed since the preview', () => {
    const { tokens: t } = tokens();
    const { token, id } = t.issue(BINDING, NONE_SHOWN);
    expect(t.redeem(token, { ...BINDING, fingerprint: 'fp-2' })).toEqual({
      ok: false,
      reason: 'target-changed',
      id,
      text: 'the targets changed since the preview was confirmed (the data is no longer what the user approved). Nothing was sent; ask for a new preview.',
    });
    expect(t.redeem(token, BINDING).ok === false).toBe(true);
  });
});
