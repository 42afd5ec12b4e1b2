import { PassThrough } from 'node:stream';
import type { CallToolResult } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { withReadCache } from '../../src/providers/visier/cache.js';
import type { VisierClient } from '../../src/providers/visier/client.js';
import {
  DEMO_GROUPS,
  DEMO_PERMISSIONS,
  DEMO_PROFILES,
  DEMO_USERS,
  type SandboxHandle,
  startSandbox,
} from '../../src/sandbox/index.js';
import { DEMO_EPOCH } from '../../src/sandbox/visier/demo-data.js';
import { validityOf } from '../../src/tools/visier/access-paths.js';
import { TOOLS } from '../../src/tools/visier/index.js';
import { dataRequests } from '../guards/e2e-harness.js';
import { connectStack, type Stack } from '../support/mcp-stack.js';
import { clientFor } from '../visier/harness.js';

// explain_user_access, compare_user_access and review_access through an SDK client, against the sandbox over
// HTTP, with the read cache the CLI puts in front of Visier: exact answers for people set up through the API,
// the plans they give run as they are, and the Visier calls each answer costs.

const P = DEMO_PERMISSIONS;
const G = DEMO_GROUPS;
const DAY_MS = 86_400_000;

let sandbox: SandboxHandle;
let outsider: VisierClient;
let stack: Stack;
const asked: string[] = [];
/** Set up through the API before the first answer: */
let lee: string; // Compensation Analyst directly AND through two groups; Data Connector Admin directly
let pat: string; // disabled; Data Connector Admin directly
let sam: string; // the model user compare copies
let spareGroup: string; // grants Data Connector Admin, nobody in it
let payrollOps: string; // grants Payroll Auditor and the privileged Admin (Full Access)

const call = async (name: string, args: Record<string, unknown>) => stack.call(name, args);
const textOf = (result: CallToolResult) =>
  result.content.map((part) => (part.type === 'text' ? part.text : '')).join('\n');
const structured = (result: CallToolResult) => {
  expect(result.isError, textOf(result)).toBeFalsy();
  return result.structuredContent as Record<string, unknown>;
};

beforeAll(async () => {
  sandbox = await startSandbox({ rateLimit: false, users: 40, seed: 11 });
  outsider = clientFor(sandbox);
  lee = (await outsider.createUser({ username: 'lee.park@wff-demo.example', displayName: 'Lee Park' })).userId;
  pat = (await outsider.createUser({ username: 'pat.gone@wff-demo.example', displayName: 'Pat Gone' })).userId;
  sam = (await outsider.createUser({ username: 'sam.model@wff-demo.example', displayName: 'Sam Model' })).userId;
  await outsider.updateUser(pat, { accountEnabled: false });
  await outsider.assignPermissionsToUsers([
    { permissionId: P.compensation.permissionId, userIds: [lee] },
    { permissionId: P.dataConnectorAdmin.permissionId, userIds: [lee, pat] },
    { permissionId: P.payrollAuditor.permissionId, userIds: [sam] },
  ]);
  await outsider.addUsersToGroups([
    { userGroupId: G.hrBusinessPartners.userGroupId, userIds: [lee] },
    { userGroupId: G.financePlanning.userGroupId, userIds: [lee] },
    { userGroupId: G.recruitingTeam.userGroupId, userIds: [sam] },
    { userGroupId: G.salesAnalysts.userGroupId, userIds: [sam] },
  ]);
  const created = await outsider.createUserGroups([
    { displayName: 'Connector Spare', permissionIds: [P.dataConnectorAdmin.permissionId] },
    { displayName: 'Payroll Ops', permissionIds: [P.payrollAuditor.permissionId, P.admin.permissionId] },
  ]);
  [spareGroup, payrollOps] = created.successes.map((s) => s.userGroupId as string) as [string, string];

  stack = await connectStack(sandbox, {
    client: { name: 'access-answers-test', version: '1' },
    guard: { confirmSecret: 'access-answers-test-secret', audit: { stream: new PassThrough().resume() } },
    wrapVisier: (client) => {
      const cached = withReadCache(client, { ttlMs: 600_000 });
      return { api: cached, liveApi: cached.live };
    },
    // A person who reads each approval form and says yes.
    elicit: async ({ message }) => {
      asked.push(message);
      return { action: 'accept', content: { confirm: true } };
    },
  });
});

afterAll(async () => {
  await stack.close();
  await outsider.close();
  await sandbox.close();
});

const group = (g: { userGroupId: string; displayName: string }, kind: string) => ({
  via: 'group',
  userGroupId: g.userGroupId,
  displayName: g.displayName,
  kind,
});

describe('explain_user_access', () => {
  it('names every path to every permission: a direct grant and two groups at once; cold once, then 0 calls', async () => {
    sandbox.clearRequests();
    const cold = structured(await call('explain_user_access', { userId: lee }));
    // One group page, the permission catalogue, and the two assignment reports: the whole directory.
    expect(dataRequests(sandbox).map((r) => r.path)).toEqual([
      '/v2/admin/user-groups',
      '/v1/admin/permissions',
      '/v1/admin/users/reports/permission-assignments',
      '/v1/admin/users/reports/profile-assignments',
    ]);
    sandbox.clearRequests();
    const warm = await call('explain_user_access', { userId: 'Lee Park' });
    expect(dataRequests(sandbox)).toEqual([]);
    expect(warm.structuredContent).toEqual(cold);

    expect(cold.user).toMatchObject({ userId: lee, username: 'lee.park@wff-demo.example', displayName: 'Lee Park' });
    expect(cold.permissions).toEqual([
      {
        ...P.compensation,
        privileged: false,
        paths: [{ via: 'direct' }, group(G.hrBusinessPartners, 'by-hand'), group(G.financePlanning, 'by-hand')],
      },
      { ...P.dataConnectorAdmin, privileged: true, paths: [{ via: 'direct' }] },
      { ...P.financePlanner, privileged: false, paths: [group(G.financePlanning, 'by-hand')] },
      { ...P.headcount, privileged: false, paths: [group(G.allEmployees, 'all-users')] },
      { ...P.hrBusinessPartner, privileged: false, paths: [group(G.hrBusinessPartners, 'by-hand')] },
    ]);
    expect((cold.groups as { userGroupId: string; kind: string }[]).map((g) => [g.userGroupId, g.kind])).toEqual([
      [G.allEmployees.userGroupId, 'all-users'],
      [G.financePlanning.userGroupId, 'by-hand'],
      [G.hrBusinessPartners.userGroupId, 'by-hand'],
    ]);
    expect(cold.profiles).toEqual([]);
    const text = textOf(warm);
    expect(text).toContain(
      `User ${lee}: 5 permissions (1 privileged), 3 groups, 0 profiles; directory as of ${cold.asOf}`,
    );
    expect(text).toContain(
      `permission "Compensation Analyst" (${P.compensation.permissionId}): direct; group "HR Business Partners" (${G.hrBusinessPartners.userGroupId}), added by hand; group "Finance Planning" (${G.financePlanning.userGroupId}), added by hand`,
    );
    expect(text).toContain(`"Data Connector Admin" (${P.dataConnectorAdmin.permissionId}) [privileged]: direct`);
  });

  it('says first that a disabled account has nothing apply, and plans re-enabling it', async () => {
    const everything = await call('explain_user_access', { userId: 'pat.gone@wff-demo.example' });
    expect(textOf(everything).split('\n')[1]).toBe(
      "Account disabled: Visier applies none of this user's access until the account is re-enabled.",
    );
    const one = await call('explain_user_access', { userId: pat, permission: 'data connector admin' });
    expect(structured(one)).toMatchObject({
      holds: true,
      applies: false,
      paths: [{ via: 'direct' }],
      plan: [{ tool: 'update_user', arguments: { userId: pat, accountEnabled: true } }],
    });
    expect(textOf(one).split('\n')[1]).toMatch(new RegExp(`^No: the account of user ${pat} is disabled`));
  });

  it('profiles with their validity', async () => {
    const dana = structured(await call('explain_user_access', { userId: DEMO_USERS.dana.userId }));
    expect(dana.profiles).toEqual([
      { ...DEMO_PROFILES.analyst, validityStartTime: String(Date.UTC(2025, 0, 1)), validity: 'valid' },
    ]);
    // The sandbox cannot give an assignment an end yet; the rule itself, on Visier's epoch-millisecond times:
    const now = Date.UTC(2026, 5, 1);
    const ms = (y: number, m: number) => String(Date.UTC(y, m, 1));
    expect(
      [
        { profileId: 'a', validityStartTime: ms(2025, 0), validityEndTime: ms(2026, 0) },
        { profileId: 'b', validityStartTime: ms(2027, 0) },
        { profileId: 'c', validityStartTime: ms(2025, 0), validityEndTime: ms(2027, 0) },
        { profileId: 'd', validityEndTime: '2026-06-01T00:00:00Z' },
      ].map((p) => validityOf(p, now)),
    ).toEqual(['expired', 'not-yet-valid', 'valid', 'expired']);
  });

  it('yes, with the paths, for a permission held', async () => {
    const yes = await call('explain_user_access', {
      userId: lee,
      permission: P.compensation.displayName.toUpperCase(),
    });
    expect(structured(yes)).toMatchObject({
      permission: { ...P.compensation, privileged: false },
      holds: true,
      applies: true,
      paths: [{ via: 'direct' }, group(G.hrBusinessPartners, 'by-hand'), group(G.financePlanning, 'by-hand')],
      plan: [],
    });
    expect(textOf(yes).split('\n')[1]).toMatch(
      new RegExp(`^Yes: user ${lee} holds permission ${P.compensation.permissionId} \\(3 paths\\)`),
    );
  });

  it('no, and the smallest change: the group granting the fewest other permissions, which then answers yes', async () => {
    const dana = DEMO_USERS.dana.userId;
    const no = structured(await call('explain_user_access', { userId: dana, permission: 'Compensation Analyst' }));
    // Finance Planning and HR Business Partners each grant one more permission; neither is privileged; by name.
    expect(no).toMatchObject({
      holds: false,
      applies: false,
      paths: [],
      grantingGroups: [
        { userGroupId: G.hrBusinessPartners.userGroupId, displayName: G.hrBusinessPartners.displayName },
        { userGroupId: G.financePlanning.userGroupId, displayName: G.financePlanning.displayName },
      ],
    });
    expect(no.plan).toEqual([
      {
        tool: 'add_users_to_group',
        arguments: { userGroupId: G.financePlanning.userGroupId, userIds: [dana] },
        why: `group "Finance Planning" (${G.financePlanning.userGroupId}) grants "Compensation Analyst" (${P.compensation.permissionId}), and also "Finance Planner" (${P.financePlanner.permissionId})`,
      },
    ]);
    await runPlan(no.plan as Step[]);
    const yes = structured(
      await call('explain_user_access', { userId: dana, permission: P.compensation.permissionId }),
    );
    expect(yes).toMatchObject({ holds: true, applies: true, paths: [group(G.financePlanning, 'by-hand')] });
  });

  it('a direct grant when every group granting it also grants a privileged permission the user lacks', async () => {
    const dana = DEMO_USERS.dana.userId;
    const answer = structured(await call('explain_user_access', { userId: dana, permission: 'Payroll Auditor' }));
    expect(answer.grantingGroups).toEqual([{ userGroupId: payrollOps, displayName: 'Payroll Ops' }]);
    expect(answer.plan).toEqual([
      {
        tool: 'assign_permissions_to_users',
        arguments: { permissionIds: [P.payrollAuditor.permissionId], userIds: [dana] },
        why: 'every group that grants it (and adds people by hand) also grants another privileged permission the user lacks',
      },
    ]);
    expectAccepted(answer.plan as Step[]);
  });

  it('asks which user when several match, and names the field for an unknown permission', async () => {
    sandbox.clearRequests();
    const several = await call('explain_user_access', { userId: 'wff-demo.example' });
    expect(several.isError).toBeFalsy();
    expect(several.structuredContent).toMatchObject({ ambiguous: 'userId' });
    expect((several.structuredContent as { candidates: unknown[] }).candidates).toHaveLength(20);
    expect(textOf(several)).toContain('userId names 43 users (the first 20 below; be more specific): ask which one');
    expect(textOf(several)).toMatch(/Nothing else was answered; directory as of \S+ \(\d+ s old\)\./);
    const nobody = await call('explain_user_access', { userId: 'nobody-at-all' });
    expect(nobody.isError).toBe(true);
    expect(textOf(nobody)).toMatch(
      /^userId: no user has this userId, or a username, email, employee id or display name/m,
    );
    const unknown = await call('explain_user_access', { userId: lee, permission: 'Compensation' });
    expect(unknown.isError).toBe(true);
    expect(textOf(unknown)).toMatch(/^permission: no permission has this id or display name/m);
    expect(dataRequests(sandbox)).toEqual([]);
  });
});

describe('where an answer reads and its plan acts', () => {
  it('the tenant and project asked about: the snapshot is read there and every step carries them', async () => {
    const secondary = sandbox.tenants.secondary;
    const created = structured(await call('create_project', { name: 'Answers test', tenantCode: secondary }));
    const projectId = (created.project as { projectId: string }).projectId;
    sandbox.clearRequests();
    const answer = structured(
      await call('explain_user_access', {
        userId: 'sandbox.admin@wff-demo.example',
        permission: P.compensation.displayName,
        tenantCode: secondary,
        projectId,
      }),
    );
    const reads = dataRequests(sandbox);
    expect(reads.length).toBeGreaterThan(0);
    expect(reads.every((r) => r.tenant === secondary)).toBe(true);
    const plan = answer.plan as Step[];
    expect(plan).toHaveLength(1);
    expect(plan[0]?.arguments).toMatchObject({ tenantCode: secondary, projectId });
    expectAccepted(plan);
  });
});

type Step = { tool: string; arguments: Record<string, unknown>; why: string };

/** Every step names a change tool, and that tool's strict schema takes its arguments as they are. */
function expectAccepted(plan: Step[]) {
  for (const step of plan) {
    const tool = TOOLS.find((t) => t.name === step.tool);
    expect(tool?.classification, step.tool).not.toBe('read');
    expect(() => z.strictObject(tool?.inputSchema ?? {}).parse(step.arguments)).not.toThrow();
  }
}

/** Runs a plan's steps as they are, each approved by a person. */
async function runPlan(plan: Step[]) {
  expectAccepted(plan);
  const before = asked.length;
  for (const step of plan) {
    const result = await call(step.tool, step.arguments);
    expect(result.isError, textOf(result)).toBeFalsy();
  }
  expect(asked.length - before).toBe(plan.length);
}

describe('compare_user_access', () => {
  it('lists both sides and a plan that, run as it is, leaves no difference', async () => {
    const first = structured(await call('compare_user_access', { userId: lee, modelUserId: 'Sam Model' }));
    expect(first.groups).toEqual([
      { ...ref(G.allEmployees), user: 'all-users rule', model: 'all-users rule' },
      { ...ref(G.financePlanning), user: 'added by hand' },
      { ...ref(G.hrBusinessPartners), user: 'added by hand' },
      { ...ref(G.recruitingTeam), model: 'added by hand' },
      { ...ref(G.salesAnalysts), model: 'added by hand' },
    ]);
    expect(first.directPermissions).toEqual([
      { id: P.compensation.permissionId, displayName: P.compensation.displayName, user: 'direct' },
      { id: P.dataConnectorAdmin.permissionId, displayName: P.dataConnectorAdmin.displayName, user: 'direct' },
      { id: P.payrollAuditor.permissionId, displayName: P.payrollAuditor.displayName, model: 'direct' },
    ]);
    expect(first.differences).toBe(7);
    expect(first.unplanned).toEqual([]);
    expect((first.plan as Step[]).map((s) => [s.tool, s.arguments])).toEqual([
      ['add_users_to_group', { userGroupId: G.recruitingTeam.userGroupId, userIds: [lee] }],
      ['add_users_to_group', { userGroupId: G.salesAnalysts.userGroupId, userIds: [lee] }],
      ['assign_permissions_to_users', { permissionIds: [P.payrollAuditor.permissionId], userIds: [lee] }],
      [
        'remove_permissions_from_users',
        { permissionIds: [P.compensation.permissionId, P.dataConnectorAdmin.permissionId], userIds: [lee] },
      ],
      ['remove_users_from_group', { userGroupId: G.financePlanning.userGroupId, userIds: [lee] }],
      ['remove_users_from_group', { userGroupId: G.hrBusinessPartners.userGroupId, userIds: [lee] }],
    ]);

    await runPlan(first.plan as Step[]);
    const after = structured(await call('compare_user_access', { userId: lee, modelUserId: sam }));
    expect(after).toMatchObject({ differences: 0, plan: [], unplanned: [] });
    sandbox.clearRequests();
    expect(textOf(await call('compare_user_access', { userId: lee, modelUserId: sam }))).toContain(
      `User ${lee} already has the access of user ${sam}: no difference`,
    );
    expect(dataRequests(sandbox)).toEqual([]);
  });

  it('a disabled user gets re-enabled first, and a profile the model holds is given with its window', async () => {
    const answer = structured(await call('compare_user_access', { userId: pat, modelUserId: DEMO_USERS.dana.userId }));
    const plan = answer.plan as Step[];
    // Dana joined Finance Planning through the smallest-change plan above.
    expect(answer.differences).toBe(6);
    expect(answer.unplanned).toEqual([]);
    expect(plan.map((s) => [s.tool, s.arguments])).toEqual([
      ['update_user', { userId: pat, accountEnabled: true }],
      ['add_users_to_group', { userGroupId: G.financePlanning.userGroupId, userIds: [pat] }],
      ['add_users_to_group', { userGroupId: G.salesAnalysts.userGroupId, userIds: [pat] }],
      ['assign_permissions_to_users', { permissionIds: [P.headcount.permissionId], userIds: [pat] }],
      // Dana's assignment of Analyst starts 2025-01-01 and has no end: the step copies that window.
      [
        'assign_profile',
        { profileId: DEMO_PROFILES.analyst.profileId, userIds: [pat], validityStartTime: '1735689600000' },
      ],
      ['remove_permissions_from_users', { permissionIds: [P.dataConnectorAdmin.permissionId], userIds: [pat] }],
    ]);
    expectAccepted(plan);
  });
});

const ref = (g: { userGroupId: string; displayName: string }) => ({ id: g.userGroupId, displayName: g.displayName });

describe('review_access', () => {
  // Dana signed in two hours before the demo epoch; a window reaching past it keeps her active whatever the date.
  const inactiveDays = Math.max(1, Math.ceil((Date.now() - DEMO_EPOCH) / DAY_MS) + 30);

  it('a permission: its holders, the findings for the whole scope, paged', async () => {
    const connector = P.dataConnectorAdmin.permissionId;
    await runPlan([
      {
        tool: 'add_users_to_group',
        arguments: { userGroupId: payrollOps, userIds: [DEMO_USERS.dana.userId] },
        why: '',
      },
      {
        tool: 'assign_permissions_to_group',
        arguments: { userGroupId: payrollOps, permissionIds: [connector] },
        why: '',
      },
    ]);
    sandbox.clearRequests();
    const first = structured(await call('review_access', { permissionId: connector, inactiveDays, limit: 2 }));
    // The changes above cleared the read cache: one fill (groups, catalogue, two reports), then nothing more.
    expect(dataRequests(sandbox)).toHaveLength(4);
    expect(first.findings).toEqual({
      users: 2,
      disabledWithAccess: 1,
      inactiveWithAccess: 1,
      privilegedDirect: 1,
      emptyGroups: 1,
      inNoGroup: 0,
    });
    expect(first.emptyGroups).toEqual([{ userGroupId: spareGroup, displayName: 'Connector Spare' }]);
    expect((first.users as { userId: string; findings: string[] }[]).map((u) => [u.userId, u.findings])).toEqual([
      [pat, ['disabled-with-access', 'inactive-with-access', 'privileged-direct']],
    ]);
    sandbox.clearRequests();
    const second = structured(
      await call('review_access', { permissionId: connector, inactiveDays, limit: 2, cursor: first.nextCursor }),
    );
    expect(dataRequests(sandbox)).toEqual([]);
    expect(second.findings).toBeUndefined();
    expect(second.nextCursor).toBeUndefined();
    expect(
      (second.users as { userId: string; permissions: unknown[] }[]).map((u) => [u.userId, u.permissions]),
    ).toEqual([[DEMO_USERS.dana.userId, [{ ...P.dataConnectorAdmin, privileged: true, via: [payrollOps] }]]]);
  });

  it('the tenant: pages within the size cap that account for every user once, counts on the first', async () => {
    const small = await connectStack(sandbox, {
      client: { name: 'access-answers-small', version: '1' },
      guard: { confirmSecret: 'access-answers-test-secret', audit: { stream: new PassThrough().resume() } },
      server: { maxResultChars: 3_000 },
    });
    try {
      const truth = sandbox.snapshot();
      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const answer = await small.call('review_access', { inactiveDays, ...(cursor ? { cursor } : {}) });
        const data = structured(answer);
        expect(textOf(answer).length).toBeLessThanOrEqual(3_000);
        if (pages === 0) {
          expect(data.findings).toMatchObject({
            users: truth.users.length,
            disabledWithAccess: truth.users.filter((u) => !u.accountEnabled).length,
            inNoGroup: 0,
          });
        } else expect(data.findings).toBeUndefined();
        seen.push(...(data.users as { userId: string }[]).map((u) => u.userId));
        cursor = data.nextCursor as string | undefined;
        pages++;
      } while (cursor);
      expect(pages).toBeGreaterThan(3);
      expect(seen.sort()).toEqual(truth.users.map((u) => u.userId).sort());
    } finally {
      await small.close();
    }
  });

  it('a group: its members, or none, and the group itself when empty', async () => {
    const empty = structured(await call('review_access', { userGroupId: spareGroup }));
    expect(empty).toMatchObject({
      scope: { kind: 'user-group', id: spareGroup, displayName: 'Connector Spare' },
      findings: { users: 0, emptyGroups: 1 },
      emptyGroups: [{ userGroupId: spareGroup, displayName: 'Connector Spare' }],
      users: [],
    });
    const ops = structured(await call('review_access', { userGroupId: payrollOps, inactiveDays }));
    expect((ops.users as { userId: string }[]).map((u) => u.userId)).toEqual([DEMO_USERS.dana.userId]);
    expect(ops.findings).toMatchObject({ users: 1, emptyGroups: 0, inNoGroup: 0 });
  });

  it('names the field for a scope that does not exist or is given twice', async () => {
    const both = await call('review_access', { userGroupId: spareGroup, permissionId: P.admin.permissionId });
    expect(textOf(both)).toMatch(/^permissionId: give userGroupId or permissionId, not both/m);
    const missing = await call('review_access', { userGroupId: 'no-such-group' });
    expect(textOf(missing)).toMatch(/^userGroupId: no user group has this id/m);
  });
});

// Last: it adds users and profile holders the tenant-wide counts above do not expect.
describe('compare_user_access: profiles', () => {
  it('plans assign_profile with the model window and remove_profile; run as it is, it leaves no difference', async () => {
    const start = String(Date.UTC(2026, 0, 1));
    const end = String(Date.UTC(2099, 0, 1));
    const kit = (await outsider.createUser({ username: 'kit.copy@wff-demo.example', displayName: 'Kit Copy' })).userId;
    const rio = (await outsider.createUser({ username: 'rio.model@wff-demo.example', displayName: 'Rio Model' }))
      .userId;
    // Given through the server, approved: the change also refreshes its cached directory, which now has Kit and Rio.
    await runPlan([
      { tool: 'assign_profile', arguments: { profileId: DEMO_PROFILES.analyst.profileId, userIds: [kit] }, why: '' },
      {
        tool: 'assign_profile',
        arguments: {
          profileId: DEMO_PROFILES.manager.profileId,
          userIds: [rio],
          validityStartTime: start,
          validityEndTime: end,
        },
        why: '',
      },
    ]);
    const first = structured(await call('compare_user_access', { userId: kit, modelUserId: rio }));
    expect(first.profiles).toEqual([
      { id: DEMO_PROFILES.analyst.profileId, displayName: 'Analyst', user: 'valid' },
      { id: DEMO_PROFILES.manager.profileId, displayName: 'Manager', model: 'valid' },
    ]);
    expect(first).toMatchObject({ differences: 2, unplanned: [] });
    const plan = first.plan as Step[];
    expect(plan.map((s) => [s.tool, s.arguments])).toEqual([
      [
        'assign_profile',
        { profileId: DEMO_PROFILES.manager.profileId, userIds: [kit], validityStartTime: start, validityEndTime: end },
      ],
      ['remove_profile', { profileId: DEMO_PROFILES.analyst.profileId, userIds: [kit] }],
    ]);
    await runPlan(plan);
    const after = structured(await call('compare_user_access', { userId: kit, modelUserId: rio }));
    expect(after).toMatchObject({
      differences: 0,
      plan: [],
      unplanned: [],
      profiles: [{ id: DEMO_PROFILES.manager.profileId, displayName: 'Manager', user: 'valid', model: 'valid' }],
    });
    const held = await outsider.getUserProfiles(kit);
    expect(held.map((p) => [p.profileId, p.validityStartTime, p.validityEndTime])).toEqual([
      [DEMO_PROFILES.manager.profileId, start, end],
    ]);
  });
});
