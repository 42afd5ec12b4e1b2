import type { ElicitResult } from '@modelcontextprotocol/client';
import { describe, expect, it } from 'vitest';
import { DEMO_GROUPS, DEMO_PERMISSIONS, DEMO_USERS } from '../../src/sandbox/index.js';
import { CONFIRMATION_META_KEY } from '../../src/server.js';
import { changeRequests, type E2E, type ElicitHandler, e2eSuite, textOf } from './e2e-harness.js';

const dana = DEMO_USERS.dana.userId;
const perm = DEMO_PERMISSIONS.payrollAuditor.permissionId;
const GRANT = { permissionIds: [perm], userIds: [dana] };

const suite = e2eSuite();
const { withE2E } = suite;

const holders = () => suite.sandbox.snapshot().userPermissions[perm] ?? [];
const answer =
  (result: ElicitResult): ElicitHandler =>
  async () =>
    result;

describe('e2e: confirmation by elicitation', () => {
  it.each<[string, ElicitHandler, string]>([
    ['decline', answer({ action: 'decline' }), 'the user declined; nothing was sent.'],
    ['cancel', answer({ action: 'cancel' }), 'the user cancelled; nothing was sent.'],
    [
      'accept without approving',
      answer({ action: 'accept', content: { confirm: false } }),
      'the user did not tick approve',
    ],
    [
      'a client error',
      async () => {
        throw new Error('dialog crashed');
      },
      'the approval request failed',
    ],
    ['no answer in time', () => new Promise<never>(() => {}), 'no answer within 0.2 s; nothing was sent.'],
  ])('%s: the grant is not sent', async (_label, elicit, text) => {
    await withE2E({ elicit, guard: { elicitationTimeoutMs: 200 } }, async (e2e) => {
      const result = await e2e.call('assign_permissions_to_users', GRANT);
      expect(result.isError).toBe(true);
      expect(textOf(result)).toContain(text);
      expect(e2e.elicited).toHaveLength(1);
      expect(changeRequests(suite.sandbox)).toEqual([]);
      expect(holders()).not.toContain(dana);
    });
  });

  it('accept: the human sees who gains what, and the grant is made', async () => {
    const group = (g: { userGroupId: string; displayName: string }) => `"${g.displayName}" (${g.userGroupId})`;
    const SALES = group(DEMO_GROUPS.salesAnalysts);
    const ALL = group(DEMO_GROUPS.allEmployees);
    await withE2E({ elicit: answer({ action: 'accept', content: { confirm: true } }) }, async (e2e) => {
      const result = await e2e.call('assign_permissions_to_users', GRANT);
      expect(result.isError).toBeFalsy();
      expect(e2e.elicited[0]?.message).toBe(
        [
          'assign_permissions_to_users asks for your approval.',
          `Grant "Payroll Auditor" (${perm}) to 1 user [tenant ${suite.sandbox.tenants.primary}, production]`,
          `user ${dana} "Dana Whitfield" now: identity: "${DEMO_USERS.dana.username}" name "Dana Whitfield" employee "${DEMO_USERS.dana.employeeId}" enabled; user groups: ${SALES}, ${ALL}; permissions: "Headcount Viewer" (${DEMO_PERMISSIONS.headcount.permissionId}) directly and through group ${SALES} and through group ${ALL}; "Sales Performance Analyst" (${DEMO_PERMISSIONS.salesPerformance.permissionId}) through group ${SALES} after: can newly use "Payroll Auditor" (${perm})`,
          'Approve?',
        ].join('\n'),
      );
      expect(changeRequests(suite.sandbox).map((r) => `${r.method} ${r.path}`)).toEqual([
        'PUT /v1/admin/permissions/users',
      ]);
      expect(holders()).toContain(dana);
      const [line] = await e2e.auditLines();
      expect(line).toMatchObject({
        tool: 'assign_permissions_to_users',
        decision: 'confirmed',
        confirmation: { method: 'elicitation', outcome: 'accepted' },
        client: { name: 'guard-e2e-client', version: '3.1.4' },
      });
    });
  });

  it('delete: the human must type the name; a wrong one deletes nothing, the right one deletes', async () => {
    const target = DEMO_USERS.admin;
    const typedWrong = answer({ action: 'accept', content: { confirm: true, typed: 'someone else' } });
    await withE2E({ elicit: typedWrong }, async (e2e) => {
      const result = await e2e.call('delete_user', { userId: target.userId });
      expect(textOf(result)).toContain('the typed value did not match the name; nothing was sent.');
      expect(e2e.elicited[0]?.requestedSchema).toMatchObject({
        properties: { typed: { type: 'string', title: `Type the name to confirm: ${target.displayName}` } },
        required: ['confirm', 'typed'],
      });
      expect(changeRequests(suite.sandbox)).toEqual([]);
    });
    const typedRight = answer({ action: 'accept', content: { confirm: true, typed: target.displayName } });
    await withE2E({ elicit: typedRight }, async (e2e) => {
      const result = await e2e.call('delete_user', { userId: target.userId });
      expect(result.isError).toBeFalsy();
      expect(changeRequests(suite.sandbox).map((r) => `${r.method} ${r.path}`)).toEqual([
        `DELETE /v1/admin/users/${target.userId}`,
      ]);
      expect(suite.sandbox.snapshot().users.some((u) => u.userId === target.userId)).toBe(false);
    });
  });
});

describe('e2e: confirmation by token (client without elicitation)', () => {
  const clock = { t: Date.now() };

  async function tokenFor(e2e: E2E, tool: string, args: Record<string, unknown>): Promise<string> {
    const first = await e2e.call(tool, args);
    expect(first.structuredContent).toBeUndefined();
    expect(first._meta?.[CONFIRMATION_META_KEY]).toBeDefined();
    expect(textOf(first)).toContain('Show this preview to the user verbatim and wait for their explicit answer.');
    return (first._meta![CONFIRMATION_META_KEY] as { confirmationToken: string }).confirmationToken;
  }

  it('acts once on the token; replay, changed arguments, another tool and an expired token are refused', async () => {
    const revoke = DEMO_PERMISSIONS.headcount.permissionId;
    await withE2E({ guard: { now: () => clock.t } }, async (e2e) => {
      const grant = { permissionIds: [revoke], userIds: [DEMO_USERS.mallory.userId] };
      const token = await tokenFor(e2e, 'assign_permissions_to_users', grant);
      expect(changeRequests(suite.sandbox)).toEqual([]);

      const tampered = await e2e.call('assign_permissions_to_users', {
        ...grant,
        userIds: [dana],
        confirmationToken: token,
      });
      expect(textOf(tampered)).toContain('the confirmation token does not match this call');
      const otherTool = await e2e.call('remove_permissions_from_users', { ...grant, confirmationToken: token });
      expect(textOf(otherTool)).toContain('the confirmation token does not match this call');
      expect(changeRequests(suite.sandbox)).toEqual([]);

      const acted = await e2e.call('assign_permissions_to_users', { ...grant, confirmationToken: token });
      expect(acted.isError).toBeFalsy();
      expect(changeRequests(suite.sandbox)).toHaveLength(1);
      const replay = await e2e.call('assign_permissions_to_users', { ...grant, confirmationToken: token });
      expect(textOf(replay)).toContain('the confirmation token was already used. Nothing was sent.');

      const later = await tokenFor(e2e, 'remove_permissions_from_users', grant);
      clock.t += 300_000;
      const expired = await e2e.call('remove_permissions_from_users', { ...grant, confirmationToken: later });
      expect(textOf(expired)).toContain('the confirmation token has expired.');
      expect(changeRequests(suite.sandbox)).toHaveLength(1);
      expect(suite.sandbox.snapshot().userPermissions[revoke]).toContain(DEMO_USERS.mallory.userId);

      const audit = await e2e.auditLines();
      expect(audit.map((a) => [a.tool, a.decision, a.reason ?? ''])).toEqual([
        ['assign_permissions_to_users', 'confirmation-required', 'awaiting confirmation token'],
        ['assign_permissions_to_users', 'refused', 'token-invalid'],
        ['remove_permissions_from_users', 'refused', 'token-invalid'],
        ['assign_permissions_to_users', 'confirmed', ''],
        ['assign_permissions_to_users', 'refused', 'token-replayed'],
        ['remove_permissions_from_users', 'confirmation-required', 'awaiting confirmation token'],
        ['remove_permissions_from_users', 'refused', 'token-expired'],
      ]);
    });
  });

  it("policy 'elicitation' refuses the change outright for a client without elicitation", async () => {
    await withE2E({ guard: { confirm: 'elicitation' } }, async (e2e) => {
      const result = await e2e.call('assign_permissions_to_users', GRANT);
      expect(result.isError).toBe(true);
      expect(textOf(result)).toContain('this call needs a human to confirm it, and this client cannot ask');
      expect(result._meta?.[CONFIRMATION_META_KEY]).toBeUndefined();
      expect(changeRequests(suite.sandbox)).toEqual([]);
    });
  });
});
