import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { CONFIRMATION_META_KEY } from '../../src/server.js';
import { type Figure, figure } from '../support/report.js';
import { dataRequests, startStack } from '../support/stack.js';

// What a person waits for before approving "add these 120 users to a group", under Visier's default limits
// (100 calls a minute): the preview read from the directory snapshot, against the per-user preview it replaced,
// whose reads (one per user, four at a time, plus the group and the permission catalogue) the baseline repeats.

const PEOPLE = 120;
const USERS = 1000;
const BASELINE_CONCURRENCY = 4;

interface Cost {
  calls: number;
  ms: number;
}

async function setUp() {
  const stack = await startStack({ users: USERS, visierLimits: true, cacheTtlMs: 30_000 });
  const userIds = stack.sandbox
    .snapshot()
    .users.slice(0, PEOPLE)
    .map((u) => u.userId);
  const group = await stack.client.createUserGroups([{ displayName: 'Onboarding cohort', permissionIds: [] }]);
  const userGroupId = group.successes[0]?.userGroupId as string;
  stack.sandbox.clearRequests();
  return { stack, userIds, userGroupId };
}

/** The tool's preview as the token flow returns it: a cold snapshot, so the fill is counted too. */
async function ours(): Promise<Cost> {
  const { stack, userIds, userGroupId } = await setUp();
  try {
    // A client that cannot elicit: the first call ends with the preview and a confirmation token.
    const server = stack.newServer();
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await server.connect(serverSide);
    const client = new Client({ name: 'bench-preview', version: '1.0.0' });
    await client.connect(clientSide);
    const started = performance.now();
    const result = await client.callTool({ name: 'add_users_to_group', arguments: { userGroupId, userIds } });
    const ms = performance.now() - started;
    await client.close();
    await server.close();
    if (result._meta?.[CONFIRMATION_META_KEY] === undefined) throw new Error('expected a preview and a token');
    return { calls: dataRequests(stack.sandbox), ms };
  } finally {
    await stack.close();
  }
}

/** The reads the per-user preview made: each user with their groups, the group, the catalogue. */
async function perUser(): Promise<Cost> {
  const { stack, userIds, userGroupId } = await setUp();
  try {
    const started = performance.now();
    let next = 0;
    const worker = async () => {
      while (next < userIds.length) await stack.client.getUser(userIds[next++] as string, { userGroups: true });
    };
    await Promise.all([
      stack.client.getUserGroup(userGroupId),
      stack.client.listPermissions({ includeDetails: true }),
      ...Array.from({ length: BASELINE_CONCURRENCY }, worker),
    ]);
    return { calls: dataRequests(stack.sandbox), ms: performance.now() - started };
  } finally {
    await stack.close();
  }
}

export async function previewCost(): Promise<Figure[]> {
  const mine = await ours();
  const baseline = await perUser();
  return [
    figure({
      figure: `Visier calls to preview adding ${PEOPLE} users to a group (${USERS}-user tenant, cold snapshot)`,
      ours: mine.calls,
      baseline: baseline.calls,
      unit: 'requests',
      goal: 'constant, not per user',
      met: mine.calls <= 5,
    }),
    figure({
      figure: `Wall time to preview adding ${PEOPLE} users, Visier's default limits (100/min)`,
      ours: Math.round(mine.ms),
      baseline: Math.round(baseline.ms),
      unit: 'ms',
      goal: '< 5,000 ms',
      met: mine.ms < 5000,
    }),
  ];
}
