// `npm run soak [-- --seconds N]`: a bounded soak on loopback. Workers drive mixed reads and writes through
// the MCP SDK Client (full mode, guard on, approvals auto-accepted) against a sandbox injecting ~5% faults,
// keep a model of what every write that reported success changed, and at the end compare the sandbox's state
// with it: no change reported done may be missing, none may be applied twice. Active handles and memory are
// sampled at 10% of the run and at the end. Exit 1 on a lost or duplicated change or a handle leak.
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { FaultSpec, RequestLogEntry, SandboxSnapshot } from '../src/sandbox/index.js';
import { DEMO_GROUPS, DEMO_PERMISSIONS } from '../src/sandbox/index.js';
import { inMemoryClient, startStack } from './support/stack.js';

const DEFAULT_SECONDS = 300;
const MAX_SECONDS = 3600;
const WORKERS = 4;
/** Existing users each worker owns (writes never cross partitions); its own creations join its pool. */
const USERS_PER_WORKER = 12;
/** Hard bounds besides the clock: ops per worker, pages per list_users op, creations per worker. */
const MAX_OPS_PER_WORKER = 250_000;
const MAX_LIST_PAGES = 3;
const MAX_CREATES_PER_WORKER = 2_000;
const CALL_TIMEOUT_MS = 120_000;
/** Active handles may grow by at most this many between the 10% sample and the end. */
const HANDLE_GROWTH_LIMIT = 8;

// 429s cost ~1 s each (the sandbox sends Retry-After: 1 and the client honours it), so they are kept at 1%
// and 503 at 2% makes up ~5% in all. 429s still hit every method, POST included: a 429 means "not processed",
// so the client may replay even a create, and the soak checks that no create lands twice.
const FAULTS: FaultSpec = {
  rules: [
    { kind: '429', rate: 0.01 },
    { kind: '503', rate: 0.02 },
    { kind: '502', rate: 0.01 },
    { kind: '500', rate: 0.005 },
  ],
};
const RETRY = { maxAttempts: 6, baseDelayMs: 5, maxDelayMs: 50 };

// Manual-membership groups only (All Employees includes everyone, so membership there is not ours to model).
const GROUPS = [
  DEMO_GROUPS.salesAnalysts.userGroupId,
  DEMO_GROUPS.recruitingTeam.userGroupId,
  DEMO_GROUPS.financePlanning.userGroupId,
  DEMO_GROUPS.contractors.userGroupId,
];
const PERMISSIONS = [
  DEMO_PERMISSIONS.headcount.permissionId,
  DEMO_PERMISSIONS.recruiting.permissionId,
  DEMO_PERMISSIONS.financePlanner.permissionId,
  DEMO_PERMISSIONS.diversity.permissionId,
];

const OP_WEIGHTS = {
  get_user: 18,
  list_users: 8,
  list_user_group_members: 8,
  update_user: 22,
  create_user: 6,
  add_users_to_group: 12,
  remove_users_from_group: 10,
  assign_permissions_to_users: 8,
  remove_permissions_from_users: 8,
} as const;
type OpKind = keyof typeof OP_WEIGHTS;
const OP_KINDS = Object.keys(OP_WEIGHTS) as OpKind[];
const TOTAL_WEIGHT = OP_KINDS.reduce((sum, k) => sum + OP_WEIGHTS[k], 0);

function parseSeconds(): number {
  const i = process.argv.indexOf('--seconds');
  const raw = i >= 0 ? process.argv[i + 1] : process.env.SOAK_SECONDS;
  if (raw === undefined || raw === '') return DEFAULT_SECONDS;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0)
    throw new Error(`--seconds / SOAK_SECONDS must be a positive number, got '${raw}'`);
  return Math.min(n, MAX_SECONDS);
}

/** mulberry32: a small seeded generator, so a worker's choice of operations is repeatable. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// ---- expected-state model ----

/**
 * One piece of state only one worker writes: a user's display name, or whether a user is in a group or holds
 * a permission directly. `value` is what the last write that reported success left (or the initial value);
 * `candidates` are values of failed writes since then, which may or may not have reached the server.
 */
interface Register<T> {
  value: T;
  succeeded: number;
  candidates: Set<T>;
}

class Model {
  readonly names = new Map<string, Register<string>>();
  readonly memberships = new Map<string, Register<boolean>>();
  readonly permissions = new Map<string, Register<boolean>>();

  static key(a: string, b: string): string {
    return `${a}|${b}`;
  }

  /** Starts tracking a user, from the state the snapshot shows (or a new user's empty state). */
  track(userId: string, displayName: string, snapshot?: SandboxSnapshot): void {
    this.names.set(userId, { value: displayName, succeeded: 0, candidates: new Set() });
    for (const g of GROUPS) {
      const member = snapshot?.userGroups.find((x) => x.userGroupId === g)?.memberIds.includes(userId) ?? false;
      this.memberships.set(Model.key(g, userId), { value: member, succeeded: 0, candidates: new Set() });
    }
    for (const p of PERMISSIONS) {
      const held = snapshot?.userPermissions[p]?.includes(userId) ?? false;
      this.permissions.set(Model.key(p, userId), { value: held, succeeded: 0, candidates: new Set() });
    }
  }

  static apply<T>(reg: Register<T> | undefined, value: T, ok: boolean): void {
    if (!reg) throw new Error('soak: write to an untracked register');
    if (ok) {
      reg.value = value;
      reg.succeeded++;
      reg.candidates.clear();
    } else {
      reg.candidates.add(value);
    }
  }
}

interface Verdict {
  checked: number;
  lost: number;
  uncertainApplied: number;
  unexplained: number;
  examples: string[];
}

function judge<T>(what: string, regs: Map<string, Register<T>>, actualOf: (key: string) => T, v: Verdict): void {
  for (const [key, reg] of regs) {
    v.checked++;
    const actual = actualOf(key);
    if (actual === reg.value) continue;
    if (reg.candidates.has(actual)) {
      v.uncertainApplied++;
      continue;
    }
    if (reg.succeeded > 0) v.lost++;
    else v.unexplained++;
    if (v.examples.length < 10) {
      v.examples.push(`${what} ${key}: expected ${JSON.stringify(reg.value)}, found ${JSON.stringify(actual)}`);
    }
  }
}

// ---- measurement ----

interface ResourceSample {
  atSeconds: number;
  handles: Record<string, number>;
  handlesTotal: number;
  heapUsedMb: number;
  rssMb: number;
}

function sample(startedAt: number): ResourceSample {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  gc?.();
  const handles: Record<string, number> = {};
  for (const type of process.getActiveResourcesInfo()) handles[type] = (handles[type] ?? 0) + 1;
  const mem = process.memoryUsage();
  const mb = (n: number) => Math.round((n / 1024 / 1024) * 10) / 10;
  return {
    atSeconds: Math.round((Date.now() - startedAt) / 100) / 10,
    handles,
    handlesTotal: Object.values(handles).reduce((a, b) => a + b, 0),
    heapUsedMb: mb(mem.heapUsed),
    rssMb: mb(mem.rss),
  };
}

/** Counts injected faults from the sandbox log and empties it, so the log does not grow for the whole run. */
class FaultTally {
  readonly byKind: Record<string, number> = {};
  requests = 0;
  private inFlight: RequestLogEntry[] = [];
  private lastAt = 0;

  constructor(private readonly log: { requests: RequestLogEntry[]; clearRequests(): void }) {}

  maybeCollect(): void {
    if (Date.now() - this.lastAt >= 1000) this.collect();
  }

  /** An entry still in flight (status 0, no fault yet) is looked at again next time: its fault is set later. */
  collect(): void {
    this.lastAt = Date.now();
    const batch = [...this.inFlight, ...this.log.requests];
    this.requests += this.log.requests.length;
    this.log.clearRequests();
    this.inFlight = [];
    for (const entry of batch) {
      if (entry.fault) this.byKind[entry.fault] = (this.byKind[entry.fault] ?? 0) + 1;
      else if (entry.status === 0) this.inFlight.push(entry);
    }
  }

  get total(): number {
    return Object.values(this.byKind).reduce((a, b) => a + b, 0);
  }
}

// ---- workers ----

interface OpCount {
  ok: number;
  failed: number;
}

interface CallOutcome {
  ok: boolean;
  result?: CallToolResult;
  error?: string;
}

interface Shared {
  model: Model;
  counts: Record<OpKind, OpCount>;
  /** Failed writes whose effect is resolved from the final state (idempotent PUT/DELETE). */
  uncertainWrites: number;
  protocolErrors: number;
  createdOk: { username: string; userId: string }[];
  createdFailed: string[];
  tally: FaultTally;
  runId: string;
  firstErrors: string[];
}

interface WorkerState {
  index: number;
  client: Client;
  users: string[];
  random: () => number;
  ops: number;
  creates: number;
  listCursor?: string;
}

function textOf(result: CallToolResult): string {
  return result.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n');
}

async function call(shared: Shared, w: WorkerState, name: OpKind, args: Record<string, unknown>): Promise<CallOutcome> {
  let outcome: CallOutcome;
  try {
    const result = (await w.client.callTool({ name, arguments: args }, undefined, {
      timeout: CALL_TIMEOUT_MS,
    })) as CallToolResult;
    outcome = { ok: !result.isError, result };
    if (result.isError) outcome.error = textOf(result).slice(0, 300);
  } catch (error) {
    shared.protocolErrors++;
    outcome = { ok: false, error: `protocol: ${(error as Error).message}` };
  }
  // An access change is done only when every tenant it reached says so.
  const tenants = (outcome.result?.structuredContent as { tenants?: { status: string }[] } | undefined)?.tenants;
  if (outcome.ok && tenants?.some((t) => t.status !== 'Succeed')) {
    outcome = { ...outcome, ok: false, error: `tenant status ${tenants.map((t) => t.status).join(',')}` };
  }
  const count = shared.counts[name];
  if (outcome.ok) count.ok++;
  else {
    count.failed++;
    if (shared.firstErrors.length < 8) shared.firstErrors.push(`${name}: ${outcome.error ?? ''}`);
  }
  return outcome;
}

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)] as T;
}

function someOf<T>(random: () => number, items: readonly T[], max: number): T[] {
  const n = 1 + Math.floor(random() * Math.min(max, items.length));
  const copy = [...items];
  const out: T[] = [];
  while (out.length < n && copy.length > 0) out.push(copy.splice(Math.floor(random() * copy.length), 1)[0] as T);
  return out;
}

function chooseOp(random: () => number): OpKind {
  let r = random() * TOTAL_WEIGHT;
  for (const k of OP_KINDS) {
    r -= OP_WEIGHTS[k];
    if (r < 0) return k;
  }
  return 'get_user';
}

async function step(shared: Shared, w: WorkerState): Promise<void> {
  const { model } = shared;
  let kind = chooseOp(w.random);
  if (kind === 'create_user' && w.creates >= MAX_CREATES_PER_WORKER) kind = 'update_user';
  const opId = `${shared.runId}-w${w.index}-${w.ops}`;
  switch (kind) {
    case 'get_user': {
      await call(shared, w, kind, { userId: pick(w.random, w.users) });
      return;
    }
    case 'list_users': {
      // Up to a few pages of the directory, resuming where this worker's last listing stopped.
      for (let page = 0; page < MAX_LIST_PAGES; page++) {
        const out = await call(shared, w, kind, { limit: 100, ...(w.listCursor ? { cursor: w.listCursor } : {}) });
        const next = (out.result?.structuredContent as { nextCursor?: string } | undefined)?.nextCursor;
        if (!out.ok || next === undefined) {
          delete w.listCursor;
          return;
        }
        w.listCursor = next;
      }
      return;
    }
    case 'list_user_group_members': {
      await call(shared, w, kind, { userGroupId: pick(w.random, GROUPS) });
      return;
    }
    case 'update_user': {
      const userId = pick(w.random, w.users);
      const displayName = `Soak ${opId}`;
      const out = await call(shared, w, kind, { userId, displayName });
      if (!out.ok) shared.uncertainWrites++;
      Model.apply(model.names.get(userId), displayName, out.ok);
      return;
    }
    case 'create_user': {
      w.creates++;
      const username = `soak.${opId}@soak.example`;
      const displayName = `Soak new ${opId}`;
      const out = await call(shared, w, kind, { username, displayName });
      const userId = (out.result?.structuredContent as { user?: { userId?: string } } | undefined)?.user?.userId;
      if (out.ok && userId) {
        shared.createdOk.push({ username, userId });
        model.track(userId, displayName);
        w.users.push(userId);
      } else {
        shared.createdFailed.push(username);
      }
      return;
    }
    case 'add_users_to_group':
    case 'remove_users_from_group': {
      const userGroupId = pick(w.random, GROUPS);
      const userIds = someOf(w.random, w.users, 4);
      const out = await call(shared, w, kind, { userGroupId, userIds });
      if (!out.ok) shared.uncertainWrites++;
      for (const u of userIds) {
        Model.apply(model.memberships.get(Model.key(userGroupId, u)), kind === 'add_users_to_group', out.ok);
      }
      return;
    }
    case 'assign_permissions_to_users':
    case 'remove_permissions_from_users': {
      const permissionIds = someOf(w.random, PERMISSIONS, 2);
      const userIds = someOf(w.random, w.users, 3);
      const out = await call(shared, w, kind, { permissionIds, userIds });
      if (!out.ok) shared.uncertainWrites++;
      for (const p of permissionIds) {
        for (const u of userIds) {
          Model.apply(model.permissions.get(Model.key(p, u)), kind === 'assign_permissions_to_users', out.ok);
        }
      }
      return;
    }
  }
}

async function runWorker(shared: Shared, w: WorkerState, deadline: number): Promise<void> {
  while (Date.now() < deadline && w.ops < MAX_OPS_PER_WORKER) {
    w.ops++;
    await step(shared, w);
    shared.tally.maybeCollect();
  }
}

// ---- the run ----

async function main(): Promise<number> {
  const seconds = parseSeconds();
  const startedAt = Date.now();
  const stack = await startStack({ users: 1000, faults: {}, retry: RETRY, mode: 'full' });
  const initial = stack.sandbox.snapshot();
  const model = new Model();
  const tally = new FaultTally(stack.sandbox);
  const counts = Object.fromEntries(OP_KINDS.map((k) => [k, { ok: 0, failed: 0 }])) as Record<OpKind, OpCount>;
  const shared: Shared = {
    model,
    counts,
    uncertainWrites: 0,
    protocolErrors: 0,
    createdOk: [],
    createdFailed: [],
    tally,
    runId: startedAt.toString(36),
    firstErrors: [],
  };

  // Partition: worker i owns a contiguous slice of ordinary users (the three named demo users are left alone).
  const workers: WorkerState[] = [];
  const sessions: { close: () => Promise<void> }[] = [];
  for (let i = 0; i < WORKERS; i++) {
    const { client, close } = await inMemoryClient(stack);
    sessions.push({ close });
    const users = initial.users.slice(10 + i * USERS_PER_WORKER, 10 + (i + 1) * USERS_PER_WORKER);
    for (const u of users) model.track(u.userId, u.displayName, initial);
    workers.push({ index: i, client, users: users.map((u) => u.userId), random: prng(1000 + i), ops: 0, creates: 0 });
  }

  stack.sandbox.faults.set(FAULTS);
  stack.sandbox.clearRequests();
  const runMs = seconds * 1000;
  const loopStart = Date.now();
  process.stderr.write(`soak: ${seconds} s, ${WORKERS} workers, faults ${JSON.stringify(FAULTS.rules)}\n`);

  // Phase 1 to 10% of the run, then every worker is idle while resources are sampled; phase 2 to the end.
  const tenPercent = loopStart + runMs * 0.1;
  await Promise.all(workers.map((w) => runWorker(shared, w, tenPercent)));
  const early = sample(startedAt);
  await Promise.all(workers.map((w) => runWorker(shared, w, loopStart + runMs)));
  const loopMs = Date.now() - loopStart;
  const late = sample(startedAt);

  stack.sandbox.faults.clear();
  tally.collect();
  const final = stack.sandbox.snapshot();

  // ---- compare ----
  const verdict: Verdict = { checked: 0, lost: 0, uncertainApplied: 0, unexplained: 0, examples: [] };
  const nameOf = new Map(final.users.map((u) => [u.userId, u.displayName]));
  const members = new Map(final.userGroups.map((g) => [g.userGroupId, new Set(g.memberIds)]));
  const holders = new Map(Object.entries(final.userPermissions).map(([p, ids]) => [p, new Set(ids)]));
  const split = (key: string) => key.split('|') as [string, string];
  judge('displayName', model.names, (userId) => nameOf.get(userId) ?? '(user missing)', verdict);
  judge(
    'membership',
    model.memberships,
    (key) => {
      const [g, u] = split(key);
      return members.get(g)?.has(u) ?? false;
    },
    verdict,
  );
  judge(
    'permission',
    model.permissions,
    (key) => {
      const [p, u] = split(key);
      return holders.get(p)?.has(u) ?? false;
    },
    verdict,
  );

  // Creations: each reported one exactly once under its id; a failed one left nothing; no username twice.
  const byUsername = new Map<string, string[]>();
  for (const u of final.users) {
    const k = u.username.toLowerCase();
    byUsername.set(k, [...(byUsername.get(k) ?? []), u.userId]);
  }
  const duplicateUsernames = [...byUsername].filter(([, ids]) => ids.length > 1).map(([name]) => name);
  const duplicateUserIds = final.users.length - new Set(final.users.map((u) => u.userId)).size;
  let lostCreates = 0;
  for (const c of shared.createdOk) {
    const ids = byUsername.get(c.username.toLowerCase()) ?? [];
    if (!ids.includes(c.userId)) {
      lostCreates++;
      if (verdict.examples.length < 10) verdict.examples.push(`create ${c.username}: reported ${c.userId}, absent`);
    }
  }
  const phantomCreates = shared.createdFailed.filter((name) => byUsername.has(name.toLowerCase()));
  for (const name of phantomCreates.slice(0, 5)) verdict.examples.push(`create ${name}: reported failed, yet present`);
  const expectedUsers = initial.users.length + shared.createdOk.length;
  const userCountDelta = final.users.length - expectedUsers;

  const lost = verdict.lost + lostCreates;
  // A username twice, a userId twice, or a create reported failed that nonetheless exists (a replayed POST).
  const duplicated = duplicateUsernames.length + duplicateUserIds + phantomCreates.length;
  const handleGrowth = late.handlesTotal - early.handlesTotal;

  for (const s of sessions) await s.close();
  await stack.close();
  // Closed sockets and servers release their handles a tick or two after close() resolves.
  await new Promise((resolve) => setTimeout(resolve, 250));
  const closed = sample(startedAt);

  const totalOps = OP_KINDS.reduce((sum, k) => sum + counts[k].ok + counts[k].failed, 0);
  const failedOps = OP_KINDS.reduce((sum, k) => sum + counts[k].failed, 0);
  const pass = lost === 0 && duplicated === 0 && verdict.unexplained === 0 && handleGrowth <= HANDLE_GROWTH_LIMIT;
  const results = {
    date: new Date().toISOString(),
    node: process.version,
    seconds,
    loopSeconds: Math.round(loopMs / 100) / 10,
    workers: WORKERS,
    faults: FAULTS,
    retry: RETRY,
    ops: {
      total: totalOps,
      failed: failedOps,
      perSecond: Math.round((totalOps / loopMs) * 10_000) / 10,
      byKind: counts,
    },
    sandbox: { requests: tally.requests, faultsInjected: tally.total, faultsByKind: tally.byKind },
    state: {
      registersChecked: verdict.checked,
      usersCreated: shared.createdOk.length,
      createsFailed: shared.createdFailed.length,
      lost,
      duplicated,
      duplicateUsernames: duplicateUsernames.slice(0, 10),
      phantomCreates: phantomCreates.length,
      uncertainWrites: shared.uncertainWrites,
      uncertainResolvedApplied: verdict.uncertainApplied,
      unexplained: verdict.unexplained,
      userCountDelta,
      protocolErrors: shared.protocolErrors,
      examples: verdict.examples,
    },
    resources: {
      at10Percent: early,
      atEnd: late,
      afterClose: closed,
      handleGrowth,
      handleGrowthLimit: HANDLE_GROWTH_LIMIT,
    },
    firstErrors: shared.firstErrors,
    pass,
  };

  const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
  writeFileSync(join(repoRoot, 'bench', 'soak-results.json'), `${JSON.stringify(results, null, 2)}\n`);

  const kinds = OP_KINDS.map((k) => `  ${k.padEnd(30)} ok ${counts[k].ok}  failed ${counts[k].failed}`).join('\n');
  const handleTypes = (s: ResourceSample) =>
    Object.entries(s.handles)
      .map(([t, n]) => `${t}:${n}`)
      .join(' ');
  process.stdout.write(
    [
      `soak ${pass ? 'PASS' : 'FAIL'}: ${results.loopSeconds} s, ${totalOps} ops (${results.ops.perSecond}/s), ${failedOps} failed`,
      kinds,
      `sandbox: ${tally.requests} requests, ${tally.total} faults injected ${JSON.stringify(tally.byKind)}`,
      `state: ${verdict.checked} registers + ${shared.createdOk.length} creations checked; lost ${lost}, duplicated ${duplicated}, uncertain ${shared.uncertainWrites} (resolved applied ${verdict.uncertainApplied}), unexplained ${verdict.unexplained}, user count delta ${userCountDelta}`,
      ...verdict.examples.map((e) => `  ${e}`),
      `handles: ${early.handlesTotal} at 10% (${handleTypes(early)}) -> ${late.handlesTotal} at end (${handleTypes(late)}); growth ${handleGrowth} (limit ${HANDLE_GROWTH_LIMIT}); ${closed.handlesTotal} after close`,
      `memory: heapUsed ${early.heapUsedMb} -> ${late.heapUsedMb} MB, rss ${early.rssMb} -> ${late.rssMb} MB (after gc)`,
      '',
    ].join('\n'),
  );
  return pass ? 0 : 1;
}

process.exitCode = await main();
