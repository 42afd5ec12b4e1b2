// Approval inside the client (MCP Apps), end to end through an SDK client that declares it renders views: a
// change waits for a person's click, the app-only confirm tool acts only with the approval the view received,
// once, and a model holding anything less is refused. The sandbox's request log says what was (not) sent.
import { describe, expect, it } from 'vitest';
import { ACCESS_TREE_META_KEY } from '../../src/apps/access-tree-result.js';
import { CONFIRM_TOOL } from '../../src/apps/confirm-tool.js';
import { DEMO_PERMISSIONS, DEMO_USERS } from '../../src/sandbox/index.js';
import { CONFIRMATION_META_KEY } from '../../src/server.js';
import { pendingApprovalOf, RENDERS_APPS } from '../support/mcp-apps.js';
import { changeRequests, type E2E, e2eSuite, textOf } from './e2e-harness.js';

const dana = DEMO_USERS.dana.userId;
const mallory = DEMO_USERS.mallory.userId;
const perm = DEMO_PERMISSIONS.payrollAuditor.permissionId;
const GRANT = { permissionIds: [perm], userIds: [dana] };

const suite = e2eSuite();
const holders = () => suite.sandbox.snapshot().userPermissions[perm] ?? [];
const changes = () => changeRequests(suite.sandbox).map((r) => `${r.method} ${r.path}`);
const withApps = (body: (e2e: E2E) => Promise<void>) => suite.withE2E({ capabilities: RENDERS_APPS }, body);

/** What the view sends when the person clicks. */
const answer = (pending: ReturnType<typeof pendingApprovalOf>, decision: 'approve' | 'deny', typed?: string) => ({
  approval: pending.approval,
  decision,
  ...(typed === undefined ? {} : { typed }),
});

describe('e2e: approval in the MCP Apps view', () => {
  it('lists the view on change tools and the app-only confirm tool to a client that renders apps, to no other', async () => {
    await withApps(async (e2e) => {
      const { tools } = await e2e.client.listTools();
      const byName = new Map(tools.map((tool) => [tool.name, tool]));
      expect(byName.get('assign_permissions_to_users')?._meta).toMatchObject({
        ui: { resourceUri: 'ui://visier-admin-mcp/view.html' },
      });
      expect(byName.get('get_user')?._meta).toMatchObject({ ui: { resourceUri: 'ui://visier-admin-mcp/view.html' } });
      expect(byName.get('list_users')?._meta?.ui).toBeUndefined();
      expect(byName.get(CONFIRM_TOOL.name)?._meta).toEqual({
        ui: { resourceUri: 'ui://visier-admin-mcp/view.html', visibility: ['app'] },
      });
      const view = await e2e.client.readResource({ uri: 'ui://visier-admin-mcp/view.html' });
      expect(view.contents[0]).toMatchObject({ mimeType: 'text/html;profile=mcp-app' });
    });
    await suite.withE2E({}, async (e2e) => {
      const { tools } = await e2e.client.listTools();
      expect(tools.map((tool) => tool.name)).not.toContain(CONFIRM_TOOL.name);
      expect(tools.filter((tool) => tool._meta?.ui !== undefined)).toEqual([]);
    });
  });

  it('get_user carries the access tree to a client that renders apps, and to no other', async () => {
    await withApps(async (e2e) => {
      const result = await e2e.call('get_user', { userId: dana });
      expect(result._meta?.[ACCESS_TREE_META_KEY]).toMatchObject({
        user: { id: dana, name: DEMO_USERS.dana.displayName },
        direct: [{ id: DEMO_PERMISSIONS.headcount.permissionId, name: 'Headcount Viewer', privileged: false }],
      });
    });
    await suite.withE2E({}, async (e2e) => {
      const result = await e2e.call('get_user', { userId: dana });
      expect(result.isError).toBeFalsy();
      expect(result._meta?.[ACCESS_TREE_META_KEY]).toBeUndefined();
    });
  });

  it('explain_user_access draws the same tree (user, groups, permissions) for a whole-access answer, and none for a candidates list', async () => {
    await withApps(async (e2e) => {
      const result = await e2e.call('explain_user_access', { userId: dana });
      expect(result.isError).toBeFalsy();
      expect(result._meta?.[ACCESS_TREE_META_KEY]).toMatchObject({
        user: { id: dana, name: DEMO_USERS.dana.displayName },
        direct: [{ id: DEMO_PERMISSIONS.headcount.permissionId, name: 'Headcount Viewer', privileged: false }],
      });
      const ambiguous = await e2e.call('explain_user_access', { userId: 'a' });
      expect(ambiguous._meta?.[ACCESS_TREE_META_KEY]).toBeUndefined();
    });
  });

  it('approve: nothing before the click, the grant exactly once after it, audited as the app channel', async () => {
    await withApps(async (e2e) => {
      const first = await e2e.call('assign_permissions_to_users', GRANT);
      expect(first.isError).toBe(true);
      const text = textOf(first);
      expect(text).toContain('APPROVAL PENDING. Nothing has been changed yet.');
      expect(text).toContain('you cannot approve it');
      const pending = pendingApprovalOf(first);
      // The model's part holds nothing it could act with: no approval, no token.
      expect(text).not.toContain(pending.approval);
      expect(first._meta?.[CONFIRMATION_META_KEY]).toBeUndefined();
      expect(pending.tool).toBe('assign_permissions_to_users');
      // The view gets no copy of the call to send back: the approval names the call the server holds.
      expect(Object.keys(pending)).not.toContain('arguments');
      expect(pending.preview.targets.map((t) => t.id)).toEqual([dana]);
      expect(changes()).toEqual([]);

      const acted = await e2e.call(CONFIRM_TOOL.name, answer(pending, 'approve'));
      expect(acted.isError).toBeFalsy();
      expect(textOf(acted)).toContain('Assign permissions: succeeded.');
      expect(changes()).toEqual(['PUT /v1/admin/permissions/users']);
      expect(holders()).toContain(dana);

      const replay = await e2e.call(CONFIRM_TOOL.name, answer(pending, 'approve'));
      expect(replay.isError).toBe(true);
      expect(textOf(replay)).toContain('was already used. Nothing was sent.');
      expect(changes()).toEqual(['PUT /v1/admin/permissions/users']);

      const audit = await e2e.auditLines();
      expect(
        audit.map((a) => [a.tool, a.decision, a.reason ?? '', (a.confirmation as { method?: string })?.method]),
      ).toEqual([
        ['assign_permissions_to_users', 'confirmation-required', 'awaiting a person in the approval view', 'app'],
        ['assign_permissions_to_users', 'confirmed', '', 'app'],
        ['assign_permissions_to_users', 'refused', 'approval-replayed', 'app'],
      ]);
      expect(JSON.stringify(audit)).not.toContain(pending.approval);
    });
  });

  it('deny: refused as declined, nothing sent, and the approval is spent', async () => {
    await withApps(async (e2e) => {
      const pending = pendingApprovalOf(await e2e.call('assign_permissions_to_users', GRANT));
      const denied = await e2e.call(CONFIRM_TOOL.name, answer(pending, 'deny'));
      expect(denied.isError).toBe(true);
      expect(textOf(denied)).toContain('the user declined; nothing was sent.');
      const after = await e2e.call(CONFIRM_TOOL.name, answer(pending, 'approve'));
      expect(textOf(after)).toContain('was already used');
      expect(changes()).toEqual([]);
      const audit = await e2e.auditLines();
      expect(audit[1]).toMatchObject({ decision: 'declined', confirmation: { method: 'app', outcome: 'declined' } });
    });
  });

  it('the model cannot approve: no approval, a forged one, one naming another call, or the approval as a confirmation token', async () => {
    const recruiting = DEMO_PERMISSIONS.recruiting.permissionId;
    const grant = { permissionIds: [recruiting], userIds: [dana] };
    await withApps(async (e2e) => {
      const pending = pendingApprovalOf(await e2e.call('assign_permissions_to_users', grant));

      const { approval: _none, ...withoutApproval } = answer(pending, 'approve');
      const missing = await e2e.call(CONFIRM_TOOL.name, withoutApproval);
      expect(missing.isError).toBe(true);
      expect(textOf(missing)).toMatch(/approval/);

      const forged = await e2e.call(CONFIRM_TOOL.name, { ...answer(pending, 'approve'), approval: 'e30.forged' });
      expect(textOf(forged)).toContain('no change waits under this approval on this server');

      // The approval names its call; the view cannot name another (its schema takes no tool and no arguments).
      const elsewhere = {
        tool: 'assign_permissions_to_users',
        arguments: { permissionIds: [recruiting], userIds: [mallory] },
      };
      const swapped = await e2e.call(CONFIRM_TOOL.name, { ...answer(pending, 'approve'), ...elsewhere });
      expect(swapped.isError).toBe(true);

      const asToken = await e2e.call('assign_permissions_to_users', { ...grant, confirmationToken: pending.approval });
      expect(textOf(asToken)).toContain('the confirmation token does not match this call');

      // Refused by the confirm tool's own schema: audited, with the approval as a digest only.
      const malformed = await e2e.call(CONFIRM_TOOL.name, { ...answer(pending, 'approve'), decision: 'maybe' });
      expect(malformed.isError).toBe(true);
      const audited = JSON.stringify(await e2e.auditLines());
      expect(audited).toContain('"reason":"invalid-arguments"');
      expect(audited).not.toContain(pending.approval);

      expect(audited).toContain('"reason":"approval-invalid"');
      expect(changes()).toEqual([]);
      expect(suite.sandbox.snapshot().userPermissions[recruiting] ?? []).not.toContain(dana);

      // The genuine approval still works after all of that: each refusal spent nothing of it.
      const acted = await e2e.call(CONFIRM_TOOL.name, answer(pending, 'approve'));
      expect(acted.isError).toBeFalsy();
      expect(changes()).toEqual(['PUT /v1/admin/permissions/users']);
    });
  });

  it('delete: the person types the name in the view; a wrong one deletes nothing, the right one deletes', async () => {
    const target = DEMO_USERS.admin;
    await withApps(async (e2e) => {
      const pending = pendingApprovalOf(await e2e.call('delete_user', { userId: target.userId }));
      expect(pending.typed).toEqual({ what: 'the name', value: target.displayName });
      const wrong = await e2e.call(CONFIRM_TOOL.name, answer(pending, 'approve', 'someone else'));
      expect(textOf(wrong)).toContain('the typed value did not match the name; nothing was sent.');
      expect(changes()).toEqual([]);
      const again = pendingApprovalOf(await e2e.call('delete_user', { userId: target.userId }));
      const right = await e2e.call(CONFIRM_TOOL.name, answer(again, 'approve', target.displayName));
      expect(right.isError).toBeFalsy();
      expect(changes()).toEqual([`DELETE /v1/admin/users/${target.userId}`]);
    });
  });

  it('the view comes first under auto; under the elicitation policy the same client gets the form', async () => {
    const both = { ...RENDERS_APPS, elicitation: { form: {} } };
    await suite.withE2E(
      { capabilities: both, elicit: async () => ({ action: 'accept', content: { confirm: true } }) },
      async (e2e) => {
        const first = await e2e.call('assign_permissions_to_users', GRANT);
        expect(pendingApprovalOf(first).tool).toBe('assign_permissions_to_users');
        expect(e2e.elicited).toEqual([]);
        expect(changes()).toEqual([]);
      },
    );
    await suite.withE2E(
      {
        capabilities: both,
        elicit: async () => ({ action: 'decline' }),
        guard: { confirm: 'elicitation' },
      },
      async (e2e) => {
        const first = await e2e.call('assign_permissions_to_users', GRANT);
        expect(textOf(first)).toContain('the user declined; nothing was sent.');
        expect(e2e.elicited).toHaveLength(1);
      },
    );
  });
});
