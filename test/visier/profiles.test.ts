import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VisierClient } from '../../src/providers/visier/client.js';
import { DEMO_PROFILES, DEMO_USERS, type SandboxHandle } from '../../src/sandbox/index.js';
import { clientFor, countRequests, startTestSandbox } from './harness.js';

// The client's profile operations against the sandbox over HTTP: the fields the spec lists, validity per
// assignment, and every user's outcome as Visier reports it.

let handle: SandboxHandle;
let client: VisierClient;

beforeAll(async () => {
  handle = await startTestSandbox({ users: 30 });
  client = clientFor(handle);
});
afterAll(async () => {
  await client.close();
  await handle.close();
});

const SEEDED_FROM = String(Date.UTC(2025, 0, 1));
const admin = DEMO_PROFILES.systemAdministrator;

describe('profiles', () => {
  it('lists every profile with its capabilities in one call', async () => {
    handle.clearRequests();
    const profiles = await client.listProfiles();
    expect(countRequests(handle, 'GET', '/v1/admin/profiles')).toBe(1);
    expect(profiles.map((p) => p.displayName)).toEqual(['Analyst', 'Manager', 'System Administrator']);
    expect(profiles.find((p) => p.profileId === admin.profileId)).toEqual({
      profileId: admin.profileId,
      displayName: 'System Administrator',
      capabilities: [
        { capability: 'UserManagement', accessLevel: 'Write', viewLevel: 'Detailed' },
        { capability: 'Analytics', accessLevel: 'Write', viewLevel: 'Detailed' },
      ],
      additionalCapabilities: ['ProfileManagement'],
    });
  });

  it('gets one profile, and a missing one is a 404', async () => {
    const manager = await client.getProfile(DEMO_PROFILES.manager.profileId);
    expect(manager.additionalCapabilities).toEqual(['ReportDownloading']);
    await expect(client.getProfile('no-such-profile')).rejects.toMatchObject({ status: 404 });
  });

  it("reads a user's profiles with the validity of each assignment", async () => {
    handle.clearRequests();
    const held = await client.getUserProfiles(DEMO_USERS.admin.userId);
    expect(countRequests(handle, 'GET', `/v1/admin/users/${DEMO_USERS.admin.userId}/profiles`)).toBe(1);
    expect(held).toEqual([
      {
        profileId: admin.profileId,
        displayName: 'System Administrator',
        validityStartTime: SEEDED_FROM,
        capabilities: expect.any(Array),
        additionalCapabilities: ['ProfileManagement'],
      },
    ]);
  });

  it('assigns with a validity that belongs to the assignment, reporting bad user ids', async () => {
    const start = String(Date.UTC(2026, 0, 1));
    const end = String(Date.UTC(2026, 6, 1));
    handle.clearRequests();
    const result = await client.assignProfile(DEMO_PROFILES.manager.profileId, {
      userIds: [DEMO_USERS.dana.userId, 'no-such-user'],
      validityStartTime: start,
      validityEndTime: end,
    });
    expect(countRequests(handle, 'PUT', `/v1/admin/profiles/${DEMO_PROFILES.manager.profileId}/assign`)).toBe(1);
    expect(result).toEqual({
      errors: true,
      badUserIds: [
        {
          userId: 'no-such-user',
          message: "User 'no-such-user' was not found",
          errorCode: 'NotFound',
          rci: expect.any(String),
        },
      ],
      failedAssignments: [],
      successfulAssignments: [DEMO_USERS.dana.userId],
    });
    const dana = await client.getUserProfiles(DEMO_USERS.dana.userId);
    expect(dana.map((p) => [p.profileId, p.validityStartTime, p.validityEndTime])).toEqual([
      [DEMO_PROFILES.analyst.profileId, SEEDED_FROM, undefined],
      [DEMO_PROFILES.manager.profileId, start, end],
    ]);
    // The same profile held by someone else keeps its own validity.
    const other = handle
      .snapshot()
      .users.find((u) => u.userId !== DEMO_USERS.dana.userId && u.userId !== DEMO_USERS.admin.userId)!;
    const theirs = await client.getUserProfiles(other.userId);
    expect(theirs.every((p) => p.validityEndTime === undefined)).toBe(true);
  });

  it('refuses an empty validity window and a non-epoch time as a whole', async () => {
    await expect(
      client.assignProfile(DEMO_PROFILES.manager.profileId, {
        userIds: [DEMO_USERS.dana.userId],
        validityStartTime: '2000',
        validityEndTime: '1000',
      }),
    ).rejects.toMatchObject({ status: 400 });
    await expect(
      client.assignProfile(DEMO_PROFILES.manager.profileId, {
        userIds: [DEMO_USERS.dana.userId],
        validityStartTime: '2026-01-01',
      }),
    ).rejects.toMatchObject({ status: 400 });
  });

  it('removes, reporting who did not hold it', async () => {
    handle.clearRequests();
    const result = await client.removeProfile(DEMO_PROFILES.manager.profileId, [
      DEMO_USERS.dana.userId,
      DEMO_USERS.admin.userId,
    ]);
    expect(countRequests(handle, 'DELETE', `/v1/admin/profiles/${DEMO_PROFILES.manager.profileId}/remove`)).toBe(1);
    expect(result).toEqual({
      succeeded: [DEMO_USERS.dana.userId],
      failed: [
        {
          userId: DEMO_USERS.admin.userId,
          message: `User '${DEMO_USERS.admin.userId}' does not have profile '${DEMO_PROFILES.manager.profileId}'`,
        },
      ],
    });
    expect((await client.getUserProfiles(DEMO_USERS.dana.userId)).map((p) => p.profileId)).toEqual([
      DEMO_PROFILES.analyst.profileId,
    ]);
  });
});
