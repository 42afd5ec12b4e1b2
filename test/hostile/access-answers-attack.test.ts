// Attack on issue 13's answer tools (attack13). A red test is a finding.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VisierClient } from '../../src/providers/visier/client.js';
import { DEMO_GROUPS, DEMO_PROFILES } from '../../src/sandbox/index.js';
import { e2eSuite, textOf } from '../guards/e2e-harness.js';
import { clientFor } from '../visier/harness.js';

const suite = e2eSuite();
let outsider: VisierClient;
let kim: string;
let ray: string;
const manager = DEMO_PROFILES.manager.profileId;

beforeAll(async () => {
  outsider = clientFor(suite.sandbox);
  kim = (await outsider.createUser({ username: 'kim.copy@wff-demo.example', displayName: 'Kim Copy' })).userId;
  ray = (await outsider.createUser({ username: 'ray.model@wff-demo.example', displayName: 'Ray Model' })).userId;
  await outsider.assignProfile(manager, { userIds: [ray] });
});
afterAll(() => outsider?.close());

describe('attack13: compare_user_access plans every difference the change tools can remove', () => {
  it('a profile the model holds becomes an assign_profile step (the server has assign_profile)', async () => {
    await suite.withE2E({}, async (e2e) => {
      const tools = (await e2e.client.listTools()).tools.map((t) => t.name);
      expect(tools).toContain('assign_profile');
      const result = await e2e.call('compare_user_access', { userId: kim, modelUserId: ray });
      expect(result.isError, textOf(result)).toBeFalsy();
      const s = result.structuredContent as {
        plan: { tool: string; arguments: Record<string, unknown> }[];
        unplanned: string[];
      };
      // Observed (finding): unplanned says "this server has no profile change tool yet", and the plan has no step.
      expect(s.unplanned.join('\n')).not.toContain('no profile change tool');
      expect(s.plan.map((p) => p.tool)).toContain('assign_profile');
    });
  });
});

describe('attack13: a compare plan, run as it is, leaves no difference', () => {
  it('the user is manually excluded from the all-users group the model is in', async () => {
    const c = clientFor(suite.sandbox);
    const x = (await c.createUser({ username: 'xena.excluded@wff-demo.example', displayName: 'Xena Excluded' })).userId;
    const max = (await c.createUser({ username: 'max.model@wff-demo.example', displayName: 'Max Model' })).userId;
    const all = DEMO_GROUPS.allEmployees.userGroupId;
    await c.updateUserGroups([{ userGroupId: all, users: { includeAllUsers: true, manuallyExcludedIds: [x] } }]);
    c.close();
    const approve = async () => ({ action: 'accept' as const, content: { confirm: true } });
    await suite.withE2E({ elicit: approve }, async (e2e) => {
      const first = await e2e.call('compare_user_access', { userId: x, modelUserId: max });
      const s = first.structuredContent as {
        differences: number;
        plan: { tool: string; arguments: Record<string, unknown> }[];
      };
      expect(s.differences, textOf(first)).toBeGreaterThan(0);
      const results = [];
      for (const step of s.plan) results.push(await e2e.call(step.tool, step.arguments));
      const again = await e2e.call('compare_user_access', { userId: x, modelUserId: max });
      // Observed (finding): the step succeeds and Visier has the user in the group, but the second compare says
      // "differs in 1 item; 0 steps would make them match" (membership kind "added by hand" vs "all-users rule"
      // counted as a difference, same access, no unplanned entry saying why).
      expect({
        steps: s.plan.map((p) => p.tool),
        failed: results.filter((r) => r.isError).map(textOf),
        memberInVisier: suite.sandbox
          .snapshot()
          .userGroups.find((g) => g.userGroupId === DEMO_GROUPS.allEmployees.userGroupId)
          ?.memberIds.includes(x),
        again: textOf(again),
        differences: (again.structuredContent as { differences: number }).differences,
      }).toMatchObject({ failed: [], differences: 0, memberInVisier: true });
    });
  });
});
