// Who may decide a change on the signed-in page, and how people are told apart there: the rules every desk
// applies (click-rules.ts) and the label the page shows (person.ts).
import { describe, expect, it } from 'vitest';
import { type Approver, type PendingItem, ruleOnClick } from '../../src/approvals/click-rules.js';
import { type Person, personKey, personLabel } from '../../src/auth/person.js';
import type { Classification } from '../../src/contract/tool.js';
import type { Mode } from '../../src/guards/guard.js';

const ISSUER = 'https://login.example.com';
const alice: Person = { issuer: ISSUER, subject: 'alice', email: 'alice@example.com' };
const signedIn = (subject: string, mode: Mode): Approver => ({ issuer: ISSUER, subject, mode });

const item = (classification: Classification): PendingItem => ({
  id: 'item-1',
  change: {
    digest: 'd'.repeat(64),
    tool: 'assign_permissions_to_users',
    classification,
    lines: ['Grant Admin to dana'],
    client: { name: 'test-client' },
    principal: personKey(alice),
    person: alice,
  },
  askedAt: 0,
  deadline: 60_000,
  approvedBy: [],
});

const click = (by: Approver, decision: 'approve' | 'deny' = 'approve') => ({
  digest: 'd'.repeat(64),
  decision,
  typed: undefined,
  by,
});

describe('who may decide a change', () => {
  it.each([
    ['read-only', 'write'],
    ['read-only', 'access'],
    ['user-writes', 'access'],
  ] as const)('a person whose scopes allow only %s decides no %s change, approving or denying', (mode, cls) => {
    for (const decision of ['approve', 'deny'] as const) {
      expect(ruleOnClick(item(cls), click(signedIn('mallory', mode), decision))).toMatchObject({
        ok: false,
        status: 403,
        reason: 'no-authority',
      });
    }
  });

  it('a person whose scopes allow the change decides it; the requester may still withdraw her own with fewer', () => {
    expect(ruleOnClick(item('write'), click(signedIn('bob', 'user-writes')))).toMatchObject({ ok: true });
    expect(ruleOnClick(item('access'), click(signedIn('bob', 'full')))).toMatchObject({ ok: true });
    expect(ruleOnClick(item('access'), click(signedIn('alice', 'read-only'), 'deny'))).toMatchObject({
      ok: true,
      decision: 'denied',
    });
    expect(ruleOnClick(item('access'), click(signedIn('alice', 'full')))).toMatchObject({ reason: 'own-change' });
  });
});

describe('how a person is shown', () => {
  it('always by subject and issuer, with the e-mail only when the issuer verified it', () => {
    expect(personLabel(alice)).toBe('alice@example.com (subject alice at login.example.com)');
    expect(personLabel({ issuer: ISSUER, subject: 'eve' })).toBe('subject eve at login.example.com');
  });
});
