import { counted } from '../grammar.js';

// Look-alikes of Latin letters and digits that NFKC does not fold: Cyrillic and Greek confusables.
const CONFUSABLES: Record<string, string> = {
  а: 'a',
  в: 'b',
  с: 'c',
  е: 'e',
  һ: 'h',
  і: 'i',
  ј: 'j',
  к: 'k',
  м: 'm',
  н: 'h',
  о: 'o',
  р: 'p',
  ѕ: 's',
  т: 't',
  у: 'y',
  х: 'x',
  ԁ: 'd',
  ԛ: 'q',
  ԝ: 'w',
  ӏ: 'l',
  А: 'a',
  В: 'b',
  С: 'c',
  Е: 'e',
  Н: 'h',
  І: 'i',
  Ј: 'j',
  К: 'k',
  М: 'm',
  О: 'o',
  Р: 'p',
  Ѕ: 's',
  Т: 't',
  У: 'y',
  Х: 'x',
  α: 'a',
  β: 'b',
  ε: 'e',
  ι: 'i',
  κ: 'k',
  ν: 'v',
  ο: 'o',
  ρ: 'p',
  τ: 't',
  υ: 'u',
  χ: 'x',
  Α: 'a',
  Β: 'b',
  Ε: 'e',
  Ζ: 'z',
  Η: 'h',
  Ι: 'i',
  Κ: 'k',
  Μ: 'm',
  Ν: 'n',
  Ο: 'o',
  Ρ: 'p',
  Τ: 't',
  Υ: 'y',
  Χ: 'x',
};
const INVISIBLE_OR_SPACE = /[\s\p{Cc}\p{Cf}\u115F\u1160\u3164\uFFA0]|\u034F/gu;

/**
 * A folded form used only to suggest what the caller probably meant. It never decides: only an exact match
 * passes, because a tenant that merely looks right may be another tenant, or a trick.
 */
function skeleton(code: string): string {
  return Array.from(code.normalize('NFKC').replace(INVISIBLE_OR_SPACE, ''))
    .map((ch) => CONFUSABLES[ch] ?? ch)
    .join('')
    .toLowerCase();
}

/** Shows invisible and non-ASCII characters as escapes, so the refusal reveals what was really sent. */
function visible(code: string): string {
  return Array.from(code)
    .map((ch) => {
      const cp = ch.codePointAt(0) as number;
      return cp >= 0x21 && cp <= 0x7e ? ch : `\\u{${cp.toString(16).toUpperCase().padStart(4, '0')}}`;
    })
    .join('');
}

/** The refusal for the first tenant outside the allowlist, or undefined when every tenant is allowed. */
export function tenantRefusal(
  requested: readonly string[],
  allowed: readonly string[],
  term = 'tenant',
): string | undefined {
  const denied = requested.filter((code) => !allowed.includes(code));
  const first = denied[0];
  if (first === undefined) return undefined;
  const folded = skeleton(first);
  const near = allowed.find((code) => skeleton(code) === folded);
  const hint = near !== undefined ? `did you mean '${near}'?` : `allowed ${term}s: ${allowed.join(', ')}.`;
  const more =
    denied.length > 1
      ? ` ${counted(denied.length - 1, `more ${term}`)} in this call ${denied.length === 2 ? 'is' : 'are'} not allowed either.`
      : '';
  return `${term} '${visible(first)}' is not allowed; ${hint}${more} Nothing was sent.`;
}
