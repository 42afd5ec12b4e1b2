// Which channel asks the person, per class, when the approvals page runs; and what a page approval still has to
// pass (the re-check of its targets, the client's cancellation). The page's desk is the real one, decided here
// as the page decides it; the browser tests (test/approvals/) click the page itself.
import type { ElicitResult } from '@modelcontextprotocol/client';
import { describe, expect, it } from 'vitest';
import { PendingApprovals } from '../../src/approvals/pending.js';
import { createGuard } from '../../src/guards/index.js';
import { DEMO_PERMISSIONS, DEMO_USERS } from '../../src/sandbox/index.js';
import { CONFIRMATION_META_KEY } from '../../src/server.js';
import { CONFIRM_SECRET, changeRequests, e2eSuite, textOf } from './e2e-harness.js';

const dana = DEMO_USERS.dana.userId;
const GRANT = { permissionIds: [DEMO_PERMISSIONS.payrollAuditor.permissionId], userIds: [dana] };
const suite = e2eSuite();

/** Resolves with the change once it waits on the desk (checked as events arrive: no fixed wait). */
async function pendingOn(desk: PendingApprovals) {
  while (desk.list().length === 0) await new Promise((resolve) => setImmediate(resolve));
  return desk.list()[0] as NonNullable<ReturnType<PendingApprovals['list']>[number]>;
}

const accept: () => Promise<ElicitResult> = async () => ({ action: 'accept', content: { confirm: true } });

describe('choosing the channel with the approvals page', () => {
  it('a web policy without the page stops start-up, naming the classes', () => {
    const base = { mode: 'full' as const, tenants: ['T'], defaultTenant: 'T', confirmSecret: CONFIRM_SECRET };
    const audit = { path: '/nonexistent/never-written.jsonl' };
    expect(() => createGuard({ ...base, audit, confirm: 'web' })).toThrow(
      'guard: confirmation by web page for write, access, destructive needs the approvals page running',
    );
    expect(() =>
      createGuard({ ...base, audit, confirm: { write: 'auto', access: 'auto', destructive: 'web' } }),
    ).toThrow('guard: confirmation by web page for destructive needs the approvals page running');
  });

  it('per class: access waits for the page even from a client with forms; destructive under auto uses the form', async () => {
    const desk = new PendingApprovals();
    await suite.withE2E(
      {
        guard: { confirm: { write: 'auto', access: 'web', destructive: 'auto' }, approvals: desk },
        elicit: accept,
      },
      async (e2e) => {
        const call = e2e.call('assign_permissions_to_users', GRANT);
        const item = await pendingOn(desk);
        expect(item.change).toMatchObject({ tool: 'assign_permissions_to_users', classification: 'access' });
        expect(item.change.typed).toBeUndefined();
        expect(e2e.elicited).toEqual([]);
        expect(desk.click(item.id, item.change.digest, 'approve', undefined)).toMatchObject({ ok: true });
        expect((await call).isError).toBeFalsy();
        expect(changeRequests(suite.sandbox)).toHaveLength(1);

        const deletion = await e2e.call('delete_user', { userId: DEMO_USERS.mallory.userId });
        expect(e2e.elicited).toHaveLength(1);
        expect(textOf(deletion)).toContain('the typed value did not match');
        expect(desk.list()).toEqual([]);
        const audit = await e2e.auditLines();
        expect(audit.map((line) => (line.confirmation as { method: string }).method)).toEqual(['web', 'elicitation']);
      },
    );
  });

  it('auto with the page running: a client without forms gets the page, not a token', async () => {
    const desk = new PendingApprovals();
    await suite.withE2E({ guard: { confirm: 'auto', approvals: desk } }, async (e2e) => {
      const call = e2e.call('assign_permissions_to_users', GRANT);
      const item = await pendingOn(desk);
      expect(desk.click(item.id, item.change.digest, 'deny', undefined)).toMatchObject({ ok: true });
      const result = await call;
      expect(result._meta?.[CONFIRMATION_META_KEY]).toBeUndefined();
      expect(textOf(result)).toContain('denied this change on the approvals page');
      expect(changeRequests(suite.sandbox)).toEqual([]);
    });
  });

  it('web: a confirmation token the model brings is no approval; the page still decides', async () => {
    const desk = new PendingApprovals();
    await suite.withE2E({ guard: { confirm: 'web', approvals: desk } }, async (e2e) => {
      const call = e2e.call('assign_permissions_to_users', { ...GRANT, confirmationToken: 'made-up-by-the-model' });
      const item = await pendingOn(desk);
      expect(changeRequests(suite.sandbox)).toEqual([]);
      desk.click(item.id, item.change.digest, 'deny', undefined);
      expect(textOf(await call)).toContain('denied');
      expect(changeRequests(suite.sandbox)).toEqual([]);
    });
  });
});

describe('what a page approval still has to pass', () => {
  it('a target changed while the page waited: the approval is refused, naming what changed, nothing sent', async () => {
    const desk = new PendingApprovals();
    await suite.withE2E(
      { guard: { confirm: { write: 'auto', access: 'web', destructive: 'web' }, approvals: desk } },
      async (e2e) => {
        const call = e2e.call('assign_permissions_to_users', GRANT);
        const item = await pendingOn(desk);
        // A profile write of one user needs nobody's approval, and renames the grant's target meanwhile.
        const renamed = await e2e.call('update_user', { userId: dana, displayName: 'Mallory Outsider' });
        expect(renamed.isError).toBeFalsy();
        desk.click(item.id, item.change.digest, 'approve', undefined);
        const result = await call;
        expect(result.isError).toBe(true);
        expect(textOf(result)).toContain('Mallory Outsider');
        expect(changeRequests(suite.sandbox).map((r) => r.method)).toEqual(['PUT']);
        const audit = await e2e.auditLines();
        expect(audit.at(-1)).toMatchObject({
          reason: 'target-changed',
          confirmation: { method: 'web', outcome: 'approved' },
        });
        await e2e.call('update_user', { userId: dana, displayName: DEMO_USERS.dana.displayName });
      },
    );
  });

  it('the client cancels while the page waits: the change leaves the page, nothing is sent, the audit says cancelled', async () => {
    const desk = new PendingApprovals();
    await suite.withE2E({ guard: { confirm: 'web', approvals: desk } }, async (e2e) => {
      const abort = new AbortController();
      const call = e2e.client.callTool(
        { name: 'assign_permissions_to_users', arguments: GRANT },
        { signal: abort.signal },
      );
      const item = await pendingOn(desk);
      abort.abort();
      await expect(call).rejects.toThrow();
      while (desk.list().length > 0) await new Promise((resolve) => setImmediate(resolve));
      expect(desk.click(item.id, item.change.digest, 'approve', undefined)).toMatchObject({
        ok: false,
        reason: 'not-pending',
      });
      while ((await e2e.auditLines().catch(() => [])).length === 0)
        await new Promise((resolve) => setImmediate(resolve));
      expect((await e2e.auditLines())[0]).toMatchObject({
        decision: 'refused',
        reason: 'cancelled',
        confirmation: { method: 'web', outcome: 'cancelled' },
      });
      expect(changeRequests(suite.sandbox)).toEqual([]);
    });
  });
});
