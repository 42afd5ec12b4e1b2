import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { type Figure, figure } from '../support/report.js';
import { callTool, dataRequests, inMemoryClient, type Stack, startStack, textOf } from '../support/stack.js';

// "Why can't Dana see Compensation? Then fix it." as an agent runs it, step by step, taking each id from the
// previous answer: today's sequence of lookups against explain_user_access and its plan. Both run on the same
// tenant with the CLI's default 15 s read cache, every change approved by a person.

interface Session {
  calls: number;
  requests: number;
  chars: number;
}

type Ids = { users?: { userId: string }[]; permissions?: { permissionId: string }[] };

type Call = (name: string, args: Record<string, unknown>) => Promise<CallToolResult>;

async function session(stack: Stack, steps: (call: Call) => Promise<void>): Promise<Session> {
  const { client, close } = await inMemoryClient(stack);
  stack.sandbox.clearRequests();
  let calls = 0;
  let chars = 0;
  await steps(async (name, args) => {
    const result: CallToolResult = await callTool(client, name, args);
    calls++;
    chars += textOf(result).length;
    return result;
  });
  const requests = dataRequests(stack.sandbox);
  await close();
  return { calls, requests, chars };
}

const structured = <T>(result: CallToolResult) => result.structuredContent as T;

/** Today: search the user, read them, find the permission, who holds it, which groups grant it, pick one, add. */
const today = (stack: Stack) =>
  session(stack, async (call) => {
    const [dana] = structured<Ids>(await call('list_users', { search: 'Dana' })).users ?? [];
    const userId = dana?.userId as string;
    await call('get_user', { userId });
    const [permission] = structured<Ids>(await call('list_permissions', { search: 'Compensation' })).permissions ?? [];
    const permissionId = permission?.permissionId as string;
    await call('list_users_with_permission', { permissionId, includeUserGroups: true });
    const groups = structured<{ userGroups: { userGroupId: string; permissions?: { permissionId: string }[] }[] }>(
      await call('list_user_groups', {}),
    ).userGroups.filter((g) => g.permissions?.some((p) => p.permissionId === permissionId));
    // Each group that grants it, read to choose the one that grants least else.
    const sizes = [];
    for (const g of groups) {
      const read = structured<{ userGroup: { permissionIds?: string[] } }>(
        await call('get_user_group', { userGroupId: g.userGroupId }),
      );
      sizes.push({ userGroupId: g.userGroupId, grants: read.userGroup.permissionIds?.length ?? 0 });
    }
    sizes.sort((a, b) => a.grants - b.grants);
    await call('add_users_to_group', { userGroupId: sizes[0]?.userGroupId as string, userIds: [userId] });
    await call('get_user', { userId });
  });

/** With the answer tools: find the permission, ask once, run the plan as given, ask again. */
const withAnswers = (stack: Stack) =>
  session(stack, async (call) => {
    const [found] = structured<Ids>(await call('list_permissions', { search: 'Compensation' })).permissions ?? [];
    const permission = found?.permissionId as string;
    const answer = structured<{ plan: { tool: string; arguments: Record<string, unknown> }[] }>(
      await call('explain_user_access', { userId: 'Dana', permission }),
    );
    for (const step of answer.plan) await call(step.tool, step.arguments);
    await call('explain_user_access', { userId: 'Dana', permission });
  });

async function fresh(users: number, run: (stack: Stack) => Promise<Session>): Promise<Session> {
  const stack = await startStack({ users, cacheTtlMs: 15_000 });
  try {
    return await run(stack);
  } finally {
    await stack.close();
  }
}

export async function triageSession(users: number): Promise<Figure[]> {
  const baseline = await fresh(users, today);
  const ours = await fresh(users, withAnswers);
  const row = (what: string, key: keyof Session, unit: string) =>
    figure({
      figure: `Triage "why can't Dana see Compensation, then fix it" (${users} users): ${what}`,
      ours: ours[key],
      baseline: baseline[key],
      unit,
      goal: 'fewer than today (ratio < 1)',
      met: ours[key] < baseline[key],
    });
  return [
    row('tool calls', 'calls', 'calls'),
    row('Visier requests', 'requests', 'requests'),
    row('characters read', 'chars', 'chars'),
  ];
}
