import { PassThrough } from 'node:stream';
import type { CallToolResult } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImpactPreview } from '../../src/contract/tool.js';
import { DEMO_PROFILES, DEMO_USERS, type SandboxHandle, startSandbox } from '../../src/sandbox/index.js';
import { CONFIRMATION_META_KEY } from '../../src/server.js';
import { changeRequests, dataRequests, textOf } from '../guards/e2e-harness.js';
import { connectStack, type Stack } from '../support/mcp-stack.js';

// The profile tools through an SDK client, the guard and the client, against the sandbox over HTTP: exact
// answers, each user's before and after in the preview, administrative profiles flagged, Visier calls counted.

let sandbox: SandboxHandle;
let stack: Stack;

beforeAll(async () => {
  sandbox = await startSandbox({ rateLimit: false, users: 30, seed: 5 });
  stack = await connectStack(sandbox, {
    client: { name: 'profiles-test', version: '1' },
    guard: { confirmSecret: 'profiles-test-secret-0123456789', audit: { stream: new PassThrough().resume() } },
  });
});
afterAll(async () => {
  await stack.close();
  await sandbox.close();
});

const SEEDED_FROM = String(Date.UTC(2025, 0, 1));
const { analyst, manager, systemAdministrator: admin } = DEMO_PROFILES;
const dana = DEMO_USERS.dana.userId;

async function timed(tool: string, args: Record<string, unknown>) {
  sandbox.clearRequests();
  const result = await stack.call(tool, args);
  return { result, calls: dataRequests(sandbox).map((r) => `${r.method} ${r.path}`) };
}

/** A change's preview and token, with the Visier calls the preview cost; nothing is changed. */
async function previewOf(tool: string, args: Record<string, unknown>) {
  const { result, calls } = await timed(tool, args);
  const meta = result._meta?.[CONFIRMATION_META_KEY] as { preview: ImpactPreview; confirmationToken: string };
  expect(meta, textOf(result)).toBeDefined();
  expect(changeRequests(sandbox)).toEqual([]);
  return { preview: meta.preview, token: meta.confirmationToken, calls, text: textOf(result) };
}

const structured = (r: CallToolResult) => r.structuredContent as Record<string, unknown>;

describe('reading profiles', () => {
  it('list_profiles: every profile, its capabilities and which are administrative, in one call', async () => {
    const { result, calls } = await timed('list_profiles', {});
    expect(calls).toEqual(['GET /v1/admin/profiles']);
    expect(structured(result).profiles).toEqual([
      {
        profileId: analyst.profileId,
        displayName: 'Analyst',
        capabilities: [{ capability: 'Analytics', accessLevel: 'ReadOnly', viewLevel: 'Detailed' }],
        additionalCapabilities: [],
        administrative: [],
      },
      {
        profileId: manager.profileId,
        displayName: 'Manager',
        capabilities: [
          { capability: 'Analytics', accessLevel: 'ReadOnly', viewLevel: 'Detailed' },
          { capability: 'PlanningData', accessLevel: 'ReadOnly', viewLevel: 'Detailed' },
        ],
        additionalCapabilities: ['ReportDownloading'],
        administrative: [],
      },
      {
        profileId: admin.profileId,
        displayName: 'System Administrator',
        capabilities: [
          { capability: 'UserManagement', accessLevel: 'Write', viewLevel: 'Detailed' },
          { capability: 'Analytics', accessLevel: 'Write', viewLevel: 'Detailed' },
        ],
        additionalCapabilities: ['ProfileManagement'],
        administrative: ['UserManagement', 'ProfileManagement'],
      },
    ]);
    expect(textOf(result)).toContain(
      `${admin.profileId} "System Administrator"; capabilities: UserManagement Write/Detailed, Analytics Write/Detailed; additional: ProfileManagement; administrative: UserManagement, ProfileManagement`,
    );
  });

  it('get_profile: one profile in one call; a missing one is an error naming it', async () => {
    const { result, calls } = await timed('get_profile', { profileId: manager.profileId });
    expect(calls).toEqual([`GET /v1/admin/profiles/${manager.profileId}`]);
    expect((structured(result).profile as { displayName: string }).displayName).toBe('Manager');
    const missing = await stack.call('get_profile', { profileId: 'no-such-profile' });
    expect(missing.isError).toBe(true);
    expect(textOf(missing)).toContain("Profile 'no-such-profile' was not found");
  });

  it("list_user_profiles: a user's profiles with each assignment's validity, in one call", async () => {
    const { result, calls } = await timed('list_user_profiles', { userId: dana });
    expect(calls).toEqual([`GET /v1/admin/users/${dana}/profiles`]);
    expect(structured(result)).toMatchObject({
      userId: dana,
      profiles: [{ profileId: analyst.profileId, displayName: 'Analyst', validityStartTime: SEEDED_FROM }],
    });
    expect(textOf(result)).toContain('valid from 2025-01-01T00:00:00.000Z, no end');
  });

  it('the profile tools take no projectId: Visier has no projects for profiles', async () => {
    const refused = await stack.call('assign_profile', {
      profileId: analyst.profileId,
      userIds: [dana],
      projectId: 'p-1',
    });
    expect(refused.isError).toBe(true);
    expect(textOf(refused)).toMatch(/projectId/);
  });
});

describe('assign_profile and remove_profile', () => {
  it('an administrative profile: each user before and after, flagged, then assigned with its validity', async () => {
    const args = {
      profileId: admin.profileId,
      userIds: [dana, 'no-such-user'],
      validityStartTime: '2026-01-01',
      validityEndTime: '2026-07-01T00:00:00Z',
    };
    const { preview, token, calls, text } = await previewOf('assign_profile', args);
    // One profile read and one read per user (two users: under the directory-scan threshold).
    expect(calls.sort()).toEqual(
      [
        `GET /v1/admin/profiles/${admin.profileId}`,
        `GET /v1/admin/users/${dana}`,
        'GET /v1/admin/users/no-such-user',
      ].sort(),
    );
    expect(preview.summary).toBe(
      `Assign profile "System Administrator" to 2 users (1 not found), valid from 2026-01-01T00:00:00.000Z until 2026-07-01T00:00:00.000Z [tenant ${sandbox.tenants.primary}, production]`,
    );
    expect(preview.privilegedGrants).toEqual(['System Administrator']);
    expect(text).toContain('PRIVILEGED: grants System Administrator');
    const user = preview.targets.find((t) => t.id === dana)!;
    expect(user.before?.[1]).toBe(
      `profiles: "Analyst" (${analyst.profileId}) valid from 2025-01-01T00:00:00.000Z, no end`,
    );
    expect(user.after).toEqual([
      `profiles: "Analyst" (${analyst.profileId}) valid from 2025-01-01T00:00:00.000Z, no end; "System Administrator" (${admin.profileId}) valid from 2026-01-01T00:00:00.000Z until 2026-07-01T00:00:00.000Z`,
    ]);
    expect(user.elevated).toEqual([
      'gains administrative profile "System Administrator" (UserManagement, ProfileManagement)',
    ]);
    expect(preview.targets.find((t) => t.id === 'no-such-user')).toMatchObject({ missing: true });

    const { result, calls: acted } = await timed('assign_profile', { ...args, confirmationToken: token });
    expect(acted.filter((c) => !c.startsWith('GET'))).toEqual([`PUT /v1/admin/profiles/${admin.profileId}/assign`]);
    expect(result.isError).toBe(true);
    expect(structured(result)).toMatchObject({
      profileId: admin.profileId,
      succeeded: 1,
      failed: 1,
      users: [
        { userId: dana, status: 'succeeded', reportedAs: 'successfulAssignments' },
        { userId: 'no-such-user', status: 'failed', reportedAs: 'badUserIds', errorCode: 'NotFound' },
      ],
    });
    const held = await stack.call('list_user_profiles', { userId: dana });
    expect(
      (structured(held).profiles as { profileId: string; validityStartTime?: string; validityEndTime?: string }[]).map(
        (p) => [p.profileId, p.validityStartTime, p.validityEndTime],
      ),
    ).toEqual([
      [analyst.profileId, SEEDED_FROM, undefined],
      [admin.profileId, String(Date.UTC(2026, 0, 1)), String(Date.UTC(2026, 6, 1))],
    ]);
  });

  it('remove_profile: the user loses it; a user without it is reported failed with Visier words', async () => {
    const args = { profileId: admin.profileId, userIds: [dana, DEMO_USERS.mallory.userId] };
    const { preview, token } = await previewOf('remove_profile', args);
    expect(preview.privilegedGrants).toBeUndefined();
    expect(preview.targets.find((t) => t.id === dana)?.change).toBe('loses profile "System Administrator"');
    expect(preview.targets.find((t) => t.id === DEMO_USERS.mallory.userId)?.change).toBe('does not hold it: no change');
    const result = await stack.call('remove_profile', { ...args, confirmationToken: token });
    expect(structured(result)).toMatchObject({
      succeeded: 1,
      failed: 1,
      users: [
        { userId: dana, status: 'succeeded', reportedAs: 'succeeded' },
        { userId: DEMO_USERS.mallory.userId, status: 'failed', reportedAs: 'failed' },
      ],
    });
    const held = await stack.call('list_user_profiles', { userId: dana });
    expect((structured(held).profiles as { profileId: string }[]).map((p) => p.profileId)).toEqual([analyst.profileId]);
  });

  it('an end before the start is refused naming the field, before any Visier call', async () => {
    const { result, calls } = await timed('assign_profile', {
      profileId: manager.profileId,
      userIds: [dana],
      validityStartTime: '2026-02-01',
      validityEndTime: '2026-01-01',
    });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toContain('validityEndTime: must be after validityStartTime');
    expect(calls).toEqual([]);
  });

  it('a non-administrative profile is an access change but not flagged privileged', async () => {
    const { preview } = await previewOf('assign_profile', { profileId: manager.profileId, userIds: [dana] });
    expect(preview.privilegedGrants).toBeUndefined();
    expect(preview.summary).toMatch(/^Assign profile "Manager" to 1 user, no validity set \[/);
  });
});
