import { PassThrough } from 'node:stream';
import type { CallToolResult } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withReadCache } from '../../src/providers/visier/cache.js';
import { DEMO_USERS, type SandboxHandle, startSandbox } from '../../src/sandbox/index.js';
import { CONFIRMATION_META_KEY } from '../../src/server.js';
import { connectStack, type Stack } from '../support/mcp-stack.js';
import { textOf } from './harness.js';

// find_users through the SDK client, the server and the guard, over the real client and sandbox, with the read
// cache and snapshot TTL wired as the CLI wires them.

interface Found {
  users: {
    userId: string;
    displayName?: string;
    matched: { field: string; term: string; query: string; kind: string }[];
  }[];
  total: number;
  returned: number;
  nextCursor?: string;
  asOf: string;
}

let sandbox: SandboxHandle;
let stack: Stack;

beforeAll(async () => {
  sandbox = await startSandbox({ rateLimit: false, users: 250, seed: 7 });
  stack = await connectStack(sandbox, {
    client: { name: 'find-users-test', version: '1.0.0' },
    guard: { mode: 'full', confirmSecret: 'find-users-test-secret-0123456789', audit: { stream: new PassThrough() } },
    wrapVisier: (client) => {
      const api = withReadCache(client, { ttlMs: 15_000, snapshotTtlMs: 300_000 });
      return { api, liveApi: api.live };
    },
  });
});
afterAll(async () => {
  await stack.close();
  await sandbox.close();
});

const find = async (args: Record<string, unknown>) => {
  const result = await stack.call('find_users', args);
  expect(result.isError).toBeFalsy();
  return { result, found: result.structuredContent as unknown as Found };
};
const names = (found: Found) => found.users.map((u) => u.displayName);
const visierReads = () =>
  sandbox.requests.filter((r) => r.method === 'GET' && !r.path.endsWith('visierSecureToken')).length;

describe('find_users', () => {
  it('forgives swapped letters: "Dnaa" finds Dana Whitfield, and only her', async () => {
    const { found } = await find({ query: 'Dnaa' });
    expect(names(found)).toEqual(['Dana Whitfield']);
    expect(found.users[0]?.matched).toEqual([
      { field: 'displayName', term: 'dana', query: 'dnaa', kind: 'typo' },
      { field: 'username', term: 'dana', query: 'dnaa', kind: 'typo' },
    ]);
  });

  it('ranks a whole-word match above typo matches, and says why each matched', async () => {
    const { result, found } = await find({ query: 'dana', limit: 3 });
    expect(found.users[0]?.userId).toBe(DEMO_USERS.dana.userId);
    expect(found.users[0]?.matched.map((m) => m.kind)).toEqual(['exact', 'exact']);
    expect(found.users.slice(1).every((u) => u.matched.every((m) => m.kind === 'typo'))).toBe(true);
    expect(textOf(result)).toContain(`${DEMO_USERS.dana.userId} dana.whitfield@wff-demo.example "Dana Whitfield"`);
    expect(textOf(result)).toContain('matched displayName "dana", username "dana"');
  });

  it('finds by employee id, whole or any part of it, the whole id first', async () => {
    expect(names((await find({ query: 'E000002' })).found)).toEqual(['Dana Whitfield']);
    const part = (await find({ query: '000002' })).found;
    expect(part.users[0]?.userId).toBe(DEMO_USERS.dana.userId);
    expect(part.users[0]?.matched).toEqual([{ field: 'employeeId', term: '000002', query: '000002', kind: 'part' }]);
  });

  it('finds by a userId', async () => {
    const { found } = await find({ query: DEMO_USERS.dana.userId });
    expect(found.users[0]?.matched).toEqual([
      { field: 'userId', term: DEMO_USERS.dana.userId, query: DEMO_USERS.dana.userId, kind: 'exact' },
    ]);
  });

  it('ignores accents, finds a user created through create_user on the next call, and by e-mail parts', async () => {
    await find({ query: 'warm the snapshot' });
    const jose = {
      username: 'jose.alvarez@wff-demo.example',
      displayName: 'José Álvarez',
      email: 'j.alvarez-ops@corp-mail.example',
    };
    // A new account joins the all-users group, which grants a permission: an access change, confirmed.
    const created = await stack.call('create_user', {
      ...jose,
      confirmationToken: await tokenFor('create_user', jose),
    });
    expect(created.isError).toBeFalsy();
    const userId = (created.structuredContent as { user: { userId: string } }).user.userId;
    try {
      const before = visierReads();
      const jose = (await find({ query: 'Jose' })).found;
      expect(jose.users[0]).toMatchObject({ userId, displayName: 'José Álvarez' });
      expect(jose.users[0]?.matched[0]).toEqual({ field: 'displayName', term: 'jose', query: 'jose', kind: 'exact' });
      // The create cleared the snapshot: one fill (groups, permissions, the two reports), then none.
      expect(visierReads() - before).toBe(4);
      expect(names((await find({ query: 'ALVAREZ' })).found)).toEqual(['José Álvarez']);
      const byMail = (await find({ query: 'corp-mail' })).found;
      expect(byMail.users.map((u) => u.userId)).toEqual([userId]);
      expect(byMail.users[0]?.matched.map((m) => m.field)).toEqual(['email', 'email']);
      expect(visierReads() - before).toBe(4);
    } finally {
      await stack.call('delete_user', { userId, confirmationToken: await tokenFor('delete_user', { userId }) });
    }
  });

  it('says how fresh the snapshot is, in the text and as asOf', async () => {
    const { result, found } = await find({ query: 'whitfield' });
    expect(Date.parse(found.asOf)).toBeGreaterThan(Date.now() - 300_000);
    expect(textOf(result)).toMatch(
      /^1 user matching "whitfield" \(directory as of \S+ \(\d+ s old\)\); 1 shown, best first\.$/m,
    );
  });

  it('pages with limit and cursor over the ranked list, accounting for every match', async () => {
    const all = (await find({ query: 'garcia', limit: 100 })).found;
    expect(all.total).toBeGreaterThan(2);
    const first = (await find({ query: 'garcia', limit: 2 })).found;
    const second = (await find({ query: 'garcia', limit: 100, cursor: first.nextCursor })).found;
    expect([...first.users, ...second.users].map((u) => u.userId)).toEqual(all.users.map((u) => u.userId));
    expect(second.nextCursor).toBeUndefined();
  });

  it('list_users search reads the same snapshot: no page scan, and it says how fresh', async () => {
    await find({ query: 'whitfield' });
    const before = visierReads();
    const listed = await stack.call('list_users', { search: 'whitfield' });
    expect(visierReads()).toBe(before);
    expect((listed.structuredContent as { users: { userId: string }[] }).users.map((u) => u.userId)).toEqual([
      DEMO_USERS.dana.userId,
    ]);
    expect(textOf(listed)).toMatch(/1 user\. From the directory as of \S+ \(\d+ s old\)\./);
  });
});

/** The preview's token for a change a person confirms, as a client without elicitation gets it. */
async function tokenFor(tool: string, args: Record<string, unknown>): Promise<string> {
  const preview: CallToolResult = await stack.call(tool, args);
  const token = (preview._meta?.[CONFIRMATION_META_KEY] as { confirmationToken?: string } | undefined)
    ?.confirmationToken;
  if (!token) throw new Error(`no confirmation token in ${textOf(preview)}`);
  return token;
}
