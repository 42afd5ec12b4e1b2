// The approvals page's shared records against a real redis-server, two replicas' desks, sessions and sign-in
// states on two connections: what races between them and what Redis holds.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESSION_IDLE_MS, SESSION_MAX_MS } from '../../src/approvals/sessions.js';
import { SharedPendingApprovals } from '../../src/approvals/shared-pending.js';
import { SharedPageSessions } from '../../src/approvals/shared-sessions.js';
import type { PendingChange } from '../../src/guards/approval-desk.js';
import { storeDigest } from '../../src/shared-state/digest.js';
import { type TwoReplicaStores, twoReplicaStores } from '../support/redis-server.js';

const ISSUER = 'https://login.example.com';
const person = (subject: string) => ({
  issuer: ISSUER,
  subject,
  email: `${subject}@example.com`,
  mode: 'full' as const,
});
const [alice, bob, carol] = ['alice', 'bob', 'carol'].map(person) as [
  ReturnType<typeof person>,
  ReturnType<typeof person>,
  ReturnType<typeof person>,
];
const change = (approversRequired: number): PendingChange => ({
  digest: 'd'.repeat(64),
  tool: 'assign_permissions_to_users',
  classification: 'access',
  lines: ['Grant Admin to Dana'],
  client: { name: 'test' },
  principal: `oauth:${ISSUER}#alice`,
  person: alice,
  approversRequired,
});

let stores: TwoReplicaStores;
const desks: SharedPendingApprovals[] = [];

beforeAll(async () => {
  stores = await twoReplicaStores();
}, 30_000);

afterAll(async () => {
  await Promise.all(desks.map((d) => d.close()));
  await stores?.close();
});

/** Replica A holds the call; B and A are where the clicks land. */
function twoDesks(): [SharedPendingApprovals, SharedPendingApprovals] {
  const pair: [SharedPendingApprovals, SharedPendingApprovals] = [
    new SharedPendingApprovals(stores.a),
    new SharedPendingApprovals(stores.b),
  ];
  desks.push(...pair);
  return pair;
}

async function listedOn(desk: SharedPendingApprovals) {
  for (;;) {
    const [item] = (await desk.listing()).items;
    if (item !== undefined) return item;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('pending changes shared by two replicas', () => {
  it('the same person approving on both replicas at once counts once; a second person settles it, once', async () => {
    const [a, b] = twoDesks();
    const outcome = a.decide(change(2), { timeoutMs: 30_000 });
    const item = await listedOn(b);
    const clicks = await Promise.all([
      a.click(item.id, item.change.digest, 'approve', undefined, bob),
      b.click(item.id, item.change.digest, 'approve', undefined, bob),
    ]);
    expect(clicks.map((c) => (c.ok ? 'counted' : c.reason)).sort()).toEqual(['already-approved', 'counted']);
    const settle = await Promise.all([
      b.click(item.id, item.change.digest, 'approve', undefined, carol),
      a.click(item.id, item.change.digest, 'deny', undefined, carol),
    ]);
    expect(settle.filter((c) => c.ok)).toHaveLength(1);
    expect(settle.find((c) => !c.ok)).toMatchObject({ reason: 'not-pending' });
    const settled = await outcome;
    expect(settled.approvedBy[0]).toEqual(bob);
    expect(settled.decision === 'approved' ? settled.approvedBy : [settled.deniedBy]).toContainEqual(carol);
    expect((await b.listing()).items).toEqual([]);
  });

  it('the version moves on either replica for arrivals, approvals and departures', async () => {
    const [a, b] = twoDesks();
    const v0 = (await b.listing()).version;
    const outcome = a.decide(change(2), { timeoutMs: 30_000 });
    const item = await listedOn(b);
    const v1 = (await b.listing()).version;
    await b.click(item.id, item.change.digest, 'approve', undefined, bob);
    const v2 = (await a.listing()).version;
    await b.click(item.id, item.change.digest, 'deny', undefined, carol);
    await outcome;
    expect(v0 < v1 && v1 < v2 && v2 < (await a.listing()).version).toBe(true);
  });

  it('a replica still holding a change stays alive for it after another of its changes settled', async () => {
    const [a, b] = twoDesks();
    const first = a.decide(change(1), { timeoutMs: 30_000 });
    const item = await listedOn(b);
    const second = a.decide({ ...change(1), digest: 'e'.repeat(64) }, { timeoutMs: 30_000 });
    await b.click(item.id, item.change.digest, 'deny', undefined, bob);
    await first;
    // Past the holder's liveness (5 s): only a heartbeat that kept going keeps the second change approvable.
    await new Promise((resolve) => setTimeout(resolve, 6_500));
    const listed = await b.listing();
    expect(listed.withdrawn).toEqual([]);
    const [left] = listed.items;
    expect(left?.change.digest).toBe('e'.repeat(64));
    await b.click(left?.id ?? '', 'e'.repeat(64), 'approve', undefined, bob);
    expect((await second).decision).toBe('approved');
  }, 20_000);

  it('a settlement whose message was lost still reaches the holder, by its reading its records each second', async () => {
    const [a, b] = twoDesks();
    const outcome = a.decide(change(1), { timeoutMs: 30_000 });
    await listedOn(b);
    // Settled in Redis without a message, as when a subscriber was reconnecting at the time.
    const [key] = await stores.raw.keys('vam:approvals:item:*').then(async (keys) => {
      const open = await Promise.all(keys.map(async (k) => [k, await stores.raw.get(k)] as const));
      return open.filter(([, v]) => v !== null && !v.includes('"outcome"')).map(([k]) => k);
    });
    const record = JSON.parse((await stores.raw.get(key as string)) as string);
    await stores.raw.set(key as string, JSON.stringify({ ...record, outcome: { decision: 'denied', deniedBy: bob } }), {
      KEEPTTL: true,
    });
    await stores.raw.zRem('vam:approvals:waiting', (key as string).split(':').at(-1) as string);
    const started = Date.now();
    expect(await outcome).toEqual({ decision: 'denied', approvedBy: [], deniedBy: bob });
    expect(Date.now() - started).toBeLessThan(2_500);
  });

  it('a cancelled call is withdrawn everywhere: a click on the other replica decides nothing', async () => {
    const [a, b] = twoDesks();
    const cancel = new AbortController();
    const outcome = a.decide(change(1), { timeoutMs: 30_000, signal: cancel.signal });
    const item = await listedOn(b);
    cancel.abort();
    expect(await outcome).toEqual({ decision: 'cancelled', approvedBy: [] });
    expect(await b.click(item.id, item.change.digest, 'approve', undefined, bob)).toMatchObject({
      reason: 'not-pending',
    });
  });

  it('Redis holds no session key or hand-over code in clear', async () => {
    const sessions = new SharedPageSessions(stores.a);
    const code = await sessions.handOver(bob, 'started-tab', Date.now() + SESSION_MAX_MS);
    const keys = await stores.raw.keys('vam:approvals:*');
    const values = await Promise.all(keys.map((k) => stores.raw.get(k)));
    const everything = [...keys, ...values].join('\n');
    for (const secret of [code, 'started-tab']) expect(everything).not.toContain(secret);
    // Every record expires, the lists and counters too.
    for (const key of keys) expect(await stores.raw.pTTL(key), key).toBeGreaterThan(0);
    const opened = await new SharedPageSessions(stores.b).openSignedIn(code, 'started-tab');
    expect(opened).toMatchObject({ ok: true, person: bob });
    expect(await sessions.openSignedIn(code, 'started-tab')).toEqual({ ok: false });
    if (opened.ok) expect(await stores.raw.keys('vam:approvals:session:*')).not.toContain(opened.session);
  });

  it('a session key opened on one replica works on the other; idle and absolute lifetimes hold on both', async () => {
    let now = Date.now();
    const a = new SharedPageSessions(stores.a, () => now);
    const b = new SharedPageSessions(stores.b, () => now);
    const opened = await a.openSignedIn(await b.handOver(carol, 'tab', now + 2 * SESSION_MAX_MS), 'tab');
    if (!opened.ok) throw new Error('not opened');
    expect(await b.use(opened.session)).toEqual({ ok: true, person: carol });
    for (const key of await stores.raw.keys('vam:approvals:session:*')) {
      expect(await stores.raw.pTTL(key)).toBeLessThanOrEqual(SESSION_IDLE_MS);
    }
    now += SESSION_MAX_MS;
    expect(await a.use(opened.session)).toEqual({ ok: false, reason: 'expired' });
    expect(await b.use(opened.session)).toEqual({ ok: false, reason: 'unknown' });
  });

  it("a session ends on every replica when its sign-in's access token expires, its Redis TTL too", async () => {
    let now = Date.now();
    const a = new SharedPageSessions(stores.a, () => now);
    const b = new SharedPageSessions(stores.b, () => now);
    const until = now + 60_000;
    const opened = await a.openSignedIn(await b.handOver(carol, 'tab', until), 'tab');
    if (!opened.ok) throw new Error('not opened');
    const ttl = await stores.raw.pTTL(`vam:approvals:session:${storeDigest(opened.session)}`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60_000);
    now = until - 1;
    expect(await b.use(opened.session)).toEqual({ ok: true, person: carol });
    now = until;
    expect(await a.use(opened.session)).toEqual({ ok: false, reason: 'expired' });
    expect(await b.use(opened.session)).toEqual({ ok: false, reason: 'unknown' });
    // A sign-in whose token expired before its code was traded opens nothing.
    expect(await a.openSignedIn(await b.handOver(carol, 'tab', now), 'tab')).toEqual({ ok: false });
  });
});
