// The audit trail on every provider: one signed line per attempt whatever its outcome (acted, refused, awaiting
// confirmation, bad input), `verify-audit` reads the log intact, and no secret of the system (its keys and
// passwords) appears in the log, in any result or in what the server logs.
import type { CallToolResult } from '@modelcontextprotocol/client';
import { describe, expect, it } from 'vitest';
import { PROVIDER_CASES } from '../../support/cases/index.js';
import type { CaseCall } from '../../support/cases/types.js';
import { confirmationTokenOf, withProviderStack } from '../../support/provider-stack.js';

describe.each(PROVIDER_CASES)('audit: $id', (providerCase) => {
  it('one signed line per attempt, the log verifies intact, and no secret shows anywhere', async () => {
    await withProviderStack(providerCase, {}, async (stack) => {
      const results: CallToolResult[] = [];
      const attempt = async ({ tool, args }: CaseCall) => {
        const result = await stack.call(tool, args);
        results.push(result);
        return result;
      };
      const { read, write, access, badInput, outOfScope } = providerCase;
      const attempts: CaseCall[] = [read, write, access];
      await attempt(read);
      await attempt(write);
      const token = confirmationTokenOf(await attempt(access));
      expect(token).toBeDefined();
      const confirmed = { tool: access.tool, args: { ...access.args, confirmationToken: token } };
      attempts.push(confirmed, confirmed);
      await attempt(confirmed);
      await attempt(confirmed);
      for (const bad of [...badInput, ...(outOfScope ? [outOfScope] : [])]) {
        attempts.push(bad);
        await attempt(bad);
      }

      const lines = await stack.auditLines();
      expect(lines.map((line) => line.tool)).toEqual(attempts.map((a) => a.tool));
      for (const line of lines) expect(line).toMatchObject({ hash: expect.any(String), sig: expect.any(String) });
      expect(new Set(lines.map((line) => line.decision)).size).toBeGreaterThan(2);
      expect(await stack.verifyAudit()).toBe(true);

      const secrets = providerCase.secrets(stack.sandbox);
      expect(secrets.length).toBeGreaterThan(0);
      const seen = [await stack.auditText(), JSON.stringify(results), stack.logText()];
      expect(stack.logText()).not.toBe('');
      for (const secret of secrets) {
        expect(secret.length).toBeGreaterThan(3);
        for (const text of seen) expect(text).not.toContain(secret);
      }
    });
  });
});
