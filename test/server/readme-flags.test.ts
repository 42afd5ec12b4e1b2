import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { OPTIONS } from '../../src/config.js';

// The README is the operator's reference: every flag and variable the parser accepts must be in it.
it('the README documents every flag and environment variable', () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const missing = Object.values(OPTIONS as Record<string, { flag?: string; env?: string }>)
    .flatMap((spec) => [spec.flag, spec.env])
    .filter((name): name is string => name !== undefined && !readme.includes(`\`${name}`));
  expect(missing).toEqual([]);
});
