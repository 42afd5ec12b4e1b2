import { describe, expect, it } from 'vitest';
import { tenantRefusal } from '../../src/guards/tenants.js';

const ALLOWED = ['WFF_demo~c01', 'acme~prod'];
const suggests = (shown: string, meant: string) =>
  `tenant '${shown}' is not allowed; did you mean '${meant}'? Nothing was sent.`;

describe('tenant allowlist', () => {
  it('passes exact matches, alone or together', () => {
    expect(tenantRefusal(['WFF_demo~c01'], ALLOWED)).toBeUndefined();
    expect(tenantRefusal(['WFF_demo~c01', 'acme~prod'], ALLOWED)).toBeUndefined();
  });

  it.each([
    ['other case', 'wff_demo~c01', suggests('wff_demo~c01', 'WFF_demo~c01')],
    ['leading space', ' WFF_demo~c01', suggests('\\u{0020}WFF_demo~c01', 'WFF_demo~c01')],
    ['trailing tab', 'WFF_demo~c01\t', suggests('WFF_demo~c01\\u{0009}', 'WFF_demo~c01')],
    ['inner space', 'WFF_demo ~c01', suggests('WFF_demo\\u{0020}~c01', 'WFF_demo~c01')],
    ['zero-width space', 'WFF_\u200Bdemo~c01', suggests('WFF_\\u{200B}demo~c01', 'WFF_demo~c01')],
    ['zero-width joiner', 'acme\u200D~prod', suggests('acme\\u{200D}~prod', 'acme~prod')],
    ['bidi override', '\u202EWFF_demo~c01', suggests('\\u{202E}WFF_demo~c01', 'WFF_demo~c01')],
    ['control character', 'WFF_demo~c01\u0000', suggests('WFF_demo~c01\\u{0000}', 'WFF_demo~c01')],
    ['NFKC fullwidth', '\uFF37\uFF26\uFF26_demo~c01', suggests('\\u{FF37}\\u{FF26}\\u{FF26}_demo~c01', 'WFF_demo~c01')],
    ['NFKC fullwidth tilde', 'acme\uFF5Eprod', suggests('acme\\u{FF5E}prod', 'acme~prod')],
    ['Cyrillic а', '\u0430cme~prod', suggests('\\u{0430}cme~prod', 'acme~prod')],
    ['Cyrillic е', 'WFF_d\u0435mo~c01', suggests('WFF_d\\u{0435}mo~c01', 'WFF_demo~c01')],
    ['Cyrillic о', 'WFF_dem\u043E~c01', suggests('WFF_dem\\u{043E}~c01', 'WFF_demo~c01')],
    ['Cyrillic с and р', 'a\u0441me~\u0440rod', suggests('a\\u{0441}me~\\u{0440}rod', 'acme~prod')],
    ['Greek ο', 'WFF_dem\u03BF~c01', suggests('WFF_dem\\u{03BF}~c01', 'WFF_demo~c01')],
  ])('refuses %s, never folding it into the allowed tenant', (_label, requested, message) => {
    expect(ALLOWED).not.toContain(requested);
    expect(tenantRefusal([requested], ALLOWED)).toBe(message);
  });

  it('refuses an unknown tenant and lists the allowed ones', () => {
    expect(tenantRefusal(['OTHER'], ALLOWED)).toBe(
      "tenant 'OTHER' is not allowed; allowed tenants: WFF_demo~c01, acme~prod. Nothing was sent.",
    );
    expect(tenantRefusal([''], ALLOWED)).toBe(
      "tenant '' is not allowed; allowed tenants: WFF_demo~c01, acme~prod. Nothing was sent.",
    );
  });

  it('refuses a call mixing allowed and forbidden tenants, naming the first forbidden one', () => {
    expect(tenantRefusal(['WFF_demo~c01', 'OTHER', 'acme~prod', 'X2'], ALLOWED)).toBe(
      "tenant 'OTHER' is not allowed; allowed tenants: WFF_demo~c01, acme~prod. 1 more tenant in this call is not allowed either. Nothing was sent.",
    );
  });
});
