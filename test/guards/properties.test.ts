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
    fc.assert(
      fc.property(fc.string(), (code) => {
        expect(tenantRefusal([code], ['WFF_demo~c01']) === undefined).toBe(code === 'WFF_demo~c01');
      }),
    );
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
