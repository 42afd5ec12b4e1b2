import { DEMO_GROUPS, DEMO_USERS } from '../../src/sandbox/index.js';
import { type Figure, figure } from '../support/report.js';
import { callTool, dataRequests, inMemoryClient, startStack } from '../support/stack.js';

/** A support-triage lookup: the same user read 5 times, their groups, one group's members. */
async function lookupSession(cacheTtlMs: number): Promise<number> {
  const stack = await startStack({ users: 1000, cacheTtlMs });
  try {
    const { client, close } = await inMemoryClient(stack);
    stack.sandbox.clearRequests();
    const userId = DEMO_USERS.dana.userId;
    for (let i = 0; i < 5; i++) await callTool(client, 'get_user', { userId });
    await callTool(client, 'list_user_groups', {});
    await callTool(client, 'list_user_group_members', { userGroupId: DEMO_GROUPS.salesAnalysts.userGroupId });
    await callTool(client, 'get_user', { userId });
    await close();
    return dataRequests(stack.sandbox);
  } finally {
    await stack.close();
  }
}

export async function lookupRequests(): Promise<Figure[]> {
  const baseline = await lookupSession(0);
  const ours = await lookupSession(30_000);
  return [
    figure({
      figure: 'Visier requests for a typical lookup session (30 s read cache)',
      ours,
      baseline,
      unit: 'requests',
      goal: '>= 2x fewer (ratio <= 0.5)',
      met: ours * 2 <= baseline,
    }),
  ];
}
