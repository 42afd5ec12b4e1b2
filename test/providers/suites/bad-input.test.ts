// Bad arguments on every provider: each is refused with an error naming the field at fault, before anything is
// sent to the system, and the server keeps answering.
import { describe, expect, it } from 'vitest';
import { PROVIDER_CASES } from '../../support/cases/index.js';
import { textOf, withProviderStack } from '../../support/provider-stack.js';

describe.each(PROVIDER_CASES)('bad input: $id', (providerCase) => {
  it.each(providerCase.badInput.map((bad) => [`${bad.tool}.${bad.field}`, bad] as const))(
    '%s: refused naming the field, nothing sent',
    async (_label, bad) => {
      await withProviderStack(providerCase, {}, async (stack) => {
        const before = providerCase.requests(stack.sandbox);
        const result = await stack.call(bad.tool, bad.args);
        expect(result.isError).toBe(true);
        expect(textOf(result)).toMatch(new RegExp(`\\b${bad.field}\\b`));
        expect(providerCase.requests(stack.sandbox)).toBe(before);
        const read = await stack.call(providerCase.read.tool, providerCase.read.args);
        expect(textOf(read)).toContain(providerCase.read.expectText);
      });
    },
  );
});
