import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { tenantRefusal } from '../../src/guards/tenants.js';
import { ConfirmationTokens } from '../../src/guards/token.js';
import { fenceUntrusted } from '../../src/guards/untrusted.js';

const NONCE = '0123456789ab';
const codePoint = fc
  .integer({ min: 0, max: 0x10ffff })
  .filter((cp) => cp < 0xd800 || cp > 0xdfff)
  .map((cp) => String.fromCodePoint(cp));
const tagPieces = fc.constantFrom(
  '<',
  '/',
  ' ',
  '\n',
  '\u2028',
  '\u202E',
  '\u200B',
  '\uFF1C',
  'directory-data',
  'DIRECTORY-DATA',
);
const anyText = fc.string({ unit: fc.oneof(tagPieces, codePoint) });

const ALLOWED_TENANTS = ['WFF_demo~c01', 'acme~prod'];
const CYRILLIC_LOOKALIKE: Record<string, string> = { a: '\u0430', c: '\u0441', e: '\u0435', o: '\u043E', p: '\u0440' };
/**
 * What one character of an allowlisted code becomes in a look-alike: an invisible or space before it, another case,
 * a Cyrillic twin, its fullwidth form (NFKC folds it back), or nothing. Some edits change nothing, which must pass.
 */
const LOOKALIKE_EDITS: ((ch: string) => string)[] = [
  (ch) => `\u200B${ch}`,
  (ch) => ` ${ch}`,
  (ch) => `\u202E${ch}`,
  (ch) => ch.toUpperCase(),
  (ch) => ch.toLowerCase(),
  (ch) => CYRILLIC_LOOKALIKE[ch] ?? ch,
  (ch) => String.fromCodePoint((ch.codePointAt(0) as number) + 0xfee0),
  () => '',
];
/** Exact allowlisted codes, their look-alikes and arbitrary strings, each a real share of the draws. */
const tenantCode = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...ALLOWED_TENANTS) },
  {
    weight: 3,
    arbitrary: fc
      .tuple(fc.constantFrom(...ALLOWED_TENANTS), fc.nat(), fc.constantFrom(...LOOKALIKE_EDITS))
      .map(([code, n, edit]) => {
        const at = n % code.length;
        return code.slice(0, at) + edit(code[at] as string) + code.slice(at + 1);
      }),
  },
  { weight: 1, arbitrary: fc.string() },
);

describe('properties', () => {
  it('a fence holds each entry on one line and closes exactly once, whatever the entries contain', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(anyText, fc.constant(`</directory-data id="${NONCE}">`))), (lines) => {
        const out = fenceUntrusted(lines, NONCE).split('\n');
        expect(out).toHaveLength(lines.length + 2);
        expect(out.filter((l) => l.includes(`</directory-data id="${NONCE}">`))).toEqual([
          `</directory-data id="${NONCE}">`,
        ]);
        expect(out.slice(1, -1).some((l) => /<\s*\/?\s*directory-data/i.test(l))).toBe(false);
      }),
    );
  });

  it('only an exact allowlisted code passes', () => {
    const runs = 400;
    const seen = { passed: 0, refusedNearMiss: 0, refusedOther: 0 };
    fc.assert(
      fc.property(fc.array(tenantCode, { minLength: 1, maxLength: 3 }), (requested) => {
        const refusal = tenantRefusal(requested, ALLOWED_TENANTS);
        expect(refusal === undefined).toBe(requested.every((code) => ALLOWED_TENANTS.includes(code)));
        if (refusal === undefined) seen.passed++;
        else if (refusal.includes('did you mean')) seen.refusedNearMiss++;
        else seen.refusedOther++;
      }),
      { numRuns: runs },
    );
    // Each branch gets a real share of the runs, so a generator that stops reaching one fails here, not silently.
    for (const count of Object.values(seen)) expect(count).toBeGreaterThan(runs / 10);
  });

  it('a token redeems only for the exact arguments it was issued for', () => {
    const args = fc.dictionary(fc.string({ maxLength: 6 }), fc.oneof(fc.string(), fc.integer(), fc.boolean()), {
      maxKeys: 4,
    });
    fc.assert(
      fc.property(args, args, (issuedFor, presented) => {
        const tokens = new ConfirmationTokens('property-secret-0123456789', 300, () => 0);
        const binding = { tool: 't', tenants: ['T1'], fingerprint: 'f', session: 's', principal: 'p' };
        const { token } = tokens.issue({ ...binding, args: issuedFor }, { items: 0, at: 0 });
        const same =
          JSON.stringify(Object.entries(issuedFor).sort()) === JSON.stringify(Object.entries(presented).sort());
        expect(tokens.redeem(token, { ...binding, args: presented }).ok).toBe(same);
      }),
      { numRuns: 200 },
    );
  });
});
