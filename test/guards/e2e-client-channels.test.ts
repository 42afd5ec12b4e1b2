// Confirmation as real clients meet it: what a client declares decides the channel it is asked through.
import { describe, expect, it } from 'vitest';
import { DEMO_PERMISSIONS, DEMO_USERS } from '../../src/sandbox/index.js';
import { CONFIRMATION_META_KEY } from '../../src/server.js';
import { changeRequests, e2eSuite, textOf } from './e2e-harness.js';

const GRANT = {
  permissionIds: [DEMO_PERMISSIONS.payrollAuditor.permissionId],
  userIds: [DEMO_USERS.dana.userId],
};
const URL_ONLY = { elicitation: { url: {} } };

const suite = e2eSuite();
const { withE2E } = suite;

describe('a client whose elicitation offers only url mode', () => {
  it("is sent no form under 'auto': it gets the preview and a token, and the token acts", async () => {
    const forms: string[] = [];
    await withE2E(
      {
        capabilities: URL_ONLY,
        elicit: async ({ message }) => {
          forms.push(message);
          return { action: 'accept', content: { confirm: true } };
        },
      },
      async (e2e) => {
        const first = await e2e.call('assign_permissions_to_users', GRANT);
        expect(forms).toEqual([]);
        const meta = first._meta?.[CONFIRMATION_META_KEY] as { confirmationToken?: string } | undefined;
        expect(meta?.confirmationToken, textOf(first)).toBeTruthy();
        expect(changeRequests(suite.sandbox)).toEqual([]);
        const acted = await e2e.call('assign_permissions_to_users', {
          ...GRANT,
          confirmationToken: meta?.confirmationToken,
        });
        expect(acted.isError, textOf(acted)).toBeFalsy();
        expect(changeRequests(suite.sandbox)).toHaveLength(1);
        expect(forms).toEqual([]);
      },
    );
  });

  it("is refused as having no channel under 'elicitation'", async () => {
    const forms: string[] = [];
    await withE2E(
      {
        guard: { confirm: 'elicitation' },
        capabilities: URL_ONLY,
        elicit: async ({ message }) => {
          forms.push(message);
          return { action: 'accept', content: { confirm: true } };
        },
      },
      async (e2e) => {
        const result = await e2e.call('assign_permissions_to_users', GRANT);
        expect(result.isError).toBe(true);
        expect(textOf(result)).toContain('this client cannot ask');
        expect(forms).toEqual([]);
        expect(changeRequests(suite.sandbox)).toEqual([]);
        const [line] = await e2e.auditLines();
        expect(line).toMatchObject({ decision: 'refused', reason: 'no-confirmation-channel' });
      },
    );
  });

  it('a client declaring elicitation with no mode (2025-06-18 style) still gets the form', async () => {
    const forms: string[] = [];
    await withE2E(
      {
        capabilities: { elicitation: {} },
        elicit: async ({ message }) => {
          forms.push(message);
          return { action: 'decline' };
        },
      },
      async (e2e) => {
        await e2e.call('assign_permissions_to_users', GRANT);
        expect(forms).toHaveLength(1);
      },
    );
  });
});
