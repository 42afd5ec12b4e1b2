// Attack on issue 13's snapshot previews with the MCP Apps approval view (attack13). README: the view's call "goes
// through the whole guard again (mode, tenants, caps, a live preview) before its answer is judged". Here the
// server runs as the CLI runs it (read cache and snapshot TTL in front of Visier) for a client that renders views.
// A red test is a finding.
import { PassThrough } from 'node:stream';
import type { CallToolResult } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONFIRM_TOOL } from '../../src/apps/confirm-tool.js';
import { withReadCache } from '../../src/providers/visier/cache.js';
import type { VisierClient } from '../../src/providers/visier/client.js';
import { DEMO_PERMISSIONS, type SandboxHandle, startSandbox } from '../../src/sandbox/index.js';
import { pendingApprovalOf, RENDERS_APPS } from '../support/mcp-apps.js';
import { connectStack, type Stack } from '../support/mcp-stack.js';
import { clientFor } from '../visier/harness.js';

let sandbox: SandboxHandle;
let outsider: VisierClient;
let stack: Stack;
const textOf = (r: CallToolResult) => r.content.map((p) => (p.type === 'text' ? p.text : '')).join('\n');
const admin = DEMO_PERMISSIONS.admin.permissionId;
const headcount = DEMO_PERMISSIONS.headcount.permissionId;

beforeAll(async () => {
  sandbox = await startSandbox({ rateLimit: false, users: 12, seed: 9 });
  outsider = clientFor(sandbox);
  stack = await connectStack(sandbox, {
    client: { name: 'atk13-view', version: '1' },
    capabilities: RENDERS_APPS,
    guard: { confirmSecret: 'atk13-view-secret-0123456789', audit: { stream: new PassThrough().resume() } },
    wrapVisier: (client) => {
      const cached = withReadCache(client, { ttlMs: 600_000 });
      return { api: cached, liveApi: cached.live };
    },
  });
});
afterAll(async () => {
  await stack.close();
  await outsider.close();
  await sandbox.close();
});

describe('hostile: a view approval of a snapshot preview is re-checked live before acting', () => {
  it('the group gained Admin in Visier after the snapshot; the person approved "Headcount" only', async () => {
    const una = (await outsider.createUser({ username: 'una.new@wff-demo.example', displayName: 'Una New' })).userId;
    const made = await outsider.createUserGroups([{ displayName: 'Reporting', permissionIds: [headcount] }]);
    const groupId = made.successes[0]?.userGroupId as string;
    // The snapshot is warm ...
    const warm = await stack.call('explain_user_access', { userId: una });
    expect(warm.isError, textOf(warm)).toBeFalsy();
    // ... then someone grants Admin to the group in Visier itself.
    await outsider.assignPermissionsToGroups([{ userGroupId: groupId, permissionIds: [admin] }]);
    expect(sandbox.snapshot().userGroups.find((g) => g.userGroupId === groupId)?.permissionIds).toContain(admin);

    const first = await stack.call('add_users_to_group', { userGroupId: groupId, userIds: [una] });
    const pending = pendingApprovalOf(first);
    const shown = [pending.shown.alert ?? '', ...pending.shown.body].join('\n');
    const acted = await stack.call(CONFIRM_TOOL.name, {
      approval: pending.approval,
      decision: 'approve',
    });
    const unaHoldsAdminNow = sandbox
      .snapshot()
      .userGroups.some((g) => g.permissionIds.includes(admin) && g.memberIds.includes(una));
    // Expected: either the person was shown the Admin grant, or the click is refused as target-changed after a
    // live re-check. Observed (finding): the preview the person approved never mentions Admin, the view's call
    // previews from the same stale snapshot, fingerprints match, and Una now holds Admin (Full Access).
    expect({
      shownMentionsAdmin: /Admin/.test(shown),
      acted: acted.isError !== true,
      unaHoldsAdminNow,
    }).not.toEqual({ shownMentionsAdmin: false, acted: true, unaHoldsAdminNow: true });
  });
});
