// Issue 14, finding 5 (from atk14's apps-declared-never-rendered): a client that declares MCP Apps at initialize
// but never shows the view (Claude Desktop for servers from its config file; any host whose iframe fails) was
// stuck under `--confirm auto`: every call ended in another view approval no one could see, even with the
// approvals page running. Declaring is not rendering: the same call asked again while its view approval is
// unanswered goes to the next channel (the page when it runs, else a token), and the view's approval is withdrawn.
import { describe, expect, it } from 'vitest';
import { PendingApprovals } from '../../src/approvals/pending.js';
import { CONFIRM_TOOL } from '../../src/apps/confirm-tool.js';
import { DEMO_PERMISSIONS, DEMO_USERS } from '../../src/sandbox/index.js';
import { CONFIRMATION_META_KEY } from '../../src/server.js';
import { changeRequests, e2eSuite, textOf } from '../guards/e2e-harness.js';
import { pendingApprovalOf, RENDERS_APPS } from '../support/mcp-apps.js';

const GRANT = { permissionIds: [DEMO_PERMISSIONS.payrollAuditor.permissionId], userIds: [DEMO_USERS.dana.userId] };
const suite = e2eSuite();
const changes = () => changeRequests(suite.sandbox).map((r) => `${r.method} ${r.path}`);
const methods = (audit: Record<string, unknown>[]) =>
  audit.map((line) => [line.decision, (line.confirmation as { method?: string } | undefined)?.method]);

/** Resolves with the change once it waits on the desk (checked as events arrive: no fixed wait). */
async function pendingOn(desk: PendingApprovals) {
  while (desk.list().length === 0) await new Promise((resolve) => setImmediate(resolve));
  return desk.list()[0] as NonNullable<ReturnType<PendingApprovals['list']>[number]>;
}

describe('a client that declares MCP Apps but shows no view', () => {
  it('with the approvals page running: asked again, the change waits on the page, a click there makes it, the view’s approval is withdrawn', async () => {
    const desk = new PendingApprovals();
    await suite.withE2E({ guard: { confirm: 'auto', approvals: desk }, capabilities: RENDERS_APPS }, async (e2e) => {
      const first = await e2e.call('assign_permissions_to_users', GRANT);
      const view = pendingApprovalOf(first);
      // The model's text says what the person can do when no view shows up.
      expect(textOf(first)).toContain('APPROVAL PENDING');
      expect(textOf(first)).toContain('Only if the user sees no approval view, call assign_permissions_to_users again');
      expect(textOf(first)).toContain('approvals page');
      expect(desk.list()).toEqual([]);

      const again = e2e.call('assign_permissions_to_users', GRANT);
      const item = await pendingOn(desk);
      expect(item.change.tool).toBe('assign_permissions_to_users');
      expect(changes()).toEqual([]);
      expect(desk.click(item.id, item.change.digest, 'approve', undefined)).toMatchObject({ ok: true });
      const made = await again;
      expect(made.isError, textOf(made)).toBeFalsy();
      expect(changes()).toEqual(['PUT /v1/admin/permissions/users']);

      // A view that shows up late decides nothing: one pending change, one live approval.
      const late = await e2e.call(CONFIRM_TOOL.name, { approval: view.approval, decision: 'approve' });
      expect(late.isError).toBe(true);
      expect(textOf(late)).toContain('no change waits under this approval on this server');
      expect(changes()).toEqual(['PUT /v1/admin/permissions/users']);
      expect(methods(await e2e.auditLines())).toEqual([
        ['confirmation-required', 'app'],
        ['confirmed', 'web'],
        ['refused', undefined],
      ]);
    });
  });

  it('without the page: asked again, the model gets the preview and a token, as for a client without views', async () => {
    await suite.withE2E({ capabilities: RENDERS_APPS }, async (e2e) => {
      const first = await e2e.call('assign_permissions_to_users', GRANT);
      const view = pendingApprovalOf(first);
      expect(textOf(first)).toContain('confirmation token instead');
      expect(first._meta?.[CONFIRMATION_META_KEY]).toBeUndefined();

      const again = await e2e.call('assign_permissions_to_users', GRANT);
      const token = (again._meta?.[CONFIRMATION_META_KEY] as { confirmationToken?: string } | undefined)
        ?.confirmationToken;
      expect(token, textOf(again)).toBeTypeOf('string');
      const late = await e2e.call(CONFIRM_TOOL.name, { approval: view.approval, decision: 'approve' });
      expect(textOf(late)).toContain('no change waits under this approval on this server');
      expect(changes()).toEqual([]);
      const made = await e2e.call('assign_permissions_to_users', { ...GRANT, confirmationToken: token });
      expect(made.isError, textOf(made)).toBeFalsy();
      expect(changes()).toEqual(['PUT /v1/admin/permissions/users']);
    });
  });

  it('a view answered (denied) is no unanswered one: the call asked again gets the view again, never a token', async () => {
    await suite.withE2E({ capabilities: RENDERS_APPS }, async (e2e) => {
      const view = pendingApprovalOf(await e2e.call('assign_permissions_to_users', GRANT));
      const denied = await e2e.call(CONFIRM_TOOL.name, { approval: view.approval, decision: 'deny' });
      expect(textOf(denied)).toContain('the user declined');
      const again = await e2e.call('assign_permissions_to_users', GRANT);
      expect(again._meta?.[CONFIRMATION_META_KEY]).toBeUndefined();
      expect(pendingApprovalOf(again).approval).not.toBe(view.approval);
      expect(changes()).toEqual([]);
    });
  });

  it('another session asking the same call does not take a person’s view approval away', async () => {
    await suite.withE2E({ capabilities: RENDERS_APPS }, async (mine) => {
      const view = pendingApprovalOf(await mine.call('assign_permissions_to_users', GRANT));
      await suite.withE2E({ capabilities: RENDERS_APPS }, async (theirs) => {
        const other = await theirs.call('assign_permissions_to_users', GRANT);
        expect(pendingApprovalOf(other).approval).not.toBe(view.approval);
      });
    });
  });
});
