import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_TEAMS, DEMO_USERS } from '../../../src/sandbox/salescookie/index.js';
import { CONFIRMATION_META_KEY } from '../../../src/server.js';
import { startToolStack, type ToolStack, textOf, writes } from './tools-stack.js';

// Teams, bulk upserts and deactivations, and resources, through an SDK client over the real runtime on the
// embedded sandbox; requests per job counted from the sandbox's own log.

const dana = DEMO_USERS.dana;
const mallory = DEMO_USERS.mallory;
const enterprise = DEMO_TEAMS.enterprise.id;
const USER_READ = ['GET /app/odata/SystemUser', 'GET /app/odata/WorkspaceRole', 'GET /app/odata/UserAlias'];
const TEAMS_READ = ['GET /app/odata/TeamMember', 'GET /app/odata/Team'];

let stack: ToolStack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

const tokenOf = (result: Awaited<ReturnType<ToolStack['call']>>) =>
  (result._meta?.[CONFIRMATION_META_KEY] as { confirmationToken: string } | undefined)?.confirmationToken;
const inTeam = (s: ToolStack, userId: string, teamId: string) =>
  s.sandbox.state().members.some((m) => m.systemUserId === userId && m.teamId === teamId);
const userIn = (s: ToolStack, email: string) => s.sandbox.state().users.find((u) => u.emailAddress === email);

describe('Sales Cookie teams', () => {
  it('list_teams answers in one request; get_team names its members', async () => {
    stack = await startToolStack();
    const s = stack;
    const list = await s.requestsDuring(() => s.call('list_teams', { limit: 2 }));
    expect(list.requests).toEqual(['GET /app/odata/Team']);
    expect(list.value.structuredContent).toMatchObject({ returned: 2, nextCursor: expect.any(String) });
    const team = await s.requestsDuring(() => s.call('get_team', { teamId: DEMO_TEAMS.managers.id }));
    expect(team.requests).toEqual(['GET /app/odata/Team', 'GET /app/odata/TeamMember', ...USER_READ]);
    expect(team.value.structuredContent).toMatchObject({
      team: { name: 'Sales Managers' },
      members: [{ userId: dana.emailAddress }],
    });
  });

  it("an unknown team id is answered in the argument's terms, by reads and changes alike", async () => {
    stack = await startToolStack();
    const s = stack;
    const teamId = '5c00c0de-0000-4000-8000-0000000002ff';
    const read = await s.requestsDuring(() => s.call('get_team', { teamId }));
    expect(textOf(read.value)).toContain('teamId: no team has this id; list_teams lists them');
    expect(read.requests).toEqual(['GET /app/odata/Team']);
    const change = await s.requestsDuring(() => s.call('add_users_to_team', { teamId, userIds: [dana.emailAddress] }));
    expect(textOf(change.value)).toContain('teamId: no team has this id; list_teams lists them');
    expect(writes(change.requests)).toEqual([]);
  });

  it('add_users_to_team is an access change: previewed, nothing sent; confirmed, every e-mail accounted for', async () => {
    stack = await startToolStack();
    const s = stack;
    const args = { teamId: enterprise, userIds: [dana.emailAddress, 'nobody@wff-demo.example', mallory.emailAddress] };
    const first = await s.requestsDuring(() => s.call('add_users_to_team', args));
    expect(writes(first.requests)).toEqual([]);
    expect(first.requests).toEqual(['GET /app/odata/Team', ...USER_READ, ...TEAMS_READ]);
    const text = textOf(first.value);
    expect(text).toContain('Add 3 users (1 not found) to team "Enterprise AEs"');
    expect(text).toContain('joins team "Enterprise AEs"');
    expect(inTeam(s, dana.id, enterprise)).toBe(false);

    const done = await s.requestsDuring(() =>
      s.call('add_users_to_team', { ...args, confirmationToken: tokenOf(first.value) }),
    );
    // The fingerprint re-check (6), the users by e-mail (3), the team and its members (2), one CreateTeamMember.
    expect(done.requests).toEqual([
      'GET /app/odata/Team',
      ...USER_READ,
      ...TEAMS_READ,
      ...USER_READ,
      'GET /app/odata/Team',
      'GET /app/odata/TeamMember',
      'POST /app/Api/CreateTeamMember',
    ]);
    expect(done.value.structuredContent).toMatchObject({
      succeeded: 2,
      failed: 1,
      notAttempted: 0,
      items: [
        { index: 0, userId: dana.emailAddress, status: 'succeeded' },
        { index: 1, userId: 'nobody@wff-demo.example', status: 'failed', message: 'no user has this e-mail; not sent' },
        { index: 2, userId: mallory.emailAddress, status: 'succeeded', message: 'already a member; nothing sent' },
      ],
    });
    expect(inTeam(s, dana.id, enterprise)).toBe(true);
  });

  it('remove_users_from_team takes a member off', async () => {
    stack = await startToolStack();
    const s = stack;
    const args = { teamId: enterprise, userIds: [mallory.emailAddress] };
    const first = await s.call('remove_users_from_team', args);
    expect(textOf(first)).toContain('leaves team "Enterprise AEs"');
    const done = await s.requestsDuring(() =>
      s.call('remove_users_from_team', { ...args, confirmationToken: tokenOf(first) }),
    );
    expect(writes(done.requests)).toEqual(['POST /app/Api/DeleteTeamMember']);
    expect(inTeam(s, mallory.id, enterprise)).toBe(false);
  });
});

describe('Sales Cookie bulk', () => {
  it('bulk_create_users from CSV: tags and aliases pipe-separated, every row accounted for', async () => {
    // Setting roles is an access change (an upsert may land on an account that exists by then): a person approves.
    stack = await startToolStack({ elicit: () => ({ action: 'accept', content: { confirm: true } }) });
    const s = stack;
    const csv = [
      'email,firstName,lastName,role,tags,aliases',
      'ana.new@wff-demo.example,Ana,New,Participant,EMEA|AE,CRM-9',
      `${dana.emailAddress},,,LimitedAdmin,Renewals,`,
    ].join('\n');
    const { value, requests } = await s.requestsDuring(() => s.call('bulk_create_users', { csv }));
    expect(value.isError).toBeFalsy();
    expect(writes(requests)).toEqual(['POST /app/Api/SetUser', 'POST /app/Api/SetUser']);
    expect(value.structuredContent).toMatchObject({
      succeeded: 2,
      failed: 0,
      notAttempted: 0,
      items: [
        { index: 0, userId: 'ana.new@wff-demo.example', status: 'succeeded', message: 'created' },
        { index: 1, userId: dana.emailAddress, status: 'succeeded', message: 'updated' },
      ],
    });
    expect(userIn(s, 'ana.new@wff-demo.example')).toMatchObject({ tags: ['EMEA', 'AE'], aliases: [{ name: 'CRM-9' }] });
    expect(userIn(s, dana.emailAddress)?.tags).toEqual(['Manager', 'SouthEast', 'Renewals']);
  });

  it('a CSV with a bad row names the row and column and sends nothing', async () => {
    stack = await startToolStack();
    const s = stack;
    const csv = 'email,role\nok@wff-demo.example,Participant\nnot-an-email,Participant\n';
    const { value, requests } = await s.requestsDuring(() => s.call('bulk_create_users', { csv }));
    expect(value.isError).toBe(true);
    expect(textOf(value)).toContain('csv: row 2, column email: Invalid email address');
    expect(requests).toEqual([]);
    const roleless = await s.requestsDuring(() =>
      s.call('bulk_create_users', { csv: 'email,role\na@wff-demo.example,Boss' }),
    );
    expect(textOf(roleless.value)).toContain('csv: row 1, column role: Invalid option');
    expect(roleless.requests).toEqual([]);
  });

  it('bulk_create_users promoting anyone to FullAdmin says PRIVILEGED and sends nothing', async () => {
    stack = await startToolStack();
    const s = stack;
    const users = [
      { email: 'x1@wff-demo.example', role: 'Participant' },
      { email: mallory.emailAddress, role: 'FullAdmin' },
    ];
    const { value, requests } = await s.requestsDuring(() => s.call('bulk_create_users', { users }));
    expect(textOf(value)).toContain('PRIVILEGED: grants role FullAdmin');
    expect(textOf(value)).toContain('bulk_create_users: 1 CREATE, 1 UPDATE');
    expect(writes(requests)).toEqual([]);
  });

  it('bulk_delete_users from CSV deactivates each e-mail; an unknown one fails without being sent', async () => {
    stack = await startToolStack();
    const s = stack;
    const csv = `email,firstName\n${dana.emailAddress},Dana\nnobody@wff-demo.example,\n`;
    const first = await s.requestsDuring(() => s.call('bulk_delete_users', { csv }));
    expect(writes(first.requests)).toEqual([]);
    expect(textOf(first.value)).toContain(
      "Deactivate 2 users (1 not found): role Deactivated, Sales Cookie's only removal",
    );
    const done = await s.requestsDuring(() =>
      s.call('bulk_delete_users', { csv, confirmationToken: tokenOf(first.value) }),
    );
    expect(writes(done.requests)).toEqual(['POST /app/Api/SetUser']);
    expect(done.value.structuredContent).toMatchObject({
      succeeded: 1,
      failed: 1,
      items: [
        { index: 0, userId: dana.emailAddress, status: 'succeeded' },
        { index: 1, userId: 'nobody@wff-demo.example', status: 'failed' },
      ],
    });
    expect(userIn(s, dana.emailAddress)?.role).toBe('Deactivated');
  });

  it('refuses both the list and the CSV at once, naming both fields', async () => {
    stack = await startToolStack();
    const s = stack;
    const { value, requests } = await s.requestsDuring(() =>
      s.call('bulk_delete_users', { userIds: [dana.emailAddress], csv: `email\n${dana.emailAddress}` }),
    );
    expect(textOf(value)).toContain('userIds: give either userIds or csv, not both or neither');
    expect(requests).toEqual([]);
  });
});

describe('Sales Cookie failures', () => {
  it('a failure of Sales Cookie is answered with its status, words and request id, never as an internal error', async () => {
    stack = await startToolStack();
    const s = stack;
    s.sandbox.faults.set('500:path=/Team$');
    const { value, requests } = await s.requestsDuring(() => s.call('list_teams', {}));
    expect(value.isError).toBe(true);
    const text = textOf(value);
    expect(text).not.toContain('Internal error');
    expect(text).toContain('(HTTP 500');
    expect(text).toContain(`rci ${s.sandbox.requests.at(-1)?.requestId}`);
    expect(requests.every((r) => r === 'GET /app/odata/Team')).toBe(true);
  });

  it('an unknown team is resource-not-found for the team resource', async () => {
    stack = await startToolStack();
    const uri = 'salescookie://teams/5c00c0de-0000-4000-8000-0000000002ff';
    await expect(stack.client.readResource({ uri })).rejects.toThrow(/Resource not found/);
  });
});

describe('Sales Cookie resources', () => {
  it('lists the collections and reads one user and one team through the guard', async () => {
    stack = await startToolStack();
    const s = stack;
    const { resources } = await s.client.listResources();
    expect(resources.map((r) => r.uri)).toEqual(['salescookie://users', 'salescookie://teams']);
    const user = await s.client.readResource({ uri: `salescookie://users/${encodeURIComponent(dana.emailAddress)}` });
    expect(JSON.parse((user.contents[0] as { text: string }).text)).toMatchObject({ user: { role: 'LimitedAdmin' } });
    const team = await s.client.readResource({ uri: `salescookie://teams/${DEMO_TEAMS.managers.id}` });
    expect(JSON.parse((team.contents[0] as { text: string }).text)).toMatchObject({
      team: { name: 'Sales Managers' },
      members: [{ systemUserId: dana.id }],
    });
    const audited = s.audit().map((line) => line.tool);
    expect(audited).toEqual(expect.arrayContaining(['resource:user', 'resource:team']));
  });
});
