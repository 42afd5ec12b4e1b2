// The guard layer on every provider's real tools: modes refuse each class below them with nothing sent; access
// and destructive changes wait for a person (a single-use token when the client cannot be asked, a typed name for
// a deletion when it can); the per-call cap refuses a call over it; a privileged grant says so first.
import type { ElicitResult } from '@modelcontextprotocol/client';
import { describe, expect, it } from 'vitest';
import { PROVIDER_CASES } from '../../support/cases/index.js';
import type { ChangeCall } from '../../support/cases/types.js';
import { confirmationTokenOf, type ProviderStack, textOf, withProviderStack } from '../../support/provider-stack.js';

const answer = (result: ElicitResult) => () => result;

describe.each(PROVIDER_CASES)('guards: $id', (providerCase) => {
  const { write, access, destructive, privileged, twoItems } = providerCase;

  async function expectRefusedUnsent(stack: ProviderStack, change: ChangeCall, text: string): Promise<void> {
    const result = await stack.call(change.tool, change.args);
    expect(result.isError, `${change.tool}: ${textOf(result)}`).toBe(true);
    expect(textOf(result)).toContain(text);
    expect(providerCase.changeRequests(stack.sandbox)).toBe(0);
    expect(await change.applied(stack.sandbox)).toBe(false);
  }

  it.each([
    ['read-only', 'user-writes', [write]],
    ['read-only', 'full', [access, destructive]],
    ['user-writes', 'full', [access, destructive]],
  ] as const)('mode %s refuses what needs %s, and sends nothing', async (mode, needed, changes) => {
    await withProviderStack(providerCase, { flags: ['--mode', mode] }, async (stack) => {
      for (const change of changes) await expectRefusedUnsent(stack, change, `needs mode '${needed}'`);
    });
  });

  it('a write in mode user-writes acts at once, without asking', async () => {
    await withProviderStack(providerCase, { flags: ['--mode', 'user-writes'] }, async (stack) => {
      const result = await stack.call(write.tool, write.args);
      expect(result.isError, textOf(result)).toBeFalsy();
      expect(await write.applied(stack.sandbox)).toBe(true);
    });
  });

  it.each([
    ['access', access],
    ['destructive', destructive],
  ] as const)('%s: a preview and a token first; the token acts once; a replay is refused', async (_class, change) => {
    await withProviderStack(providerCase, {}, async (stack) => {
      const first = await stack.call(change.tool, change.args);
      const token = confirmationTokenOf(first);
      expect(token, textOf(first)).toBeDefined();
      expect(textOf(first)).toMatch(/^CONFIRMATION REQUIRED\. Nothing has been changed yet\.$/m);
      expect(first.structuredContent).toBeUndefined();
      expect(providerCase.changeRequests(stack.sandbox)).toBe(0);
      expect(await change.applied(stack.sandbox)).toBe(false);

      const acted = await stack.call(change.tool, { ...change.args, confirmationToken: token });
      expect(acted.isError, textOf(acted)).toBeFalsy();
      expect(await change.applied(stack.sandbox)).toBe(true);
      const sent = providerCase.changeRequests(stack.sandbox);
      expect(sent).toBeGreaterThan(0);

      const replay = await stack.call(change.tool, { ...change.args, confirmationToken: token });
      expect(replay.isError).toBe(true);
      expect(textOf(replay)).toContain('the confirmation token was already used');
      expect(providerCase.changeRequests(stack.sandbox)).toBe(sent);
    });
  });

  it('under elicitation a deletion needs the typed name: a wrong one sends nothing, the right one deletes', async () => {
    const wrong = answer({ action: 'accept', content: { confirm: true, typed: `not ${destructive.typedName}` } });
    await withProviderStack(providerCase, { elicit: wrong }, async (stack) => {
      await expectRefusedUnsent(stack, destructive, 'the typed value did not match the name');
      expect(stack.elicited[0]?.requestedSchema).toMatchObject({ required: ['confirm', 'typed'] });
    });
    const right = answer({ action: 'accept', content: { confirm: true, typed: destructive.typedName } });
    await withProviderStack(providerCase, { elicit: right }, async (stack) => {
      const result = await stack.call(destructive.tool, destructive.args);
      expect(result.isError, textOf(result)).toBeFalsy();
      expect(stack.elicited).toHaveLength(1);
      expect(await destructive.applied(stack.sandbox)).toBe(true);
    });
  });

  it('--max-items-per-call 1 refuses a two-item call, and sends nothing', async () => {
    await withProviderStack(
      providerCase,
      { flags: ['--max-items-per-call', '1'], elicit: answer({ action: 'accept', content: { confirm: true } }) },
      async (stack) => {
        await expectRefusedUnsent(stack, twoItems, 'the cap is 1 per call');
        expect(stack.elicited).toEqual([]);
      },
    );
  });

  it('a privileged grant: the person asked reads PRIVILEGED first; the model is told so first too', async () => {
    await withProviderStack(providerCase, { elicit: answer({ action: 'decline' }) }, async (stack) => {
      await expectRefusedUnsent(stack, privileged, 'declined');
      expect(stack.elicited[0]?.message.split('\n')[0]).toMatch(/^PRIVILEGED: grants /);
    });
    await withProviderStack(providerCase, {}, async (stack) => {
      const result = await stack.call(privileged.tool, privileged.args);
      const lines = textOf(result).split('\n');
      const heading = lines.findIndex((line) => line.startsWith('CONFIRMATION REQUIRED'));
      expect(lines[heading]).toBe('CONFIRMATION REQUIRED FOR A PRIVILEGED GRANT. Nothing has been changed yet.');
      // The line after the heading opens the preview's fence; the preview's own first line follows it.
      expect(lines[heading + 2]).toMatch(/^PRIVILEGED: grants /);
      expect(providerCase.changeRequests(stack.sandbox)).toBe(0);
    });
  });
});
