import { PassThrough } from 'node:stream';
import type { CallToolResult } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImpactPreview } from '../../src/contract/tool.js';
import type { VisierClient } from '../../src/providers/visier/client.js';
import { DEMO_GROUPS, DEMO_PERMISSIONS, type SandboxHandle, startSandbox } from '../../src/sandbox/index.js';
import { CONFIRMATION_META_KEY } from '../../src/server.js';
import { changeRequests, dataRequests, textOf } from '../guards/e2e-harness.js';
import { connectStack, type Stack } from '../support/mcp-stack.js';
import { clientFor } from '../visier/harness.js';

// What an access change does to each person, counted over every path that gives them a permission, and what a
// preview of many people costs in Visier calls. Through an SDK client, the guard and the real client, against the
// sandbox; the preview is the one the token flow returns.

// Granted by no demo group, so the paths the test opens are the only ones.
const PAYROLL = DEMO_PERMISSIONS.payrollAuditor;
const ADMIN = DEMO_PERMISSIONS.admin;
const USERS = 500;
const ref = (p: { permissionId: string; displayName: string }) => `"${p.displayName}" (${p.permissionId})`;

let sandbox: SandboxHandle;
let outsider: VisierClient;
let stack: Stack;

beforeAll(async () => {
  sandbox = await startSandbox({ rateLimit: false, users: USERS });
  outsider = clientFor(sandbox);
  stack = await connectStack(sandbox, {
    client: { name: 'access-effects-test', version: '1' },
    guard: { confirmSecret: 'access-effects-secret-0123', audit: { stream: new PassThrough().resume() } },
  });
});

afterAll(async () => {
  await stack.close();
  await outsider.close();
  await sandbox.close();
});

async function previewOf(
  tool: string,
  args: Record<string, unknown>,
): Promise<{ preview: ImpactPreview; token: string; text: string; visierCalls: number }> {
  sandbox.clearRequests();
  const first = await stack.call(tool, args);
  const meta = first._meta?.[CONFIRMATION_META_KEY] as { preview: ImpactPreview; confirmationToken: string };
  expect(meta, textOf(first)).toBeDefined();
  expect(changeRequests(sandbox)).toEqual([]);
  return {
    preview: meta.preview,
    token: meta.confirmationToken,
    text: textOf(first),
    visierCalls: dataRequests(sandbox).length,
  };
}

async function confirmed(tool: string, args: Record<string, unknown>): Promise<CallToolResult> {
  const { token } = await previewOf(tool, args);
  const result = await stack.call(tool, { ...args, confirmationToken: token });
  expect(result.isError, textOf(result)).toBeFalsy();
  return result;
}

/** A new account holding nothing, so its lines say exactly what the test gives it. */
async function newUser(name: string): Promise<string> {
  return (await outsider.createUser({ username: `${name}@effects.example`, displayName: name })).userId;
}

async function newGroup(displayName: string, permissionIds: string[], members: string[]): Promise<string> {
  const created = await outsider.createUserGroups([
    { displayName, permissionIds, users: { manuallyIncludedIds: members } },
  ]);
  return created.successes[0]?.userGroupId as string;
}

/** The demo group every user is in (all users). */
const ALL_EMPLOYEES = `"${DEMO_GROUPS.allEmployees.displayName}" (${DEMO_GROUPS.allEmployees.userGroupId})`;
/** `user groups:` as a preview writes it: groups by id. */
const groupsLine = (...groups: [id: string, ref: string][]) =>
  `user groups: ${groups
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([, r]) => r)
    .join(', ')}`;

const userTarget = (preview: ImpactPreview, userId: string) =>
  preview.targets.find((t) => t.kind === 'user' && t.id === userId);

describe('effective change per person, over every path', () => {
  it('a permission held directly and through two groups is lost only when the change closes all three', async () => {
    const dana = await newUser('Dana Paths');
    const north = await newGroup('North Analysts', [PAYROLL.permissionId], [dana]);
    const south = await newGroup('South Analysts', [PAYROLL.permissionId], [dana]);
    await outsider.assignPermissionsToUsers([{ permissionId: PAYROLL.permissionId, userIds: [dana] }]);
    const northRef = `"North Analysts" (${north})`;
    const southRef = `"South Analysts" (${south})`;

    const leaveNorth = await previewOf('remove_users_from_group', { userGroupId: north, userIds: [dana] });
    const danaNow = userTarget(leaveNorth.preview, dana);
    expect(danaNow?.before).toEqual([
      'identity: "Dana Paths@effects.example" name "Dana Paths" enabled',
      groupsLine([north, northRef], [south, southRef], [DEMO_GROUPS.allEmployees.userGroupId, ALL_EMPLOYEES]),
      expect.stringContaining(`${ref(PAYROLL)} directly and through group ${northRef} and through group ${southRef}`),
    ]);
    expect(danaNow?.after).toEqual([`still holds ${ref(PAYROLL)} directly and through group ${southRef}`]);

    const revokeDirect = await previewOf('remove_permissions_from_users', {
      permissionIds: [PAYROLL.permissionId],
      userIds: [dana],
    });
    expect(userTarget(revokeDirect.preview, dana)?.after).toEqual([
      `still holds ${ref(PAYROLL)} through group ${northRef} and through group ${southRef}`,
    ]);

    const ungrantSouth = await previewOf('remove_permissions_from_group', {
      userGroupId: south,
      permissionIds: [PAYROLL.permissionId],
    });
    expect(userTarget(ungrantSouth.preview, dana)?.after).toEqual([
      `still holds ${ref(PAYROLL)} directly and through group ${northRef}`,
    ]);

    // Close two paths for real; the third is then the last.
    await confirmed('remove_users_from_group', { userGroupId: north, userIds: [dana] });
    await confirmed('remove_users_from_group', { userGroupId: south, userIds: [dana] });
    const lastPath = await previewOf('remove_permissions_from_users', {
      permissionIds: [PAYROLL.permissionId],
      userIds: [dana],
    });
    expect(userTarget(lastPath.preview, dana)?.before?.[1]).toBe(`user groups: ${ALL_EMPLOYEES}`);
    expect(userTarget(lastPath.preview, dana)?.before?.[2]).toContain(`${ref(PAYROLL)} directly`);
    expect(userTarget(lastPath.preview, dana)?.after).toEqual([`can no longer use ${ref(PAYROLL)}`]);
    expect(userTarget(lastPath.preview, dana)?.change).toBe(
      `no longer given ${ref(PAYROLL)} directly; can no longer use ${ref(PAYROLL)}`,
    );
  });

  it('a privileged permission newly held through a group is flagged, named first; one already held is not', async () => {
    const lee = await newUser('Lee Escalates');
    const sam = await newUser('Sam Holds');
    await outsider.assignPermissionsToUsers([{ permissionId: ADMIN.permissionId, userIds: [sam] }]);
    const ops = await newGroup('Ops Console', [ADMIN.permissionId, PAYROLL.permissionId], []);

    const joining = await previewOf('add_users_to_group', { userGroupId: ops, userIds: [lee, sam] });
    expect(joining.preview.privilegedGrants).toEqual([ADMIN.displayName]);
    expect(userTarget(joining.preview, lee)?.after).toEqual([`can newly use ${ref(ADMIN)}, ${ref(PAYROLL)}`]);
    expect(userTarget(joining.preview, lee)?.elevated).toEqual([
      `joins a group granting privileged "${ADMIN.displayName}"`,
    ]);
    // Sam holds Admin directly already: joining gives Sam Headcount only, nothing privileged.
    expect(userTarget(joining.preview, sam)?.after).toEqual([`can newly use ${ref(PAYROLL)}`]);
    expect(userTarget(joining.preview, sam)?.elevated).toBeUndefined();
    expect(joining.text).toMatch(/PRIVILEGED: grants Admin \(Full Access\)/);

    // Granting Admin to a group its members are in: the group says so, each member's line says what they get.
    const quiet = await newGroup('Quiet Readers', [PAYROLL.permissionId], [lee]);
    const grant = await previewOf('assign_permissions_to_group', {
      userGroupId: quiet,
      permissionIds: [ADMIN.permissionId],
    });
    expect(grant.preview.privilegedGrants).toEqual([ADMIN.displayName]);
    expect(grant.preview.targets.find((t) => t.id === quiet)?.elevated).toEqual([
      `grants privileged "${ADMIN.displayName}" to 1 user`,
    ]);
    expect(userTarget(grant.preview, lee)?.after).toEqual([`can newly use ${ref(ADMIN)}`]);
  });
});

describe('a preview of 120 people costs the directory snapshot, not a call per person', () => {
  it('adding 120 users to a group: four reads to preview, the same four to re-check, then the change', async () => {
    const group = await newGroup('Onboarding Cohort', [PAYROLL.permissionId], []);
    const userIds = sandbox
      .snapshot()
      .users.slice(100, 220)
      .map((u) => u.userId);
    const { preview, token, visierCalls } = await previewOf('add_users_to_group', { userGroupId: group, userIds });
    expect(preview.targets.filter((t) => t.kind === 'user' && !t.missing)).toHaveLength(120);
    // A page of groups, the permission catalogue, the two assignment reports: the same for 1 person or 120.
    expect(visierCalls).toBe(4);
    expect(dataRequests(sandbox).map((r) => r.path.replace(/\?.*$/, ''))).toEqual([
      '/v2/admin/user-groups',
      '/v1/admin/permissions',
      '/v1/admin/users/reports/permission-assignments',
      '/v1/admin/users/reports/profile-assignments',
    ]);

    sandbox.clearRequests();
    const acted = await stack.call('add_users_to_group', { userGroupId: group, userIds, confirmationToken: token });
    expect(acted.isError, textOf(acted)).toBeFalsy();
    // The re-check reads the same four live; the change goes out in two requests of at most 100 users.
    expect(dataRequests(sandbox).filter((r) => r.method === 'GET')).toHaveLength(4);
    expect(changeRequests(sandbox)).toHaveLength(2);
  });
});
