// Teams and memberships through the client against the sandbox: listing, members of a team and teams of a user,
// adding and removing members with CreateTeamMember / DeleteTeamMember, every item accounted for.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SalescookieClient } from '../../../src/providers/salescookie/index.js';
import { DEMO_TEAMS, DEMO_USERS, type SalescookieSandbox } from '../../../src/sandbox/salescookie/index.js';
import { clientFor, rejection, requestsOf, startTestSandbox } from './harness.js';

let sandbox: SalescookieSandbox;
let client: SalescookieClient;

beforeAll(async () => {
  sandbox = await startTestSandbox();
  client = clientFor(sandbox);
});
afterAll(async () => {
  await client.close();
  await sandbox.close();
});

const membersOf = (teamId: string) =>
  sandbox
    .state()
    .members.filter((m) => m.teamId === teamId)
    .map((m) => m.systemUserId);

describe('teams', () => {
  it('pages through the teams, one request a page', async () => {
    const first = await requestsOf(client, () => client.listTeams({ limit: 3 }));
    expect(first.requests).toBe(1);
    expect(first.value).toMatchObject({ limit: 3, start: 0, hasMore: true });
    const second = await client.listTeams({ limit: 3, start: 3 });
    expect(second.hasMore).toBe(false);
    expect([...first.value.items, ...second.items].map((t) => t.teamId)).toEqual(
      Object.values(DEMO_TEAMS).map((t) => t.id),
    );
    expect(first.value.items[0]).toEqual({
      teamId: DEMO_TEAMS.enterprise.id,
      name: 'Enterprise AEs',
      description: 'Enterprise account executives',
      managerId: DEMO_USERS.dana.id,
      parentTeamId: null,
    });
  });

  it('lists a team’s members across OData pages', async () => {
    const small = clientFor(sandbox, { pageSize: 4 });
    const { value, requests } = await requestsOf(small, () => small.listTeamMembers(DEMO_TEAMS.enterprise.id));
    const expected = membersOf(DEMO_TEAMS.enterprise.id);
    expect(value.map((m) => m.systemUserId)).toEqual(expected);
    expect(requests).toBe(Math.floor(expected.length / 4) + 1);
    await small.close();
  });

  it('lists a user’s teams', async () => {
    const teams = await client.listUserTeams(DEMO_USERS.mallory.id);
    expect(teams.map((t) => t.teamId)).toEqual([DEMO_TEAMS.enterprise.id, DEMO_TEAMS.injected.id]);
  });

  it('gets one team, and a typed not-found for an unknown one', async () => {
    expect((await client.getTeam(DEMO_TEAMS.smb.id)).name).toBe('SMB AEs');
    expect(await rejection(client.getTeam('00000000-0000-4000-8000-000000000000'))).toMatchObject({
      kind: 'http',
      status: 404,
    });
  });
});

describe('membership changes', () => {
  it('adds only the users not yet members, and accounts for each item', async () => {
    const team = DEMO_TEAMS.managers.id;
    const unknownUser = '00000000-0000-4000-8000-0000000000aa';
    const { value, requests } = await requestsOf(client, () =>
      client.addTeamMembers(team, [
        DEMO_USERS.dana.id,
        DEMO_USERS.mallory.id,
        unknownUser,
        'not-a-guid',
        DEMO_USERS.mallory.id,
      ]),
    );
    expect(value.items.map((i) => i.status)).toEqual(['succeeded', 'succeeded', 'failed', 'failed', 'failed']);
    expect(value.items[0]!.message).toBe('already a member; nothing sent');
    expect(value.items[2]!.message).toContain('No such user in this workspace');
    expect(value.items[2]!.message).toContain('HTTP 400');
    expect(value.items[3]!.message).toBe('systemUserId must be a GUID, got "not-a-guid"');
    expect(value.items[4]!.message).toBe('duplicate of item 1; not sent');
    expect(value).toMatchObject({ succeeded: 2, failed: 3, notAttempted: 0 });
    // The team and its members are read first, then one CreateTeamMember for Mallory and one for the unknown user.
    expect(requests).toBe(4);
    expect(value.requests).toBe(4);
    expect(membersOf(team)).toEqual([DEMO_USERS.dana.id, DEMO_USERS.mallory.id]);
  });

  it('removes members, and a non-member is a success with nothing sent', async () => {
    const team = DEMO_TEAMS.managers.id;
    const result = await client.removeTeamMembers(team, [DEMO_USERS.mallory.id, DEMO_USERS.admin.id]);
    expect(result.items.map((i) => [i.status, i.message])).toEqual([
      ['succeeded', undefined],
      ['succeeded', 'not a member; nothing sent'],
    ]);
    expect(result.requests).toBe(3);
    expect(membersOf(team)).toEqual([DEMO_USERS.dana.id]);
  });

  it('refuses an unknown team before changing anything', async () => {
    const before = sandbox.state();
    const err = await rejection(client.addTeamMembers('00000000-0000-4000-8000-000000000000', [DEMO_USERS.dana.id]));
    expect(err).toMatchObject({ kind: 'http', status: 404 });
    expect(sandbox.state()).toEqual(before);
  });
});
