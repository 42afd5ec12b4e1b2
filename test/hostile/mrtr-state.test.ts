// Hostile cases for issue 10: under MCP 2026-07-28 a confirmation is an input_required result whose sealed
// request state is answered once. Each case is an attack the issue names (a replayed state, an edited one, one
// carried to other arguments, another tool, another tenant or another caller, an expired one), asserted
// refused with nothing sent to Visier, over the real Streamable HTTP transport with an SDK v2 client.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import pino from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createGuard } from '../../src/guards/index.js';
import { APPROVAL_INPUT_KEY } from '../../src/input-request.js';
import { VisierClient } from '../../src/providers/visier/client.js';
import { DEMO_USERS, type SandboxHandle, startSandbox } from '../../src/sandbox/index.js';
import { createServer } from '../../src/server.js';
import { type HttpHandle, startHttp } from '../../src/transports/http.js';
import { changeRequests } from '../guards/e2e-harness.js';

const BEARER_A = 'mrtr-bearer-a-0123456789abcdef';
const BEARER_B = 'mrtr-bearer-b-0123456789abcdef';
const TTL_SECONDS = 300;
const silent = pino({ level: 'silent' });

let sandbox: SandboxHandle;
let visier: VisierClient;
let dir: string;
let auditPath: string;
let clock = Date.now();
let forA: HttpHandle;
let forB: HttpHandle;

/** One guard (one secret, one used-state set) behind two endpoints, each authenticating a different bearer. */
beforeAll(async () => {
  sandbox = await startSandbox({ rateLimit: false, users: 60, seed: 23 });
  dir = await mkdtemp(join(tmpdir(), 'hostile-mrtr-'));
  auditPath = join(dir, 'audit.jsonl');
  const { apiKey, username, password } = sandbox.credentials;
  visier = new VisierClient({
    host: sandbox.url,
    apiKey,
    auth: { kind: 'asid', username, password },
    tenantCode: sandbox.tenants.primary,
    rateLimit: false,
    logger: silent,
  });
  const guard = createGuard({
    mode: 'full',
    tenants: [sandbox.tenants.primary, sandbox.tenants.secondary],
    defaultTenant: sandbox.tenants.primary,
    confirm: 'auto',
    confirmSecret: 'mrtr-hostile-secret-0123456789abcdef',
    confirmTtlSeconds: TTL_SECONDS,
    audit: { path: auditPath },
    now: () => clock,
  });
  const make = () =>
    createServer({ api: visier, guard, sandbox: true, defaultTenant: sandbox.tenants.primary, logger: silent });
  const endpoint = (token: string) =>
    startHttp({
      host: '127.0.0.1',
      port: 0,
      token,
      sessionIdleMs: 60_000,
      maxSessions: 10,
      logger: silent,
      createServer: make,
    });
  forA = await endpoint(BEARER_A);
  forB = await endpoint(BEARER_B);
});
afterAll(async () => {
  await Promise.all([forA.close(), forB.close()]);
  await visier.close();
  await sandbox.close();
  await rm(dir, { recursive: true, force: true });
});
beforeEach(() => {
  clock = Date.now();
});

/** An SDK v2 client on 2026-07-28 that shows us the input_required result instead of answering it itself. */
async function modernClient(http: HttpHandle, bearer: string): Promise<Client> {
  const client = new Client(
    { name: 'mrtr-hostile', version: '1.0.0' },
    {
      capabilities: { elicitation: { form: {} } },
      versionNegotiation: { mode: { pin: '2026-07-28' } },
      inputRequired: { autoFulfill: false },
    },
  );
  await client.connect(
    new StreamableHTTPClientTransport(new URL(http.url), {
      requestInit: { headers: { authorization: `Bearer ${bearer}` } },
    }),
  );
  return client;
}

interface Round {
  resultType?: string;
  requestState?: string;
  inputRequests?: Record<string, { params?: { message?: string } }>;
  isError?: boolean;
  content?: { type: string; text?: string }[];
}

const APPROVED = { [APPROVAL_INPUT_KEY]: { action: 'accept', content: { confirm: true } } };

/** One tools/call round as the wire carries it: arguments, and on a repeat the answers and the state. */
async function round(
  client: Client,
  name: string,
  args: Record<string, unknown>,
  retry?: { requestState: string; inputResponses?: Record<string, unknown> },
): Promise<Round> {
  const params = { name, arguments: args, ...(retry ?? {}) };
  return (await client.callTool(params as Parameters<Client['callTool']>[0], { allowInputRequired: true })) as Round;
}

const text = (r: Round) => (r.content ?? []).map((part) => part.text ?? '').join('\n');

async function lastAudit(tool: string): Promise<Record<string, unknown>> {
  const lines = (await readFile(auditPath, 'utf8'))
    .split('\n')
    .filter((line) => line.includes(`"tool":"${tool}"`))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  return lines.at(-1) ?? {};
}

const people = () => sandbox.snapshot().users.map((u) => u.userId);

/** A fresh change per case: a group, and twelve people not in it (over the write threshold of 10). */
function aChange(skip: number): { userGroupId: string; userIds: string[] } {
  const group = sandbox.snapshot().userGroups.find((g) => g.memberIds.length > 0 && g.memberIds.length < 40)!;
  const userIds = people()
    .filter((id) => !group.memberIds.includes(id))
    .slice(skip, skip + 12);
  return { userGroupId: group.userGroupId, userIds };
}

/** The first round: an input_required result asking the person, with the sealed state. */
async function asked(client: Client, name: string, args: Record<string, unknown>): Promise<string> {
  const first = await round(client, name, args);
  expect(first.resultType, text(first)).toBe('input_required');
  expect(first.inputRequests?.[APPROVAL_INPUT_KEY]?.params?.message).toContain(name);
  expect(typeof first.requestState).toBe('string');
  return first.requestState as string;
}

/** The repeat is refused, names why, and nothing reached Visier beyond reads. */
async function refusedWithNothingSent(
  client: Client,
  name: string,
  args: Record<string, unknown>,
  state: string,
  reason: string,
  says: string,
): Promise<void> {
  sandbox.clearRequests();
  const repeat = await round(client, name, args, { requestState: state, inputResponses: APPROVED });
  expect(repeat.resultType).not.toBe('input_required');
  expect(repeat.isError, text(repeat)).toBe(true);
  expect(text(repeat)).toContain(says);
  expect(changeRequests(sandbox)).toEqual([]);
  expect(await lastAudit(name)).toMatchObject({ decision: 'refused', reason });
}

describe('hostile: an input request’s state is sealed and answered once (2026-07-28, real HTTP)', () => {
  it('the honest round trip acts once; replaying the same answer and state is refused', async () => {
    const client = await modernClient(forA, BEARER_A);
    const change = aChange(0);
    const state = await asked(client, 'add_users_to_group', change);
    const done = await round(client, 'add_users_to_group', change, { requestState: state, inputResponses: APPROVED });
    expect(done.isError, text(done)).toBeFalsy();
    expect(await lastAudit('add_users_to_group')).toMatchObject({
      decision: 'confirmed',
      confirmation: { method: 'input-request', outcome: 'accepted' },
    });
    // Undo out of band, so the replay would change something again if it were let through.
    const group = sandbox.snapshot().userGroups.find((g) => g.userGroupId === change.userGroupId)!;
    expect(change.userIds.every((id) => group.memberIds.includes(id))).toBe(true);
    await visier.removeUsersFromGroups([{ userGroupId: change.userGroupId, userIds: change.userIds }]);
    await refusedWithNothingSent(client, 'add_users_to_group', change, state, 'state-replayed', 'already used');
    await client.close();
  });

  it('an edited state (one character of its body or seal changed) is refused', async () => {
    const client = await modernClient(forA, BEARER_A);
    const change = aChange(12);
    const state = await asked(client, 'add_users_to_group', change);
    const [body, seal] = state.split('.') as [string, string];
    const flip = (s: string, at: number) => `${s.slice(0, at)}${s[at] === 'A' ? 'B' : 'A'}${s.slice(at + 1)}`;
    for (const edited of [`${flip(body, 5)}.${seal}`, `${body}.${flip(seal, 5)}`, `${body}.`, 'not-a-state']) {
      await refusedWithNothingSent(client, 'add_users_to_group', change, edited, 'state-invalid', 'does not match');
    }
    await client.close();
  });

  it('a state carried to other arguments, another tool or another tenant is refused', async () => {
    const client = await modernClient(forA, BEARER_A);
    const change = aChange(24);
    const state = await asked(client, 'add_users_to_group', change);
    const otherPeople = { ...change, userIds: [...change.userIds.slice(1), DEMO_USERS.dana.userId] };
    await refusedWithNothingSent(client, 'add_users_to_group', otherPeople, state, 'state-invalid', 'does not match');
    await refusedWithNothingSent(client, 'remove_users_from_group', change, state, 'state-invalid', 'does not match');
    const otherTenant = { ...change, tenantCode: sandbox.tenants.secondary };
    await refusedWithNothingSent(client, 'add_users_to_group', otherTenant, state, 'state-invalid', 'does not match');
    await client.close();
  });

  it('a state issued to one caller is refused for another', async () => {
    const alice = await modernClient(forA, BEARER_A);
    const mallory = await modernClient(forB, BEARER_B);
    const change = aChange(36);
    const state = await asked(alice, 'add_users_to_group', change);
    await refusedWithNothingSent(mallory, 'add_users_to_group', change, state, 'state-invalid', 'another caller');
    await Promise.all([alice.close(), mallory.close()]);
  });

  it('an expired state is refused', async () => {
    const client = await modernClient(forA, BEARER_A);
    const change = aChange(0);
    const state = await asked(client, 'add_users_to_group', change);
    clock += (TTL_SECONDS + 1) * 1000;
    await refusedWithNothingSent(client, 'add_users_to_group', change, state, 'state-expired', 'has expired');
    await client.close();
  });

  it('a target renamed between the question and the answer: the approval is refused, naming what changed', async () => {
    const client = await modernClient(forA, BEARER_A);
    const change = aChange(48);
    const state = await asked(client, 'add_users_to_group', change);
    const victim = change.userIds[0] as string;
    await visier.updateUser(victim, { username: 'mallory@evil.example', displayName: 'Mallory Outsider' });
    await refusedWithNothingSent(client, 'add_users_to_group', change, state, 'target-changed', 'mallory@evil.example');
    await client.close();
  });

  it('a 2026-07-28 request meets the same HTTP gates: no bearer, a wrong bearer, a foreign Origin, a huge body', async () => {
    const call = (headers: Record<string, string>, body: unknown = listTools) =>
      fetch(forA.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          'mcp-protocol-version': '2026-07-28',
          'mcp-method': 'tools/list',
          ...headers,
        },
        body: JSON.stringify(body),
      });
    const listTools = {
      jsonrpc: '2.0',
      id: 1,
      method: 'tools/list',
      params: {
        _meta: {
          'io.modelcontextprotocol/protocolVersion': '2026-07-28',
          'io.modelcontextprotocol/clientInfo': { name: 'raw', version: '1' },
          'io.modelcontextprotocol/clientCapabilities': {},
        },
      },
    };
    const ok = await call({ authorization: `Bearer ${BEARER_A}` });
    expect(ok.status, await ok.clone().text()).toBe(200);
    expect(ok.headers.get('mcp-session-id')).toBeNull();
    expect((await call({})).status).toBe(401);
    expect((await call({ authorization: `Bearer ${BEARER_B}` })).status).toBe(401);
    expect((await call({ authorization: `Bearer ${BEARER_A}`, origin: 'https://evil.example' })).status).toBe(403);
    const huge = { ...listTools, params: { ...listTools.params, padding: 'x'.repeat(2 * 1024 * 1024) } };
    expect((await call({ authorization: `Bearer ${BEARER_A}` }, huge)).status).toBe(413);
  });

  it('a state is no confirmation token, and the repeat without an answer acts on nothing', async () => {
    const client = await modernClient(forA, BEARER_A);
    const change = aChange(12);
    const state = await asked(client, 'add_users_to_group', change);
    sandbox.clearRequests();
    const asToken = await round(client, 'add_users_to_group', { ...change, confirmationToken: state });
    expect(asToken.isError, text(asToken)).toBe(true);
    expect(text(asToken)).toContain('does not match this call');
    expect(await lastAudit('add_users_to_group')).toMatchObject({ decision: 'refused', reason: 'token-invalid' });
    const unanswered = await round(client, 'add_users_to_group', change, { requestState: state });
    expect(unanswered.isError, text(unanswered)).toBe(true);
    expect(text(unanswered)).toContain('without the person');
    expect(changeRequests(sandbox)).toEqual([]);
    expect(await lastAudit('add_users_to_group')).toMatchObject({ decision: 'refused', reason: 'no-answer' });
    await client.close();
  });
});
