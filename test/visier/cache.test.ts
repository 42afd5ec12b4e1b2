import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { withReadCache } from '../../src/providers/visier/cache.js';
import type { VisierClient } from '../../src/providers/visier/client.js';
import type { SandboxHandle } from '../../src/sandbox/handle.js';
import { DEMO_GROUPS, DEMO_USERS } from '../../src/sandbox/index.js';
import { clientFor, countRequests, startTestSandbox } from './harness.js';

const dana = DEMO_USERS.dana.userId;
const danaPath = `/v1/admin/users/${dana}`;

describe('read cache over the real client and sandbox', () => {
  let sandbox: SandboxHandle;
  let client: VisierClient;
  let clock = 0;
  const now = () => clock;

  beforeAll(async () => {
    sandbox = await startTestSandbox();
    client = clientFor(sandbox);
  });
  afterAll(async () => {
    await client.close();
    await sandbox.close();
  });
  beforeEach(() => {
    sandbox.faults.clear();
    sandbox.clearRequests();
    clock = 1_000_000;
  });

  it('answers a repeated read from the cache until the TTL runs out', async () => {
    const cache = withReadCache(client, { ttlMs: 10_000, now });
    const first = await cache.getUser(dana);
    const second = await cache.getUser(dana);
    expect(second).toEqual(first);
    expect(countRequests(sandbox, 'GET', danaPath)).toBe(1);
    clock += 10_001;
    await cache.getUser(dana);
    expect(countRequests(sandbox, 'GET', danaPath)).toBe(2);
    expect(cache.cacheStats).toEqual({ hits: 1, sharedHits: 0, misses: 2, joined: 0, invalidations: 0, bypassed: 0 });
  });

  it('keys on the arguments: other users, includes and tenants are separate entries', async () => {
    const cache = withReadCache(client, { ttlMs: 10_000, now });
    await cache.getUser(dana);
    await cache.getUser(dana, { userGroups: true });
    await cache.getUser(dana, undefined, { tenantCode: sandbox.tenants.primary });
    await cache.getUser(DEMO_USERS.admin.userId);
    expect(sandbox.requests.filter((r) => r.method === 'GET').length).toBe(4);
  });

  it('a write clears every cached read, so the next read shows the change', async () => {
    const cache = withReadCache(client, { ttlMs: 10_000, now });
    await cache.getUser(dana);
    await cache.listUserGroupMembers(DEMO_GROUPS.salesAnalysts.userGroupId);
    await cache.updateUser(dana, { displayName: 'Dana W. (cached test)' });
    expect((await cache.getUser(dana)).displayName).toBe('Dana W. (cached test)');
    await cache.listUserGroupMembers(DEMO_GROUPS.salesAnalysts.userGroupId);
    expect(countRequests(sandbox, 'GET', `/v1/admin/user-groups/${DEMO_GROUPS.salesAnalysts.userGroupId}/users`)).toBe(
      2,
    );
    await cache.updateUser(dana, { displayName: DEMO_USERS.dana.displayName });
  });

  it('a failed write clears the cache too (it may have been applied in part)', async () => {
    const cache = withReadCache(client, { ttlMs: 10_000, now });
    await cache.getUser(dana);
    await expect(cache.deleteUser('no-such-user')).rejects.toMatchObject({ status: 404 });
    await cache.getUser(dana);
    expect(countRequests(sandbox, 'GET', danaPath)).toBe(2);
  });

  it('identical reads in flight share one request', async () => {
    const cache = withReadCache(client, { ttlMs: 10_000, now });
    sandbox.faults.set({ latencyMs: 30 });
    const answers = await Promise.all(Array.from({ length: 10 }, () => cache.getUser(dana)));
    expect(new Set(answers.map((a) => a.userId))).toEqual(new Set([dana]));
    expect(countRequests(sandbox, 'GET', danaPath)).toBe(1);
    expect(cache.cacheStats.joined).toBe(9);
  });

  it('a read that started before a write does not store its answer', async () => {
    const cache = withReadCache(client, { ttlMs: 10_000, now });
    sandbox.faults.set({ latencyMs: 40 });
    const slowRead = cache.getUser(dana);
    await new Promise((resolve) => setTimeout(resolve, 5));
    await cache.updateUser(dana, { employeeId: 'E-CACHE-1' });
    await slowRead;
    sandbox.faults.clear();
    expect((await cache.getUser(dana)).employeeId).toBe('E-CACHE-1');
    await cache.updateUser(dana, { employeeId: DEMO_USERS.dana.employeeId });
  });

  it('a failed read is not cached', async () => {
    const cache = withReadCache(client, { ttlMs: 10_000, now });
    await expect(cache.getUser('no-such-user')).rejects.toMatchObject({ status: 404 });
    await expect(cache.getUser('no-such-user')).rejects.toMatchObject({ status: 404 });
    expect(countRequests(sandbox, 'GET', '/v1/admin/users/no-such-user')).toBe(2);
  });

  it('the live view always reads from Visier, and its writes clear the cached view', async () => {
    const cache = withReadCache(client, { ttlMs: 10_000, now });
    await cache.getUser(dana);
    await cache.live.getUser(dana);
    await cache.live.getUser(dana);
    expect(countRequests(sandbox, 'GET', danaPath)).toBe(3);
    await cache.live.updateUser(dana, { email: 'dana.cache@wff-demo.example' });
    expect((await cache.getUser(dana)).email).toBe('dana.cache@wff-demo.example');
    await cache.live.updateUser(dana, { email: DEMO_USERS.dana.username });
  });

  it('a TTL of 0 sends every read', async () => {
    const cache = withReadCache(client, { ttlMs: 0, now });
    await cache.getUser(dana);
    await cache.getUser(dana);
    expect(countRequests(sandbox, 'GET', danaPath)).toBe(2);
  });

  it("one caller's cancel fails only that caller; the others get the shared answer", async () => {
    const cache = withReadCache(client, { ttlMs: 10_000 });
    sandbox.faults.set({ latencyMs: 60 });
    sandbox.clearRequests();
    const leaving = new AbortController();
    const first = cache.getUser(dana, undefined, { signal: leaving.signal });
    const second = cache.getUser(dana, undefined, { signal: new AbortController().signal });
    leaving.abort();
    await expect(first).rejects.toMatchObject({ kind: 'aborted' });
    expect((await second).userId).toBe(dana);
    expect(countRequests(sandbox, 'GET', danaPath)).toBe(1);
    sandbox.faults.clear();
  });

  it('when every caller has cancelled, the shared read is abandoned and not cached', async () => {
    const cache = withReadCache(client, { ttlMs: 10_000 });
    sandbox.faults.set({ latencyMs: 60 });
    sandbox.clearRequests();
    const a = new AbortController();
    const b = new AbortController();
    const first = cache.getUser(dana, undefined, { signal: a.signal });
    const second = cache.getUser(dana, undefined, { signal: b.signal });
    a.abort();
    b.abort();
    await expect(first).rejects.toMatchObject({ kind: 'aborted' });
    await expect(second).rejects.toMatchObject({ kind: 'aborted' });
    sandbox.faults.clear();
    expect((await cache.getUser(dana)).userId).toBe(dana);
    expect(cache.cacheStats).toMatchObject({ hits: 0, misses: 2, joined: 1 });
  });
});

describe('directory snapshots in the read cache', () => {
  let sandbox: SandboxHandle;
  let client: VisierClient;
  let clock = 0;
  const now = () => clock;
  const fills = () => countRequests(sandbox, 'GET', '/v1/admin/permissions');
  const visierReads = () => sandbox.requests.filter((r) => !r.path.endsWith('visierSecureToken')).length;

  beforeAll(async () => {
    sandbox = await startTestSandbox();
    client = clientFor(sandbox);
  });
  afterAll(async () => {
    await client.close();
    await sandbox.close();
  });
  beforeEach(() => {
    sandbox.faults.clear();
    sandbox.clearRequests();
    clock = 1_000_000;
  });

  it("keeps a snapshot for its own TTL, past the other reads' TTL, and reads it again after", async () => {
    const cache = withReadCache(client, { ttlMs: 15_000, snapshotTtlMs: 300_000, now });
    const first = await cache.directory();
    expect(visierReads()).toBe(4);
    clock += 299_999;
    expect(await cache.directory()).toBe(first);
    expect(visierReads()).toBe(4);
    clock += 2;
    const second = await cache.directory();
    expect(second).not.toBe(first);
    expect(second.asOf).toBeGreaterThan(first.asOf);
    expect(visierReads()).toBe(8);
  });

  it('keeps one snapshot per tenant and project', async () => {
    const cache = withReadCache(client, { ttlMs: 15_000, snapshotTtlMs: 300_000, now });
    await cache.directory();
    await cache.directory({ tenantCode: sandbox.tenants.secondary });
    await cache.directory();
    await cache.directory({ tenantCode: sandbox.tenants.secondary });
    expect(fills()).toBe(2);
  });

  it('our own write clears it, so the next read sees the change', async () => {
    const cache = withReadCache(client, { ttlMs: 15_000, snapshotTtlMs: 300_000, now });
    await cache.directory();
    const user = await cache.createUser({ username: 'snapshot.cache@wff-demo.example' });
    try {
      expect((await cache.directory()).users.has(user.userId)).toBe(true);
      expect(fills()).toBe(2);
    } finally {
      await cache.deleteUser(user.userId);
    }
  });

  it('concurrent readers share one fill in flight', async () => {
    const cache = withReadCache(client, { ttlMs: 15_000, snapshotTtlMs: 300_000, now });
    sandbox.faults.set({ latencyMs: 30 });
    const snapshots = await Promise.all(Array.from({ length: 5 }, () => cache.directory()));
    expect(new Set(snapshots).size).toBe(1);
    expect(visierReads()).toBe(4);
    expect(cache.cacheStats.joined).toBe(4);
  });

  it('a snapshot TTL of 0 fills for every read; the live view answers from the same snapshot (the re-check loads its own)', async () => {
    const live = withReadCache(client, { ttlMs: 15_000, snapshotTtlMs: 0, now });
    await live.directory();
    await live.directory();
    expect(fills()).toBe(2);
    const cached = withReadCache(client, { ttlMs: 15_000, snapshotTtlMs: 300_000, now });
    await cached.live.directory();
    await cached.live.directory();
    await cached.directory();
    expect(fills()).toBe(3);
  });
});
