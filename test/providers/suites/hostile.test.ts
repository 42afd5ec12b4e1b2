// Hostile calls on every provider: a confirmation token edited, spent on another tool or on other arguments is
// refused; directory text that tries to instruct the model reaches it only inside the untrusted-data fence; a
// scope outside the allowlist is refused before anything is sent.
import { describe, expect, it } from 'vitest';
import { DIRECTORY_TEXT_KEY } from '../../../src/server.js';
import { PROVIDER_CASES } from '../../support/cases/index.js';
import { confirmationTokenOf, textOf, withProviderStack } from '../../support/provider-stack.js';

const MISMATCH = 'does not match this call';

/** The token with one character of its signed body changed. */
function edited(token: string): string {
  const at = Math.floor(token.indexOf('.') / 2);
  return `${token.slice(0, at)}${token[at] === 'A' ? 'B' : 'A'}${token.slice(at + 1)}`;
}

/** The text with every untrusted-data fence (opening tag, body, closing tag of the same nonce) cut out. */
function outsideFences(text: string): string {
  return text.replace(/<([a-z-]+) id="([0-9a-f]+)">[\s\S]*?<\/\1 id="\2">/g, '');
}

describe.each(PROVIDER_CASES)('hostile: $id', (providerCase) => {
  const { access, destructive, twoItems, injection } = providerCase;

  it('a token edited, used for another tool or for other arguments is refused, and nothing is sent', async () => {
    expect(twoItems.tool, 'twoItems must be the access tool with other arguments').toBe(access.tool);
    expect(destructive.tool).not.toBe(access.tool);
    await withProviderStack(providerCase, {}, async (stack) => {
      const token = confirmationTokenOf(await stack.call(access.tool, access.args));
      expect(token).toBeDefined();
      const attempts = [
        { tool: access.tool, args: { ...access.args, confirmationToken: edited(token as string) } },
        { tool: destructive.tool, args: { ...destructive.args, confirmationToken: token } },
        { tool: twoItems.tool, args: { ...twoItems.args, confirmationToken: token } },
      ];
      for (const attempt of attempts) {
        const result = await stack.call(attempt.tool, attempt.args);
        expect(result.isError, attempt.tool).toBe(true);
        expect(textOf(result)).toContain(MISMATCH);
      }
      expect(providerCase.changeRequests(stack.sandbox)).toBe(0);
      expect(await access.applied(stack.sandbox)).toBe(false);
      expect(await destructive.applied(stack.sandbox)).toBe(false);
      // The token itself was never spent by the refusals: the call it was issued for still acts with it.
      const acted = await stack.call(access.tool, { ...access.args, confirmationToken: token });
      expect(acted.isError, textOf(acted)).toBeFalsy();
      expect(await access.applied(stack.sandbox)).toBe(true);
    });
  });

  it('directory text that tries to instruct the model appears only inside the untrusted-data fence', async () => {
    await withProviderStack(providerCase, {}, async (stack) => {
      const result = await stack.call(injection.tool, injection.args);
      expect(result.isError, textOf(result)).toBeFalsy();
      const text = textOf(result);
      expect(text).toContain(injection.text);
      expect(outsideFences(text)).not.toContain(injection.text);
      expect(outsideFences(text)).not.toBe(text);
      expect((result.structuredContent as Record<string, unknown> | undefined)?.[DIRECTORY_TEXT_KEY]).toBeTruthy();
    });
  });

  it.runIf(providerCase.outOfScope)('a scope outside the allowlist is refused with nothing sent', async () => {
    const outOfScope = providerCase.outOfScope!;
    await withProviderStack(providerCase, {}, async (stack) => {
      const before = providerCase.requests(stack.sandbox);
      const result = await stack.call(outOfScope.tool, outOfScope.args);
      expect(result.isError).toBe(true);
      expect(textOf(result)).toMatch(/is not allowed.*Nothing was sent\./);
      expect(providerCase.requests(stack.sandbox)).toBe(before);
      const [line] = await stack.auditLines();
      expect(line).toMatchObject({ tool: outOfScope.tool, decision: 'refused' });
    });
  });
});
