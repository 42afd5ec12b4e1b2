// Hostile cases for issue 9, "an approval stays bound to who and what": each case is an attack the issue names,
// asserted refused (or confirmed by a person) with nothing sent.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineTool, type ImpactPreview } from '../../src/contract/tool.js';
import type { Runtime } from '../../src/runtime.js';
import { DEMO_PERMISSIONS, DEMO_USERS } from '../../src/sandbox/index.js';
import { CONFIRMATION_META_KEY } from '../../src/server.js';
import type { HttpHandle } from '../../src/transports/http.js';
import { startHttpFor, startRuntimeForTest } from '../e2e/http-runtime.js';
import { changeRequests, e2eSuite, textOf } from '../guards/e2e-harness.js';
import { answering, ctx, harness, NO_ELICITATION } from '../guards/helpers.js';

const dana = DEMO_USERS.dana.userId;
const GRANT = { permissionIds: [DEMO_PERMISSIONS.payrollAuditor.permissionId], userIds: [dana] };
const BEARER_A = 'hostile-bearer-a-0123456789abcdef';
const BEARER_B = 'hostile-bearer-b-0123456789abcdef';

/** An SDK client over the real Streamable HTTP transport: each one is a new MCP session. */
async function session(http: HttpHandle, bearer?: string): Promise<Client> {
  const client = new Client({ name: 'hostile', version: '1.0.0' });
  const headers: Record<string, string> = bearer === undefined ? {} : { authorization: `Bearer ${bearer}` };
  await client.connect(new StreamableHTTPClientTransport(new URL(http.url), { requestInit: { headers } }));
  return client;
}

const call = async (client: Client, name: string, args: Record<string, unknown>) =>
  (await client.callTool({ name, arguments: args })) as CallToolResult;

function tokenOf(result: CallToolResult): string {
  const meta = result._meta?.[CONFIRMATION_META_KEY] as { confirmationToken?: string } | undefined;
  if (meta?.confirmationToken === undefined) throw new Error(`no confirmation token in: ${textOf(result)}`);
  return meta.confirmationToken;
}

describe('hostile: a confirmation token works only where it was issued (real HTTP transport)', () => {
  let runtime: Runtime;
  let loopback: HttpHandle;
  let withA: HttpHandle;
  let withB: HttpHandle;
  beforeAll(async () => {
    runtime = await startRuntimeForTest(['--mode', 'full']);
    // One guard (one confirmation secret) behind three endpoints, as replicas sharing the secret would be.
    loopback = await startHttpFor(runtime);
    withA = await startHttpFor(runtime, { token: BEARER_A });
    withB = await startHttpFor(runtime, { token: BEARER_B });
  });
  afterAll(async () => {
    await Promise.all([loopback.close(), withA.close(), withB.close()]);
    await runtime.close();
  });

  it('a token from another session of the same caller is refused, and still works in its own', async () => {
    const owner = await session(loopback);
    const thief = await session(loopback);
    const token = tokenOf(await call(owner, 'assign_permissions_to_users', GRANT));
    const stolen = await call(thief, 'assign_permissions_to_users', { ...GRANT, confirmationToken: token });
    expect(stolen.isError).toBe(true);
    expect(textOf(stolen)).toContain('the confirmation token was issued in another session or to another caller');
    expect(runtime.sandbox?.snapshot().userPermissions[GRANT.permissionIds[0] as string] ?? []).not.toContain(dana);
    const own = await call(owner, 'assign_permissions_to_users', { ...GRANT, confirmationToken: token });
    expect(own.isError).toBeFalsy();
    await Promise.all([owner.close(), thief.close()]);
  });

  it('a token issued to one bearer is refused for another bearer', async () => {
    const grant = { ...GRANT, permissionIds: [DEMO_PERMISSIONS.financePlanner.permissionId] };
    const a = await session(withA, BEARER_A);
    const b = await session(withB, BEARER_B);
    const token = tokenOf(await call(a, 'assign_permissions_to_users', grant));
    const replayed = await call(b, 'assign_permissions_to_users', { ...grant, confirmationToken: token });
    expect(replayed.isError).toBe(true);
    expect(textOf(replayed)).toContain('issued in another session or to another caller');
    expect(runtime.sandbox?.snapshot().userPermissions[grant.permissionIds[0] as string] ?? []).not.toContain(dana);
    await Promise.all([a.close(), b.close()]);
  });
});

describe('hostile: budgets belong to the caller, not the session (real HTTP transport)', () => {
  let runtime: Runtime;
  let http: HttpHandle;
  let other: HttpHandle;
  beforeAll(async () => {
    runtime = await startRuntimeForTest(['--mode', 'full', '--max-changes-per-session', '2']);
    http = await startHttpFor(runtime, { token: BEARER_A });
    other = await startHttpFor(runtime, { token: BEARER_B });
  });
  afterAll(async () => {
    await Promise.all([http.close(), other.close()]);
    await runtime.close();
  });

  it('a new session does not get a fresh allowance', async () => {
    const first = await session(http, BEARER_A);
    for (const name of ['Dana One', 'Dana Two']) {
      expect((await call(first, 'update_user', { userId: dana, displayName: name })).isError).toBeFalsy();
    }
    await first.close();
    const fresh = await session(http, BEARER_A);
    const third = await call(fresh, 'update_user', { userId: dana, displayName: 'Dana Three' });
    expect(third.isError).toBe(true);
    expect(textOf(third)).toContain('this caller has made 2 of its 2 allowed changes (all its sessions together)');
    expect(runtime.sandbox?.snapshot().users.find((u: { userId: string }) => u.userId === dana)?.displayName).toBe(
      'Dana Two',
    );
    await fresh.close();

    // The caller is the bearer: another bearer on the same guard has its own allowance.
    const someoneElse = await session(other, BEARER_B);
    expect((await call(someoneElse, 'update_user', { userId: dana, displayName: 'Dana Four' })).isError).toBeFalsy();
    await someoneElse.close();
  });
});

describe('hostile: the write-confirmation threshold counts a caller’s unconfirmed changes together', () => {
  const suite = e2eSuite();

  it('three calls of 10 users under a threshold of 10: the second already needs confirmation', async () => {
    await suite.withE2E({}, async (e2e) => {
      const ids = suite.sandbox
        .snapshot()
        .users.map((u) => u.userId)
        .slice(0, 30);
      const batch = (from: number, label: string) => ({
        users: ids.slice(from, from + 10).map((userId, i) => ({ userId, displayName: `${label} ${i}` })),
      });
      expect((await e2e.call('bulk_update_users', batch(0, 'First'))).isError).toBeFalsy();
      const sentBefore = changeRequests(suite.sandbox).length;
      for (const [from, label] of [
        [10, 'Second'],
        [20, 'Third'],
      ] as const) {
        const result = await e2e.call('bulk_update_users', batch(from, label));
        expect(result.isError).toBe(true);
        expect(result._meta?.[CONFIRMATION_META_KEY]).toBeDefined();
        expect(textOf(result)).toContain(
          'with 10 people changed without confirmation by this caller in the last 60 minutes, 20 in all (threshold 10)',
        );
      }
      expect(changeRequests(suite.sandbox)).toHaveLength(sentBefore);
    });
  });

  it('a call that reaches more people than it names counts the people (an all-users group is everyone)', async () => {
    const h = harness({ writeConfirmThreshold: 10 });
    const reachesAll = defineTool({
      ...h.tools.write,
      effectDependsOnData: () => true,
      preview: async (): Promise<ImpactPreview> => ({
        summary: 'Update 1 group',
        targets: [{ kind: 'user-group', id: 'g1', name: 'Everyone', elevated: ['includeAllUsers'] }],
        fingerprint: 'g1',
        peopleReached: 40,
      }),
    });
    const out = await h.guard.call(reachesAll, { users: [{ userId: 'g1' }] }, ctx(), NO_ELICITATION);
    expect(out.kind).toBe('confirmation-required');
    expect(h.ran).toEqual([]);
  });
});

describe('hostile: the typed-name challenge accepts exactly the string shown', () => {
  const suite = e2eSuite();

  it.each<[string, (name: string) => unknown]>([
    ['a one-element array', (name) => [name]],
    ['the name padded with spaces', (name) => ` ${name} `],
    ['the name in another case', (name) => name.toUpperCase()],
  ])('%s is refused and nothing is deleted', async (_label, typedFor) => {
    const elicit = async (params: { requestedSchema: unknown }) => {
      const title = (params.requestedSchema as { properties: { typed: { title: string } } }).properties.typed.title;
      const shown = title.slice(title.indexOf(': ') + 2);
      return { action: 'accept' as const, content: { confirm: true, typed: typedFor(shown) as string } };
    };
    await suite.withE2E({ elicit }, async (e2e) => {
      const result = await e2e.call('delete_user', { userId: dana });
      expect(result.isError).toBe(true);
      expect(changeRequests(suite.sandbox)).toEqual([]);
      expect(suite.sandbox.snapshot().users.some((u) => u.userId === dana)).toBe(true);
    });
  });

  it('the guard itself refuses an array holding the right name', async () => {
    const h = harness();
    const { caller } = answering({
      action: 'accept',
      content: { confirm: true, typed: ['jdoe'] as unknown as string },
    });
    const out = await h.guard.call(h.tools.destructive, { userId: 'u1' }, ctx(), caller);
    expect(out).toMatchObject({ kind: 'refused', reason: 'typed-mismatch' });
    expect(h.ran).toEqual([]);
  });
});

describe('hostile: a call’s class follows its effect', () => {
  const renamesAHolder = (h: ReturnType<typeof harness>) =>
    defineTool({
      name: 'update_user',
      title: 'Update user',
      description: 'Update a user.',
      classification: 'write',
      inputSchema: { userId: z.string(), username: z.string().optional() },
      outputSchema: { succeeded: z.number(), failed: z.number() },
      handler: async (args) => {
        h.ran.push({ tool: 'update_user', args });
        return { text: 'ok', structured: { succeeded: 1, failed: 0 } };
      },
      effectDependsOnData: (args) => args.username !== undefined,
      preview: async (args) => ({
        summary: `Update user ${args.userId}`,
        targets: [
          {
            kind: 'user',
            id: args.userId,
            name: 'jdoe',
            before: ['username jdoe', 'holds Admin (Full Access)'],
            after: [`username ${args.username}`],
            elevated: ['identity change of a privilege holder'],
          },
        ],
        fingerprint: `${args.userId}=jdoe`,
        classification: 'access',
      }),
    });

  it("a user-writes tenant refuses an update that is effectively 'access', naming why", async () => {
    const h = harness({ mode: 'user-writes' });
    const out = await h.guard.call(renamesAHolder(h), { userId: 'u1', username: 'outsider' }, ctx(), NO_ELICITATION);
    expect(out).toEqual({
      kind: 'refused',
      reason: 'mode',
      text:
        "update_user is a 'write' tool, but this call is 'access' by its effect (identity change of a privilege holder) " +
        "and tenant 'T1' runs in 'user-writes' mode; it needs mode 'full'. The operator can start the server with " +
        "--mode full (or VISIER_MCP_MODE=full), or set this tenant to 'full' in the per-tenant modes file (--tenant-modes).",
    });
    expect(h.ran).toEqual([]);
    expect(h.audit[0]).toMatchObject({ decision: 'refused', reason: 'mode', classification: 'access' });
  });

  it('in full mode the same single-user update is confirmed as an access change', async () => {
    const h = harness();
    const { caller, asked } = answering({ action: 'decline' });
    await h.guard.call(renamesAHolder(h), { userId: 'u1', username: 'outsider' }, ctx(), caller);
    expect(asked).toHaveLength(1);
    expect(asked[0]?.message).toContain('ELEVATED: identity change of a privilege holder');
    expect(h.ran).toEqual([]);
  });
});

describe('hostile: the re-check before acting says what changed', () => {
  it('a token for a grant to one user is refused after that user was renamed, naming the change', async () => {
    const h = harness();
    const grant = { permissionId: 'p-admin', userIds: ['u1'] };
    const issued = await h.guard.call(h.tools.access, grant, ctx(), NO_ELICITATION);
    if (issued.kind !== 'confirmation-required') throw new Error(`expected a token, got ${issued.kind}`);
    h.directory.names.u1 = 'outsider@evil.example';
    const out = await h.guard.call(
      h.tools.access,
      { ...grant, confirmationToken: issued.confirmationToken },
      ctx(),
      NO_ELICITATION,
    );
    expect(out).toMatchObject({ kind: 'refused', reason: 'target-changed' });
    expect(out.kind === 'refused' && out.text).toContain('user u1: name was jdoe, is outsider@evil.example');
    expect(h.ran).toEqual([]);
  });
});

describe('hostile: a confirmation takes off the running count only what its person saw', () => {
  const suite = e2eSuite();

  it('a token issued at a count of 0, redeemed after 10 unconfirmed changes, leaves those 10 counted', async () => {
    await suite.withE2E({}, async (e2e) => {
      const ids = suite.sandbox
        .snapshot()
        .users.map((u) => u.userId)
        .filter((id) => id !== dana)
        .slice(0, 20);
      const batch = (from: number, label: string) => ({
        users: ids.slice(from, from + 10).map((userId, i) => ({ userId, displayName: `${label} ${i}` })),
      });
      const issued = await e2e.call('assign_permissions_to_users', GRANT);
      const token = issued._meta?.[CONFIRMATION_META_KEY] as { confirmationToken: string };
      expect(textOf(issued)).not.toContain('without confirmation by this caller');
      expect((await e2e.call('bulk_update_users', batch(0, 'First'))).isError).toBeFalsy();
      const redeemed = await e2e.call('assign_permissions_to_users', {
        ...GRANT,
        confirmationToken: token.confirmationToken,
      });
      expect(redeemed.isError).toBeFalsy();

      const sentBefore = changeRequests(suite.sandbox).length;
      const next = await e2e.call('bulk_update_users', batch(10, 'Second'));
      expect(next.isError).toBe(true);
      expect(next._meta?.[CONFIRMATION_META_KEY]).toBeDefined();
      expect(textOf(next)).toContain(
        'with 10 people changed without confirmation by this caller in the last 60 minutes, 20 in all (threshold 10)',
      );
      expect(changeRequests(suite.sandbox)).toHaveLength(sentBefore);
    });
  });

  it('changes made while the approval form is open stay counted after the person approves', async () => {
    const h = harness({ writeConfirmThreshold: 10 });
    const users = (n: number, from: number) => ({
      users: Array.from({ length: n }, (_, i) => ({ userId: `u${from + i}` })),
    });
    expect((await h.guard.call(h.tools.write, users(8, 0), ctx(), NO_ELICITATION)).kind).toBe('result');
    // The same caller (no principal: both anonymous) writes 2 more while its person reads the form.
    const { caller, asked } = answering(async () => {
      expect((await h.guard.call(h.tools.write, users(2, 20), ctx(), NO_ELICITATION)).kind).toBe('result');
      return { action: 'accept', content: { confirm: true } };
    });
    expect((await h.guard.call(h.tools.write, users(3, 10), ctx(), caller)).kind).toBe('result');
    expect(asked[0]?.message).toContain('with 8 people changed without confirmation by this caller');
    // The 8 shown left the count; the 2 nobody saw did not: 2 + 9 is over 10.
    expect((await h.guard.call(h.tools.write, users(9, 30), ctx(), NO_ELICITATION)).kind).toBe('confirmation-required');
    expect((await h.guard.call(h.tools.write, users(8, 30), ctx(), NO_ELICITATION)).kind).toBe('result');
  });
});
