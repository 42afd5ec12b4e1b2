// A second approver (--approvers): the requester Alice, named by the transport as an OAuth token would name her,
// asks through an SDK client; Bob and Carol decide on the page's real desk as the signed-in page does (the browser
// test in test/approvals/ signs them in through a real OpenID provider). The sandbox stands where Visier stands.
import { describe, expect, it } from 'vitest';
import type { Approver } from '../../src/approvals/click-rules.js';
import { PendingApprovals } from '../../src/approvals/pending.js';
import { type Person, personKey } from '../../src/auth/person.js';
import { approversPolicy } from '../../src/guards/approvers.js';
import { DEMO_PERMISSIONS, DEMO_USERS } from '../../src/sandbox/index.js';
import { PERSON_KEY, PRINCIPAL_KEY } from '../../src/server-context.js';
import { changeRequests, e2eSuite, textOf } from './e2e-harness.js';

const ISSUER = 'https://login.example.com';
const person = (subject: string): Approver => ({
  issuer: ISSUER,
  subject,
  email: `${subject}@example.com`,
  mode: 'full',
});
const alice = person('alice');
const bob = person('bob');
const carol = person('carol');
const asAlice = {
  token: 'validated-elsewhere',
  clientId: 'alice-client',
  scopes: [],
  extra: { [PRINCIPAL_KEY]: personKey(alice), [PERSON_KEY]: alice },
};
const admin = DEMO_PERMISSIONS.admin.permissionId;
const payroll = DEMO_PERMISSIONS.payrollAuditor.permissionId;
const suite = e2eSuite();
const holders = (perm: string) => suite.sandbox.snapshot().userPermissions[perm] ?? [];
const named = (p: Person) => ({ issuer: p.issuer, subject: p.subject, email: p.email });

async function pendingOn(desk: PendingApprovals) {
  while (desk.list().length === 0) await new Promise((resolve) => setImmediate(resolve));
  return desk.list()[0] as NonNullable<ReturnType<PendingApprovals['list']>[number]>;
}

const guard = (desk: PendingApprovals, approvers: string, approvalTimeoutMs = 60_000) => ({
  guard: { confirm: 'auto' as const, approvals: desk, approvers: approversPolicy.parse(approvers), approvalTimeoutMs },
  authInfo: asAlice,
});

describe('a second approver', () => {
  it('privileged=2: Alice cannot approve her own change, one approval keeps it waiting, a second person lets it through', async () => {
    const desk = new PendingApprovals();
    const dana = DEMO_USERS.dana.userId;
    await suite.withE2E(guard(desk, 'access=1,privileged=2'), async (e2e) => {
      const call = e2e.call('assign_permissions_to_users', { permissionIds: [admin], userIds: [dana] });
      const item = await pendingOn(desk);
      expect(item.change).toMatchObject({ approversRequired: 2, person: alice, principal: personKey(alice) });

      expect(desk.click(item.id, item.change.digest, 'approve', undefined, alice)).toMatchObject({
        ok: false,
        status: 403,
        reason: 'own-change',
      });
      expect(desk.click(item.id, item.change.digest, 'approve', undefined, bob)).toMatchObject({
        ok: true,
        waitingFor: 1,
      });
      expect(desk.click(item.id, item.change.digest, 'approve', undefined, bob)).toMatchObject({
        ok: false,
        reason: 'already-approved',
      });
      // A click without a signed-in person never counts toward two.
      expect(desk.click(item.id, item.change.digest, 'approve', undefined)).toMatchObject({
        ok: false,
        reason: 'not-signed-in',
      });
      expect(desk.list()).toHaveLength(1);
      expect(changeRequests(suite.sandbox)).toEqual([]);
      expect(holders(admin)).not.toContain(dana);

      expect(desk.click(item.id, item.change.digest, 'approve', undefined, carol)).toMatchObject({
        ok: true,
        waitingFor: 0,
      });
      const result = await call;
      expect(result.isError, textOf(result)).toBeFalsy();
      expect(holders(admin)).toContain(dana);
      expect(changeRequests(suite.sandbox)).toHaveLength(1);
      const [line] = await e2e.auditLines();
      expect(line).toMatchObject({
        decision: 'confirmed',
        confirmation: {
          method: 'web',
          outcome: 'approved',
          approvals: {
            required: 2,
            requester: { principal: personKey(alice), person: named(alice) },
            approvedBy: [named(bob), named(carol)],
          },
        },
      });
    });
  });

  it('any one deny refuses, after another approved; the audit names who denied', async () => {
    const desk = new PendingApprovals();
    const user = DEMO_USERS.mallory.userId;
    await suite.withE2E(guard(desk, 'privileged=2'), async (e2e) => {
      const call = e2e.call('assign_permissions_to_users', { permissionIds: [admin], userIds: [user] });
      const item = await pendingOn(desk);
      expect(desk.click(item.id, item.change.digest, 'approve', undefined, bob)).toMatchObject({ ok: true });
      expect(desk.click(item.id, item.change.digest, 'deny', undefined, carol)).toMatchObject({ ok: true });
      const result = await call;
      expect(result.isError).toBe(true);
      expect(textOf(result)).toContain('one of the people asked denied this change');
      expect(changeRequests(suite.sandbox)).toEqual([]);
      expect(holders(admin)).not.toContain(user);
      expect((await e2e.auditLines())[0]).toMatchObject({
        decision: 'declined',
        confirmation: { approvals: { required: 2, approvedBy: [named(bob)], deniedBy: named(carol) } },
      });
    });
  });

  it('the time runs out with one of two approvals: refused, nothing sent (fail closed)', async () => {
    const desk = new PendingApprovals();
    const user = DEMO_USERS.mallory.userId;
    await suite.withE2E(guard(desk, 'privileged=2', 1_500), async (e2e) => {
      const call = e2e.call('assign_permissions_to_users', { permissionIds: [admin], userIds: [user] });
      const item = await pendingOn(desk);
      desk.click(item.id, item.change.digest, 'approve', undefined, bob);
      const result = await call;
      expect(result.isError).toBe(true);
      expect(textOf(result)).toContain('needed 2 different people to approve it on the approvals page and 1 did');
      expect(changeRequests(suite.sandbox)).toEqual([]);
      expect((await e2e.auditLines())[0]).toMatchObject({
        reason: 'approval-timeout',
        confirmation: { outcome: 'timed-out', approvals: { approvedBy: [named(bob)] } },
      });
    });
  });

  it('a class needing an approver goes to the page even from a client with forms; a plain grant needs one', async () => {
    const desk = new PendingApprovals();
    const user = DEMO_USERS.dana.userId;
    await suite.withE2E(
      {
        ...guard(desk, 'access=1,privileged=2'),
        elicit: async () => ({ action: 'accept', content: { confirm: true } }),
      },
      async (e2e) => {
        const call = e2e.call('assign_permissions_to_users', { permissionIds: [payroll], userIds: [user] });
        const item = await pendingOn(desk);
        expect(item.change.approversRequired).toBe(1);
        expect(e2e.elicited).toEqual([]);
        expect(desk.click(item.id, item.change.digest, 'approve', undefined, bob)).toMatchObject({ waitingFor: 0 });
        expect((await call).isError).toBeFalsy();
        expect(holders(payroll)).toContain(user);
      },
    );
  });

  it('write=2: a one-user write, far under the confirmation threshold, waits for two people; the audit names them', async () => {
    const desk = new PendingApprovals();
    const dana = DEMO_USERS.dana.userId;
    await suite.withE2E(guard(desk, 'write=2'), async (e2e) => {
      const call = e2e.call('update_user', { userId: dana, displayName: 'Dana, renamed' });
      const item = await pendingOn(desk);
      expect(item.change).toMatchObject({ classification: 'write', approversRequired: 2 });
      expect(desk.click(item.id, item.change.digest, 'approve', undefined, bob)).toMatchObject({ waitingFor: 1 });
      expect(changeRequests(suite.sandbox)).toEqual([]);
      expect(desk.click(item.id, item.change.digest, 'approve', undefined, carol)).toMatchObject({ waitingFor: 0 });
      const result = await call;
      expect(result.isError, textOf(result)).toBeFalsy();
      expect(changeRequests(suite.sandbox)).toHaveLength(1);
      expect((await e2e.auditLines())[0]).toMatchObject({
        decision: 'confirmed',
        confirmation: { method: 'web', approvals: { required: 2, approvedBy: [named(bob), named(carol)] } },
      });
    });
  });
});
