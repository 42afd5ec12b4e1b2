// Attack on issue 13's directory snapshot (attack13): a decision that needs a person's yes, taken from a stale
// snapshot without one. The server runs as the CLI runs it, with the read cache (and snapshot TTL) in front of
// Visier. A red test is a finding.
import { PassThrough } from 'node:stream';
import type { CallToolResult } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withReadCache } from '../../src/providers/visier/cache.js';
import type { VisierClient } from '../../src/providers/visier/client.js';
import { DEMO_PERMISSIONS, type SandboxHandle, startSandbox } from '../../src/sandbox/index.js';
import { connectStack, type Stack } from '../support/mcp-stack.js';
import { clientFor } from '../visier/harness.js';

let sandbox: SandboxHandle;
let outsider: VisierClient;
let stack: Stack;
const asked: string[] = [];
const textOf = (r: CallToolResult) => r.content.map((p) => (p.type === 'text' ? p.text : '')).join('\n');

beforeAll(async () => {
  sandbox = await startSandbox({ rateLimit: false, users: 12, seed: 5 });
  outsider = clientFor(sandbox);
  stack = await connectStack(sandbox, {
    client: { name: 'atk13-stale', version: '1' },
    guard: { confirmSecret: 'atk13-stale-secret-0123456789', audit: { stream: new PassThrough().resume() } },
    wrapVisier: (client) => {
      const cached = withReadCache(client, { ttlMs: 600_000 });
      return { api: cached, liveApi: cached.live };
    },
    elicit: async ({ message }) => {
      asked.push(message);
      return { action: 'decline' };
    },
  });
});
afterAll(async () => {
  await stack.close();
  await outsider.close();
  await sandbox.close();
});

// Both Admin holders exist before the first snapshot, so the one snapshot both tests read knows them.
const ADMINS = ['gone.bulk@wff-demo.example', 'gone.single@wff-demo.example'];
const adminIds = new Map<string, string>();
beforeAll(async () => {
  for (const username of ADMINS) {
    const id = (await outsider.createUser({ username, displayName: username })).userId;
    await outsider.assignPermissionsToUsers([{ permissionId: DEMO_PERMISSIONS.admin.permissionId, userIds: [id] }]);
    adminIds.set(username, id);
  }
});

async function offboardedOutside(username: string): Promise<string> {
  const id = adminIds.get(username) as string;
  // The snapshot is warm with the account enabled ...
  const warm = await stack.call('explain_user_access', { userId: id });
  expect(warm.isError, textOf(warm)).toBeFalsy();
  // ... then security disables it in Visier itself (not through this server).
  await outsider.updateUser(id, { accountEnabled: false });
  return id;
}

describe('hostile: re-enabling an account disabled since the snapshot still asks a person', () => {
  it('bulk_update_users accountEnabled: true on an account disabled after the snapshot', async () => {
    const id = await offboardedOutside('gone.bulk@wff-demo.example');
    const before = asked.length;
    const result = await stack.call('bulk_update_users', { users: [{ userId: id, accountEnabled: true }] });
    const enabled = (await outsider.getUser(id)).accountEnabled;
    // Expected: "disabled account re-enabled" is an access change, a person is asked (and here declines).
    // Observed (finding): the preview reads the stale snapshot (enabled), so no one is asked and the
    // offboarded Admin account is enabled again.
    expect({ asked: asked.length - before, enabled, text: textOf(result).slice(0, 300) }).toMatchObject({
      asked: 1,
      enabled: false,
    });
  });

  it('update_user accountEnabled: true on an account disabled after the snapshot (control)', async () => {
    const id = await offboardedOutside('gone.single@wff-demo.example');
    const before = asked.length;
    await stack.call('update_user', { userId: id, accountEnabled: true });
    const enabled = (await outsider.getUser(id)).accountEnabled;
    expect({ asked: asked.length - before, enabled }).toMatchObject({ asked: 1, enabled: false });
  });
});
