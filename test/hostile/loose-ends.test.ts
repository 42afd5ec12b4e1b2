import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CallToolResult } from '@modelcontextprotocol/client';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PERMISSIONS, DEMO_USERS, type SandboxHandle, startSandbox } from '../../src/sandbox/index.js';
import { CONFIRM_SECRET, dataRequests, textOf } from '../guards/e2e-harness.js';
import { connectStack, type ElicitHandler, type Stack } from '../support/mcp-stack.js';
import { groupAndNewcomers } from '../visier/harness.js';

// Issue 9, loose ends from the first build, attacked through an SDK client as a model would: a routing value
// undici cannot send must not stall the server, and what Visier reports inside a 200 or across several
// requests (a lost answer, a tenant Failed, a change stopped part-way) must reach the model and the audit log.

/** A human who approves, typing what a destructive change asks them to type. */
const ACCEPT: ElicitHandler = async ({ requestedSchema }) => {
  const title = (requestedSchema as { properties?: { typed?: { title?: string } } }).properties?.typed?.title;
  const content: Record<string, string | boolean> = { confirm: true };
  if (title !== undefined) content.typed = title.slice(title.indexOf(': ') + 2);
  return { action: 'accept', content };
};
const MEMBERSHIP = '/v1/admin/user-groups/users';
const dana = DEMO_USERS.dana.userId;

let sandbox: SandboxHandle;
let dir: string;
let stack: Stack;
let auditPath: string;

beforeAll(async () => {
  sandbox = await startSandbox({ rateLimit: false, users: 300, seed: 19 });
  dir = await mkdtemp(join(tmpdir(), 'hostile-loose-ends-'));
});
afterAll(async () => {
  await sandbox.close();
  await rm(dir, { recursive: true, force: true });
});

/** A fresh server per test, retrying as a deployed one does (four attempts), with a human who approves. */
async function withStack(body: () => Promise<void>): Promise<void> {
  auditPath = join(dir, `audit-${Date.now()}-${Math.random().toString(36).slice(2)}.jsonl`);
  stack = await connectStack(sandbox, {
    client: { name: 'hostile-loose-ends', version: '1.0.0' },
    visier: { retry: { maxAttempts: 4, baseDelayMs: 1, maxDelayMs: 5 }, logger: pino({ level: 'silent' }) },
    guard: { confirmSecret: CONFIRM_SECRET, elicitationTimeoutMs: 5_000, audit: { path: auditPath } },
    elicit: ACCEPT,
  });
  sandbox.faults.clear();
  sandbox.clearRequests();
  try {
    await body();
  } finally {
    sandbox.faults.clear();
    await stack.close();
  }
}

async function auditOf(tool: string): Promise<Record<string, unknown>> {
  const lines = (await readFile(auditPath, 'utf8'))
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  const line = lines.findLast((l) => l.tool === tool);
  expect(line).toBeDefined();
  return line as Record<string, unknown>;
}

const structured = (result: CallToolResult) => result.structuredContent as Record<string, unknown>;

/** Errors may come as an isError result or as an MCP error: either way the text is what the model reads. */
async function refusalText(name: string, args: Record<string, unknown>): Promise<string> {
  try {
    const result = await stack.call(name, args);
    expect(result.isError).toBe(true);
    return textOf(result);
  } catch (error) {
    return String(error);
  }
}

describe('hostile: routing values undici cannot send', () => {
  it.each([
    ['get_user', { userId: dana, projectId: 'proj\u0000ect' }, 'projectId', 'visible ASCII'],
    ['get_user', { userId: 'user\r\nX-Injected: 1' }, 'userId', 'visible ASCII'],
    ['list_users', { tenantCode: 'WFF_demo~c01\u0000' }, 'tenantCode', 'control characters'],
    [
      'assign_permissions_to_users',
      {
        permissionIds: [DEMO_PERMISSIONS.recruiting.permissionId],
        userIds: [dana],
        targetProjectForTenants: [{ tenantCode: 'WFF_demo~c01', projectId: 'p\r\n1' }],
      },
      'targetProjectForTenants',
      'visible ASCII',
    ],
  ])(
    '%s with a bad %s is refused naming the field and the rule, and sends nothing',
    async (tool, args, field, rule) => {
      await withStack(async () => {
        const text = await refusalText(tool, args);
        expect(text).toContain(field);
        expect(text).toContain(rule);
        expect(dataRequests(sandbox)).toEqual([]);
      });
    },
  );

  it('a NUL projectId tried twice does not leave the next call hanging (it hung for over 90 s)', async () => {
    await withStack(async () => {
      for (let i = 0; i < 2; i++) await refusalText('get_user', { userId: dana, projectId: 'proj\u0000ect' });
      const started = performance.now();
      const result = await stack.call('get_user', { userId: dana });
      expect(result.isError).toBeFalsy();
      expect(textOf(result)).toContain(dana);
      // The stall ran into the 60 s request timeout, then retried; a prompt answer is far below either.
      expect(performance.now() - started).toBeLessThan(10_000);
    });
  }, 30_000);
});

describe('hostile: what Visier reports inside a 200 or across requests', () => {
  it('bulk delete after a lost answer reports the users it deleted as succeeded, and the audit counts them', async () => {
    await withStack(async () => {
      const created = await stack.call('bulk_create_users', {
        users: [0, 1, 2].map((i) => ({ username: `lost.${i}@wff-demo.example` })),
      });
      const ids = (structured(created).items as { userId: string }[]).map((i) => i.userId);
      expect(ids).toHaveLength(3);
      sandbox.faults.set({ rules: [{ kind: 'lost-response', method: 'DELETE', path: '^/v2/admin/users$', count: 1 }] });
      const result = await stack.call('bulk_delete_users', { userIds: ids });
      expect(result.isError).toBeFalsy();
      const items = structured(result).items as { status: string; message?: string }[];
      expect(items.map((i) => i.status)).toEqual(['succeeded', 'succeeded', 'succeeded']);
      expect(items[0]?.message).toMatch(/answer was lost/);
      expect(sandbox.snapshot().users.filter((u) => ids.includes(u.userId))).toEqual([]);
      expect((await auditOf('bulk_delete_users')).counts).toEqual({ succeeded: 3, failed: 0 });
    });
  });

  it('delete_user_groups after a lost answer reports the group it deleted as deleted, not failed', async () => {
    await withStack(async () => {
      const created = await stack.call('create_user_groups', { userGroups: [{ displayName: 'Lost answer group' }] });
      const id = (structured(created).successes as { userGroupId: string }[])[0]!.userGroupId;
      sandbox.faults.set({
        rules: [{ kind: 'lost-response', method: 'DELETE', path: '^/v2/admin/user-groups$', count: 1 }],
      });
      const result = await stack.call('delete_user_groups', { userGroupIds: [id] });
      expect(result.isError).toBeFalsy();
      expect(textOf(result)).toContain('Deleted 1 user group; 0 failed.');
      expect(structured(result)).toMatchObject({ successes: [{ userGroupId: id }], failures: [] });
      expect(sandbox.snapshot().userGroups.some((g) => g.userGroupId === id)).toBe(false);
    });
  });

  it('a tenant Failed inside a 200 is an error result, with every tenant in it and counts in the audit', async () => {
    await withStack(async () => {
      // A draft project in each tenant (an unknown one is refused whole); Dana exists only in the primary.
      const project = async (tenantCode: string) => {
        const created = await stack.call('create_project', { name: `loose ends ${tenantCode}`, tenantCode });
        return (structured(created).project as { projectId: string }).projectId;
      };
      const result = await stack.call('assign_permissions_to_users', {
        permissionIds: [DEMO_PERMISSIONS.recruiting.permissionId],
        userIds: [dana],
        targetProjectForTenants: [
          { tenantCode: sandbox.tenants.primary, projectId: await project(sandbox.tenants.primary) },
          { tenantCode: sandbox.tenants.secondary, projectId: await project(sandbox.tenants.secondary) },
        ],
      });
      expect(result.isError).toBe(true);
      expect(textOf(result)).toContain('1 of 2 tenants did not succeed');
      const tenants = structured(result).tenants as { tenantCode: string; status: string }[];
      expect(tenants.map((t) => [t.tenantCode, t.status])).toEqual([
        [sandbox.tenants.primary, 'Succeed'],
        [sandbox.tenants.secondary, 'Failed'],
      ]);
      expect(structured(result)).toMatchObject({ succeeded: 1, failed: 1 });
      const audit = await auditOf('assign_permissions_to_users');
      expect(audit).toMatchObject({ isError: true, counts: { succeeded: 1, failed: 1 } });
    });
  });

  it('a membership change failing at request 2 of 3 reports request 1 as done and the rest as not', async () => {
    await withStack(async () => {
      const { group, newcomers } = groupAndNewcomers(sandbox, 230);
      sandbox.faults.set({ rules: [{ kind: '500', method: 'PUT', path: `^${MEMBERSHIP}$`, skip: 1, count: 1 }] });
      const result = await stack.call('add_users_to_group', { userGroupId: group.userGroupId, userIds: newcomers });
      expect(result.isError).toBe(true);
      expect(textOf(result)).toContain('stopped at request 2 of 3');
      expect(structured(result)).toMatchObject({
        succeeded: 1,
        failed: 1,
        incomplete: {
          failedRequest: 2,
          outcome: 'unknown',
          failed: [{ id: group.userGroupId, userIds: newcomers.slice(100, 200) }],
          notSent: [{ id: group.userGroupId, userIds: newcomers.slice(200) }],
        },
      });
      const done = (structured(result).tenants as { changes: { users: { userId: string }[] }[] }[])[0]!.changes[0]!;
      expect(done.users.map((u) => u.userId)).toEqual(newcomers.slice(0, 100));
      const stored = sandbox.snapshot().userGroups.find((g) => g.userGroupId === group.userGroupId)!;
      expect(stored.memberIds.filter((id) => newcomers.includes(id)).sort()).toEqual(newcomers.slice(0, 100).sort());
      expect(await auditOf('add_users_to_group')).toMatchObject({ isError: true, counts: { succeeded: 1, failed: 1 } });
    });
  });
});
