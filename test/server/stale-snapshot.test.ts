import { PassThrough } from 'node:stream';
import type { CallToolResult } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type CachedVisierApi, withReadCache } from '../../src/providers/visier/cache.js';
import type { VisierClient } from '../../src/providers/visier/client.js';
import { DEMO_GROUPS, type SandboxHandle, startSandbox } from '../../src/sandbox/index.js';
import { CONFIRMATION_META_KEY } from '../../src/server.js';
import { changeRequests, textOf } from '../guards/e2e-harness.js';
import { connectStack, type Stack } from '../support/mcp-stack.js';
import { clientFor } from '../visier/harness.js';

// The preview a person is shown first comes from the directory snapshot, which may be minutes old; the re-check
// before acting reads live. A snapshot gone stale under an approval makes the re-check differ: nothing is sent,
// and the person is asked again, this time from live data (not the same stale snapshot until it expires).

let sandbox: SandboxHandle;
let outsider: VisierClient;
let cached: CachedVisierApi;
let stack: Stack;
const asked: string[] = [];

beforeAll(async () => {
  sandbox = await startSandbox({ rateLimit: false, users: 30 });
  outsider = clientFor(sandbox);
  stack = await connectStack(sandbox, {
    client: { name: 'stale-snapshot-test', version: '1' },
    guard: { confirmSecret: 'stale-snapshot-secret-0123', audit: { stream: new PassThrough().resume() } },
    wrapVisier: (client) => {
      cached = withReadCache(client, { ttlMs: 600_000 });
      return { api: cached, liveApi: cached.live };
    },
    elicit: async ({ message }) => {
      asked.push(message);
      return { action: 'accept', content: { confirm: true } };
    },
  });
});

afterAll(async () => {
  await stack.close();
  await outsider.close();
  await sandbox.close();
});

it('a stale snapshot: the re-check differs, nothing is sent, and the person is asked again from live data', async () => {
  const group = DEMO_GROUPS.executives.userGroupId;
  const joiner = sandbox.snapshot().users.find(
    (u) =>
      !sandbox
        .snapshot()
        .userGroups.find((g) => g.userGroupId === group)
        ?.memberIds.includes(u.userId),
  );
  const userId = joiner?.userId as string;
  // The snapshot is filled (as any answer or preview would fill it), then someone renames the user elsewhere.
  await cached.directory({ tenantCode: sandbox.tenants.primary });
  await outsider.updateUser(userId, { displayName: 'Renamed Elsewhere' });

  sandbox.clearRequests();
  const refused = await stack.call('add_users_to_group', { userGroupId: group, userIds: [userId] });
  expect(asked).toHaveLength(1);
  expect(asked[0]).toContain(`"${joiner?.displayName}"`);
  expect(asked[0]).not.toContain('Renamed Elsewhere');
  expect(refused.isError).toBe(true);
  expect(textOf(refused)).toContain('the data changed since the user approved this change');
  expect(textOf(refused)).toContain('Renamed Elsewhere');
  expect(changeRequests(sandbox)).toEqual([]);

  // The same call again: the snapshot has not expired, yet the person now sees what is there and the change goes.
  const acted = await stack.call('add_users_to_group', { userGroupId: group, userIds: [userId] });
  expect(asked).toHaveLength(2);
  expect(asked[1]).toContain('"Renamed Elsewhere"');
  expect(acted.isError, textOf(acted)).toBeFalsy();
  expect(sandbox.snapshot().userGroups.find((g) => g.userGroupId === group)?.memberIds).toContain(userId);
});

const tokenOf = (result: CallToolResult): string =>
  (result._meta?.[CONFIRMATION_META_KEY] as { confirmationToken: string } | undefined)?.confirmationToken ?? '';

it('by token: the token from a stale preview is refused, and the next preview is live, so its token acts', async () => {
  const tokens = await connectStack(sandbox, {
    client: { name: 'stale-snapshot-token-test', version: '1' },
    guard: { confirmSecret: 'stale-snapshot-secret-0123', audit: { stream: new PassThrough().resume() } },
    wrapVisier: () => ({ api: cached, liveApi: cached.live }),
  });
  try {
    const group = DEMO_GROUPS.salesAnalysts.userGroupId;
    const members = sandbox.snapshot().userGroups.find((g) => g.userGroupId === group)?.memberIds ?? [];
    const userId = sandbox.snapshot().users.find((u) => !members.includes(u.userId))?.userId as string;
    const args = { userGroupId: group, userIds: [userId] };
    await cached.directory({ tenantCode: sandbox.tenants.primary });
    await outsider.updateUser(userId, { displayName: 'Renamed By Token' });

    const stale = await tokens.call('add_users_to_group', args);
    expect(textOf(stale)).not.toContain('Renamed By Token');
    const staleToken = tokenOf(stale);
    sandbox.clearRequests();
    const refused = await tokens.call('add_users_to_group', { ...args, confirmationToken: staleToken });
    expect(textOf(refused)).toContain('the data changed since the user approved this change');
    expect(changeRequests(sandbox)).toEqual([]);

    const fresh = await tokens.call('add_users_to_group', args);
    expect(textOf(fresh)).toContain('"Renamed By Token"');
    const freshToken = tokenOf(fresh);
    const acted = await tokens.call('add_users_to_group', { ...args, confirmationToken: freshToken });
    expect(acted.isError, textOf(acted)).toBeFalsy();
    expect(sandbox.snapshot().userGroups.find((g) => g.userGroupId === group)?.memberIds).toContain(userId);
  } finally {
    await tokens.close();
  }
});
