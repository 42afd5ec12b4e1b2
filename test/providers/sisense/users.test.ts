// Every user operation against the sandbox over real HTTP, with the requests each one costs.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { SisenseClient } from '../../../src/providers/sisense/client.js';
import type { SisenseSandboxHandle } from '../../../src/sandbox/sisense/handle.js';
import { SISENSE_DEMO_USERS, SISENSE_INJECTION_TEXT } from '../../../src/sandbox/sisense/index.js';
import { clientFor, failure, startTestSandbox, wire } from './harness.js';

const USERS = '/api/v1/users';
const ADMIN = SISENSE_DEMO_USERS.admin.email;
let handle: SisenseSandboxHandle;
let client: SisenseClient;

beforeAll(async () => {
  handle = await startTestSandbox({ users: 120, pageSize: 50 });
  client = clientFor(handle);
});
afterEach(() => handle.clearRequests());
afterAll(async () => {
  await client.close();
  await handle.close();
});

const requestsOf = async <T>(work: () => Promise<T>): Promise<{ value: T; requests: number }> => {
  const before = client.stats.requests;
  const value = await work();
  return { value, requests: client.stats.requests - before };
};

describe('reading users', () => {
  it('lists every user by following next_page_start, one request per page', async () => {
    const { value: users, requests } = await requestsOf(() => client.listUsers());
    expect(users.map((u) => u.email).sort()).toEqual(
      handle
        .snapshot()
        .users.map((u) => u.email)
        .sort(),
    );
    expect(users).toHaveLength(123);
    expect(requests).toBe(3);
    const cursors = handle.requests.map((r) => r.query.next_page_start);
    expect(cursors[0]).toBeUndefined();
    expect(cursors.slice(1).every((c) => typeof c === 'string' && c !== '')).toBe(true);
  });

  it('reads one page and offers the cursor of the next', async () => {
    const first = await client.listUsersPage();
    expect(first.items).toHaveLength(50);
    const second = await client.listUsersPage({ pageStart: first.nextPageStart! });
    expect(second.items[0]!.email).not.toBe(first.items[0]!.email);
    expect(handle.requests.map((r) => r.query.next_page_start)).toEqual([undefined, first.nextPageStart]);
  });

  it('gets one user by e-mail in HTTP-X-EMAIL, not in the path, in one request', async () => {
    const { value: user, requests } = await requestsOf(() => client.getUser(SISENSE_DEMO_USERS.dana.email));
    expect(user).toMatchObject({ email: SISENSE_DEMO_USERS.dana.email, firstName: 'Dana', lastName: 'Whitfield' });
    expect(user.groups).toEqual(['SQL Analysts', 'All Users']);
    expect(requests).toBe(1);
    expect(wire(handle, USERS)).toEqual(['GET 200']);
  });

  it('answers an unknown e-mail with a typed 404 carrying Sisense’s message and code', async () => {
    const error = await failure(client.getUser('nobody@wff-demo.example'));
    expect(error).toMatchObject({ status: 404, code: 'not_found', site: handle.sites.primary.site, retryable: false });
    expect(error.message).toContain("No user with email 'nobody@wff-demo.example'");
    expect(error.message).toMatch(/^Sisense GET \/api\/v1\/users \(site wff-demo\)/);
  });

  it('carries injection text in names as data, unchanged', async () => {
    const mallory = await client.getUser(SISENSE_DEMO_USERS.mallory.email);
    expect(mallory.lastName).toBe(SISENSE_INJECTION_TEXT);
    expect(mallory.groups).toContain(`Auditors ${SISENSE_INJECTION_TEXT}`);
  });
});

describe('writing users', () => {
  const ada = { firstName: 'Ada', lastName: 'Lovelace', email: 'ada@wff-demo.example', invitedByEmail: ADMIN };

  it('a dry run sends test_mode=true, answers the would-be user and stores nothing', async () => {
    const { value: result, requests } = await requestsOf(() =>
      client.createUser({ ...ada, groups: ['Administrators'] }, { dryRun: true }),
    );
    expect(result.dryRun).toBe(true);
    expect(result.value).toMatchObject({ email: ada.email, groups: ['Administrators', 'All Users'] });
    expect(requests).toBe(1);
    expect(handle.requests[0]!.query).toEqual({ test_mode: 'true' });
    expect(handle.snapshot().users.some((u) => u.email === ada.email)).toBe(false);
  });

  it('a dry run reports what Sisense refuses, naming the field', async () => {
    const error = await failure(client.createUser({ ...ada, groups: ['No Such Group'] }, { dryRun: true }));
    expect(error).toMatchObject({ status: 400, code: 'invalid_request' });
    expect(error.message).toContain("groups: no group named 'No Such Group'");
  });

  it('creates with test_mode=false sent explicitly, groups by name and the inviting admin', async () => {
    const result = await client.createUser({ ...ada, groups: ['SQL Analysts'] });
    expect(result).toMatchObject({ dryRun: false, value: { email: ada.email, invitedByEmail: ADMIN } });
    expect(handle.requests.map((r) => `${r.method} ${r.status} ${r.query.test_mode}`)).toEqual(['POST 201 false']);
    expect(handle.snapshot().users.find((u) => u.email === ada.email)?.groups).toEqual(['SQL Analysts', 'All Users']);
  });

  it('updates only the fields given, in one PUT', async () => {
    const { value: result, requests } = await requestsOf(() => client.updateUser(ada.email, { lastName: 'King' }));
    expect(result.value).toMatchObject({ firstName: 'Ada', lastName: 'King', groups: ['SQL Analysts', 'All Users'] });
    expect(requests).toBe(1);
    const dry = await client.updateUser(ada.email, { firstName: 'Augusta' }, { dryRun: true });
    expect(dry.value?.firstName).toBe('Augusta');
    expect(handle.snapshot().users.find((u) => u.email === ada.email)?.first_name).toBe('Ada');
  });

  it('deletes by e-mail; a dry run keeps the user', async () => {
    expect((await client.deleteUser(ada.email, { dryRun: true })).dryRun).toBe(true);
    expect(handle.snapshot().users.some((u) => u.email === ada.email)).toBe(true);
    const { requests } = await requestsOf(() => client.deleteUser(ada.email));
    expect(requests).toBe(1);
    expect(handle.snapshot().users.some((u) => u.email === ada.email)).toBe(false);
    expect((await failure(client.deleteUser(ada.email))).status).toBe(404);
  });

  it('refuses a duplicate e-mail with 409 and Sisense’s words', async () => {
    const error = await failure(client.createUser({ ...ada, email: SISENSE_DEMO_USERS.dana.email }));
    expect(error).toMatchObject({ status: 409, code: 'conflict' });
  });
});
