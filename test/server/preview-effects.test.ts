import { PassThrough } from 'node:stream';
import { type CallToolResult, Client, InMemoryTransport } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import type { ImpactPreview } from '../../src/contract/tool.js';
import type { CallOptions } from '../../src/providers/visier/api.js';
import type { VisierClient } from '../../src/providers/visier/client.js';
import { loadDirectory } from '../../src/providers/visier/directory.js';
import {
  DEMO_GROUPS,
  DEMO_PERMISSIONS,
  DEMO_USERS,
  type SandboxHandle,
  startSandbox,
} from '../../src/sandbox/index.js';
import { CONFIRMATION_META_KEY } from '../../src/server.js';
import { callContext } from '../../src/server-context.js';
import type { ToolContext } from '../../src/tools/visier/define.js';
import { privilegedPolicy } from '../../src/tools/visier/privileged.js';
import { visierProvider } from '../../src/tools/visier/provider.js';
import { updateUser } from '../../src/tools/visier/users.js';
import { startRuntimeForTest } from '../e2e/http-runtime.js';
import { dataRequests, previewCall, textOf } from '../guards/e2e-harness.js';
import { connectStack, type Stack } from '../support/mcp-stack.js';
import { clientFor } from '../visier/harness.js';

// What the change tools' previews tell the guard and the human, read from the sandbox over real HTTP.

const ADMIN = DEMO_PERMISSIONS.admin;
const USERS = 40;

let sandbox: SandboxHandle;
let client: VisierClient;
let stack: Stack;

beforeAll(async () => {
  sandbox = await startSandbox({ rateLimit: false, users: USERS, seed: 5 });
  client = clientFor(sandbox);
  stack = await connectStack(sandbox, {
    client: { name: 'preview-effects-test', version: '1' },
    guard: { confirmSecret: 'preview-effects-secret-0123', audit: { stream: new PassThrough().resume() } },
  });
});

afterAll(async () => {
  await stack.close();
  await client.close();
  await sandbox.close();
});

/** The preview a client without elicitation receives, and how many Visier requests it cost. */
const previewOf = async (
  call: (name: string, args: Record<string, unknown>) => Promise<CallToolResult>,
  tool: string,
  args: Record<string, unknown>,
) => {
  const issued = await previewCall(sandbox, call, tool, args);
  return { ...issued, visierCalls: issued.reads.length };
};

const toolContext = (args: Record<string, unknown>): ToolContext =>
  callContext(
    { api: client, provider: visierProvider, maxResultChars: 20_000, defaultTenant: sandbox.tenants.primary },
    args,
    { mcpReq: { signal: new AbortController().signal, notify: async () => {}, log: async () => {} } },
  ) as ToolContext;

async function newGroup(displayName: string, permissionIds: string[], members: string[]): Promise<string> {
  const created = await client.createUserGroups([
    { displayName, permissionIds, users: { manuallyIncludedIds: members } },
  ]);
  return created.successes[0]?.userGroupId as string;
}

const userAt = (index: number) => sandbox.snapshot().users[index] as { userId: string; username: string };

describe('privileged permissions', () => {
  it('by default: all or administrative capabilities, or an administrative name; the operator list replaces it', async () => {
    const policy = privilegedPolicy();
    const catalogue = await client.listPermissions({ includeDetails: true });
    // Admin by its capabilities (and name); the connector admin by its name alone.
    expect(catalogue.filter((p) => policy.isPrivileged(p)).map((p) => p.displayName)).toEqual([
      ADMIN.displayName,
      'Data Connector Admin',
    ]);
    const plain = { permissionId: 'p1', displayName: 'Sales Viewer' };
    expect(policy.isPrivileged(plain)).toBe(false);
    expect(
      policy.isPrivileged({ ...plain, details: { adminCapabilityConfig: { capabilities: ['UserManagement'] } } }),
    ).toBe(true);
    expect(policy.isPrivileged({ ...plain, details: { adminCapabilityConfig: { capabilities: ['Data'] } } })).toBe(
      false,
    );
    expect(policy.isPrivileged({ permissionId: 'p2', displayName: 'Tenant Administrator' })).toBe(true);

    const listed = privilegedPolicy(['Compensation Analyst', 'p9']);
    expect(listed.isPrivileged({ ...ADMIN, details: { adminCapabilityConfig: { allCapabilitiesAccess: true } } })).toBe(
      false,
    );
    expect(listed.isPrivileged(DEMO_PERMISSIONS.compensation)).toBe(true);
    expect(listed.isPrivileged({ permissionId: 'p9' })).toBe(true);
  });

  it('--privileged-permissions / VISIER_MCP_PRIVILEGED_PERMISSIONS: a comma-separated list, never empty', () => {
    expect(loadConfig(['--privileged-permissions', 'Payroll Admin, 6c1f'], {}).privilegedPermissions).toEqual([
      'Payroll Admin',
      '6c1f',
    ]);
    expect(loadConfig([], { VISIER_MCP_PRIVILEGED_PERMISSIONS: 'X' }).privilegedPermissions).toEqual(['X']);
    expect(() => loadConfig(['--privileged-permissions', ' , '], {})).toThrow(
      new ConfigError('--privileged-permissions: must name at least one'),
    );
  });

  it('the flag reaches the previews of a server the runtime builds', async () => {
    const runtime = await startRuntimeForTest(['--mode', 'full', '--privileged-permissions', 'Compensation Analyst']);
    const server = runtime.createServer();
    const sdk = new Client({ name: 'flag-test', version: '1' });
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await Promise.all([server.connect(serverSide), sdk.connect(clientSide)]);
    try {
      const call = async (name: string, args: Record<string, unknown>) =>
        (await sdk.callTool({ name, arguments: args })) as CallToolResult;
      const grant = async (permissionId: string) => {
        const first = await call('assign_permissions_to_users', {
          permissionIds: [permissionId],
          userIds: [DEMO_USERS.mallory.userId],
        });
        return (first._meta?.[CONFIRMATION_META_KEY] as { preview: ImpactPreview } | undefined)?.preview;
      };
      expect((await grant(DEMO_PERMISSIONS.compensation.permissionId))?.privilegedGrants).toEqual([
        'Compensation Analyst',
      ]);
      const admin = await grant(ADMIN.permissionId);
      expect(admin?.summary).toContain(ADMIN.displayName);
      expect(admin?.privilegedGrants).toBeUndefined();
    } finally {
      await sdk.close();
      await server.close();
      await runtime.close();
    }
  });
});

describe('a profile change is an access change when its effect is one', () => {
  it('declares which arguments may make it so', () => {
    const depends = (args: Record<string, unknown>) =>
      updateUser.effectDependsOnData?.({ userId: 'u', ...args } as Parameters<typeof updateUser.handler>[0]);
    expect([{ username: 'x' }, { email: 'x@y' }, { employeeId: 'E1' }, { accountEnabled: true }].map(depends)).toEqual([
      true,
      true,
      true,
      true,
    ]);
    expect([{ displayName: 'x' }, { accountEnabled: false }].map(depends)).toEqual([false, false]);
  });

  it("renaming an Admin holder or re-enabling an account is 'access'; a display name is not; one Visier call each", async () => {
    const preview = async (args: Record<string, unknown>, calls = 1) => {
      sandbox.clearRequests();
      const result = await updateUser.preview?.(args as Parameters<typeof updateUser.handler>[0], toolContext(args), {
        live: true,
      });
      expect(dataRequests(sandbox)).toHaveLength(calls);
      return result as ImpactPreview;
    };
    const renamed = await preview({ userId: DEMO_USERS.admin.userId, username: 'root@evil.example' });
    expect(renamed.classification).toBe('access');
    expect(renamed.targets[0]?.elevated).toEqual(['username change of a user holding permissions, groups or profiles']);
    expect(renamed.targets[0]?.before).toContain(`permissions: "${ADMIN.displayName}" (${ADMIN.permissionId})`);

    const relabelled = await preview({ userId: DEMO_USERS.admin.userId, displayName: 'Root' });
    expect(relabelled.classification).toBeUndefined();
    expect(relabelled.targets[0]?.elevated).toBeUndefined();

    const dormant = userAt(30);
    await client.updateUser(dormant.userId, { accountEnabled: false });
    // Re-enabling also reads what the account can use again: its groups' grants and the catalogue, one call each.
    const reenabled = await preview({ userId: dormant.userId, accountEnabled: true }, 3);
    expect(reenabled.classification).toBe('access');
    expect(reenabled.targets[0]?.elevated).toEqual(['disabled account re-enabled']);
    expect(reenabled.targets[0]?.before?.[0]).toMatch(/ disabled$/);
    expect(reenabled.targets[0]?.after?.at(-1)).toMatch(/^can use again "/);

    // An Admin holder re-enabled regains a privileged permission: flagged as a grant of it would be.
    await client.updateUser(DEMO_USERS.admin.userId, { accountEnabled: false });
    try {
      const admin = await preview({ userId: DEMO_USERS.admin.userId, accountEnabled: true }, 3);
      expect(admin.privilegedGrants).toContain(ADMIN.displayName);
      expect(admin.targets[0]?.elevated).toContain(`regains privileged "${ADMIN.displayName}"`);
    } finally {
      await client.updateUser(DEMO_USERS.admin.userId, { accountEnabled: true });
    }
  });
});

describe('group previews: names, privileged grants and people reached', () => {
  it('create_user_groups names permissions and counts an all-users group as every user', async () => {
    const { preview, visierCalls } = await previewOf(stack.call, 'create_user_groups', {
      userGroups: [
        { displayName: 'Everyone Admin', permissionIds: [ADMIN.permissionId], includeAllUsers: true },
        { displayName: 'Quiet', permissionIds: [DEMO_PERMISSIONS.headcount.permissionId] },
      ],
    });
    expect(preview.privilegedGrants).toEqual([ADMIN.displayName]);
    expect(preview.peopleReached).toBe(USERS);
    expect(preview.targets[0]?.after).toContain(`permissions: "${ADMIN.displayName}" (${ADMIN.permissionId})`);
    expect(preview.targets[0]?.elevated).toEqual([
      `grants privileged "${ADMIN.displayName}"`,
      'includeAllUsers turned on: every user becomes a member',
      `members it gains get privileged "${ADMIN.displayName}"`,
    ]);
    expect(preview.targets[1]?.after).toContain(
      `permissions: "${DEMO_PERMISSIONS.headcount.displayName}" (${DEMO_PERMISSIONS.headcount.permissionId})`,
    );
    expect(preview.targets[1]?.elevated).toBeUndefined();
    // One directory snapshot (a page of groups, the catalogue, two assignment reports) names and counts everything.
    expect(visierCalls).toBe(4);
  });

  it('joining a group that grants Admin marks each joining user', async () => {
    const group = await newGroup('Ops Admins', [ADMIN.permissionId], [userAt(5).userId]);
    const joiner = userAt(6).userId;
    const { preview, visierCalls } = await previewOf(stack.call, 'add_users_to_group', {
      userGroupId: group,
      userIds: [joiner, userAt(5).userId],
    });
    expect(preview.privilegedGrants).toEqual([ADMIN.displayName]);
    expect(preview.targets.find((t) => t.id === joiner)?.elevated).toEqual([
      `joins a group granting privileged "${ADMIN.displayName}"`,
    ]);
    // Already a member: nothing new for them.
    expect(preview.targets.find((t) => t.id === userAt(5).userId)?.elevated).toBeUndefined();
    // One directory snapshot (a page of groups, the catalogue, two assignment reports), not a read per user.
    expect(visierCalls).toBe(4);
  });

  it('a dynamic filter reaches the users whose employee it matches, with the manual members', async () => {
    const group = await newGroup('Field Sales', [DEMO_PERMISSIONS.salesPerformance.permissionId], [userAt(7).userId]);
    await client.updateUserGroups([
      {
        userGroupId: group,
        users: {
          dynamicFilterDefinition: {
            filters: [
              { dimensionFilters: [{ dimensionId: 'Location', memberSelections: [{ namePath: ['Europe'] }] }] },
            ],
          },
        },
      },
    ]);
    const grant = await previewOf(stack.call, 'assign_permissions_to_group', {
      userGroupId: group,
      permissionIds: [ADMIN.permissionId],
    });
    // Location is Europe at directory indexes i % 6 in {3, 4}; indexes 9 and 39 link to no employee; 7 is added by hand.
    const reached = [3, 4, 10, 15, 16, 21, 22, 27, 28, 33, 34, 7].map((i) => userAt(i).userId);
    expect(grant.preview.peopleReached).toBe(reached.length);
    expect(grant.preview.reachUnknown).toBeUndefined();
    expect(grant.preview.summary).toContain('12 users (11 through a dynamic filter)');
    expect(grant.preview.targets[0]?.before).toContain(
      'members: dynamic filter: employees with "Location" in "Europe"',
    );
    // The directory snapshot (groups, catalogue, two assignment reports) and one data query.
    expect(grant.visierCalls).toBe(5);

    const deletion = await previewOf(stack.call, 'delete_user_groups', {
      userGroupIds: [group, DEMO_GROUPS.executives.userGroupId],
    });
    const executives = sandbox.snapshot().userGroups.find((g) => g.userGroupId === DEMO_GROUPS.executives.userGroupId);
    expect(deletion.preview.peopleReached).toBe(new Set([...reached, ...(executives?.memberIds ?? [])]).size);
    expect(deletion.preview.reachUnknown).toBeUndefined();
  });
});

it('a sign-in between preview and approval (lastLogin) does not void the approval', async () => {
  // The sandbox does not move lastLogin on sign-in; this client does, on every read of a user, as a live
  // tenant would when the user signs in between the preview and the approval.
  let signIns = 0;
  const signingIn = await connectStack(sandbox, {
    client: { name: 'sign-in-test', version: '1' },
    guard: { confirmSecret: 'preview-effects-secret-0123', audit: { stream: new PassThrough().resume() } },
    wrapVisier: (real) => ({
      api: new Proxy(real, {
        get(target, property, receiver) {
          // Previews read users page by page, in a directory snapshot: every page read signs its users in again.
          if (property === 'userPages') {
            return async function* (...args: Parameters<VisierClient['userPages']>) {
              for await (const page of target.userPages(...args)) {
                const lastLogin = new Date(Date.UTC(2026, 10, 30) + ++signIns * 60_000).toISOString();
                yield page.map((user) => ({ ...user, lastLogin }));
              }
            };
          }
          // ...and so does every read of the permission-assignments report, which carries each account's last login.
          if (property === 'reportRows') {
            return async function* (...args: Parameters<VisierClient['reportRows']>) {
              const signedIn =
                args[0] === 'permission-assignments' ? String(Date.UTC(2026, 10, 30) + ++signIns * 60_000) : undefined;
              for await (const row of target.reportRows(...args)) {
                yield signedIn !== undefined && 'Last Login' in row ? { ...row, 'Last Login': signedIn } : row;
              }
            };
          }
          if (property === 'directory') return (options?: CallOptions) => loadDirectory(receiver, options);
          const value = Reflect.get(target, property, target);
          return typeof value === 'function' ? value.bind(target) : value;
        },
      }),
    }),
  });
  try {
    const grant = { permissionIds: [DEMO_PERMISSIONS.headcount.permissionId], userIds: [userAt(12).userId] };
    const { token } = await previewOf(signingIn.call, 'assign_permissions_to_users', grant);
    const acted = await signingIn.call('assign_permissions_to_users', { ...grant, confirmationToken: token });
    expect(acted.isError, textOf(acted)).toBeFalsy();
    expect(signIns).toBe(2);
    expect(sandbox.snapshot().userPermissions[DEMO_PERMISSIONS.headcount.permissionId]).toContain(userAt(12).userId);
  } finally {
    await signingIn.close();
  }
});
