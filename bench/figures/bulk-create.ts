import type { UserInput } from '../../src/providers/visier/api.js';
import { type Figure, figure } from '../support/report.js';
import { callTool, dataRequests, inMemoryClient, startStack } from '../support/stack.js';
import { time } from '../support/stats.js';

const LATENCY_MS = 5;
const WARM_UP = 200;

function newUsers(n: number, prefix: string): UserInput[] {
  return Array.from({ length: n }, (_, i) => ({
    username: `${prefix}${i}@bench.example`,
    displayName: `Bench User ${i}`,
    employeeId: `B${i}`,
    accountEnabled: true,
  }));
}

/** bulk_create_users through an SDK Client against one create request per user (what seed scripts do). */
export async function bulkCreate(n: number): Promise<Figure[]> {
  const stack = await startStack({ users: 10, faults: { latencyMs: LATENCY_MS } });
  try {
    const { client, close } = await inMemoryClient(stack);
    // One untimed round of each first, so neither side is timed while the JIT warms up.
    await callTool(client, 'bulk_create_users', { users: newUsers(WARM_UP, 'warm-bulk') });
    for (const user of newUsers(WARM_UP, 'warm-single')) await stack.client.createUser(user);
    stack.sandbox.clearRequests();
    const ours = await time(() => callTool(client, 'bulk_create_users', { users: newUsers(n, 'bulk') }));
    const ourRequests = dataRequests(stack.sandbox);
    const created = stack.sandbox.snapshot().users.filter((u) => u.username.startsWith('bulk')).length;
    await close();

    stack.sandbox.clearRequests();
    const baseline = await time(async () => {
      for (const user of newUsers(n, 'single')) await stack.client.createUser(user);
    });
    const baselineRequests = dataRequests(stack.sandbox);
    const goalRequests = Math.ceil(n / 100);
    return [
      figure({
        figure: `Visier requests to create ${n} users`,
        ours: ourRequests,
        baseline: baselineRequests,
        unit: 'requests',
        goal: `<= ${goalRequests}`,
        met: ourRequests <= goalRequests && created === n,
        notes: `${created} of ${n} created through the tool`,
      }),
      figure({
        figure: `wall time to create ${n} users at ${LATENCY_MS} ms latency`,
        ours: ours.ms,
        baseline: baseline.ms,
        unit: 'ms',
        goal: '>= 50x better (ratio <= 0.02)',
        met: ours.ms * 50 <= baseline.ms,
      }),
    ];
  } finally {
    await stack.close();
  }
}
