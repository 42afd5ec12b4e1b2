// Users through the client against the sandbox over real HTTP: paging, reads by e-mail and GUID, the upsert's
// plan (create or update, additive tags and aliases), deactivation, and how many requests each costs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPrivilegedRole, type SalescookieClient } from '../../../src/providers/salescookie/index.js';
import { DEMO_USERS, type SalescookieSandbox } from '../../../src/sandbox/salescookie/index.js';
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

describe('reading users', () => {
  it('pages through every user in order, one SystemUser page plus the role and alias reads per page', async () => {
    const total = sandbox.state().users.length;
    const seen: string[] = [];
    let start = 0;
    let pages = 0;
    for (;;) {
      const { value: page, requests } = await requestsOf(client, () => client.listUsers({ limit: 10, start }));
      expect(requests).toBe(3);
      pages++;
      seen.push(...page.items.map((u) => u.email));
      start += page.items.length;
      if (!page.hasMore) break;
    }
    expect(pages).toBe(Math.ceil(total / 10));
    expect(seen).toEqual(sandbox.state().users.map((u) => u.emailAddress));
  });

  it('reads the whole directory in 3 requests per 1,000 users, the same users as the pages give', async () => {
    const { value: all, requests } = await requestsOf(client, () => client.allUsers());
    expect(requests).toBe(3);
    expect(all).toEqual((await client.listUsers({ limit: 1000 })).items);
  });

  it('reads users by e-mail (any case) and by id, many in one filter, and their teams', async () => {
    const emails = [
      DEMO_USERS.dana.emailAddress.toUpperCase(),
      'nobody@wff-demo.example',
      DEMO_USERS.mallory.emailAddress,
    ];
    const byEmail = await requestsOf(client, () => client.findUsersByEmail(emails));
    expect(byEmail.requests).toBe(3);
    expect(byEmail.value.map((u) => u.systemUserId).sort()).toEqual([DEMO_USERS.dana.id, DEMO_USERS.mallory.id]);
    const byId = await requestsOf(client, () => client.usersById([DEMO_USERS.dana.id, DEMO_USERS.mallory.id]));
    expect(byId.requests).toBe(3);
    expect(byId.value).toEqual(byEmail.value);
    const teams = await requestsOf(client, () => client.teamsOfUsers([DEMO_USERS.dana.id, DEMO_USERS.mallory.id]));
    expect(teams.requests).toBe(1);
    expect(teams.value.map((m) => `${m.systemUserId} ${m.teamId}`).sort()).toEqual(
      sandbox
        .state()
        .members.filter((m) => m.systemUserId === DEMO_USERS.dana.id || m.systemUserId === DEMO_USERS.mallory.id)
        .map((m) => `${m.systemUserId} ${m.teamId}`)
        .sort(),
    );
  });

  it('joins the role, tags and aliases to each user', async () => {
    const page = await client.listUsers({ limit: 4 });
    expect(page.items[1]).toEqual({
      systemUserId: DEMO_USERS.dana.id,
      email: DEMO_USERS.dana.emailAddress,
      firstName: 'Dana',
      lastName: 'Whitfield',
      role: 'LimitedAdmin',
      previousRole: null,
      tags: ['Manager', 'SouthEast'],
      aliases: ['DWHITFIELD'],
    });
    expect(page.items[3]).toMatchObject({ role: 'Deactivated', previousRole: 'Participant' });
  });

  it('splits the role and alias reads of a large page so no query string outgrows 2,048 bytes', async () => {
    sandbox.clearRequests();
    const { value: page, requests } = await requestsOf(client, () => client.listUsers({ limit: 30 }));
    expect(page.items).toHaveLength(30);
    expect(requests).toBeGreaterThan(3);
    for (const r of sandbox.requests) expect(new URLSearchParams(r.query).toString().length).toBeLessThan(2048);
  });

  it('finds a user by e-mail in any case (3 requests) and answers undefined for none (1 request)', async () => {
    const found = await requestsOf(client, () => client.findUserByEmail('DANA.Whitfield@WFF-demo.example'));
    expect(found.value?.systemUserId).toBe(DEMO_USERS.dana.id);
    expect(found.requests).toBe(3);
    const absent = await requestsOf(client, () => client.findUserByEmail('nobody@wff-demo.example'));
    expect(absent.value).toBeUndefined();
    expect(absent.requests).toBe(1);
  });

  it('gets a user by GUID, and a typed not-found for an unknown one', async () => {
    expect((await client.getUser(DEMO_USERS.admin.id)).role).toBe('FullAdmin');
    const err = await rejection(client.getUser('00000000-0000-4000-8000-000000000000'));
    expect(err).toMatchObject({ provider: 'salescookie', kind: 'http', status: 404 });
  });

  it('refuses a GUID argument that is not one, naming the field, before sending anything', async () => {
    const { requests } = await requestsOf(client, async () => {
      const err = await rejection(client.getUser("x' or id eq 'y"));
      expect(err).toBeInstanceOf(RangeError);
      expect(err.message).toContain('systemUserId must be a GUID');
    });
    expect(requests).toBe(0);
  });
});

describe('the upsert', () => {
  it('plans a create for an unknown e-mail without writing anything', async () => {
    const before = sandbox.state();
    const plan = await client.planUpsert({ email: 'new.rep@wff-demo.example', role: 'Participant', tags: ['AE'] });
    expect(plan).toMatchObject({ action: 'create', addedTags: ['AE'], roleChange: { from: null, to: 'Participant' } });
    expect(sandbox.state()).toEqual(before);
  });

  it('creates: SetUser, then one read for the new GUID (1 + 1 + 1 requests)', async () => {
    const { value, requests } = await requestsOf(client, () =>
      client.upsertUser({
        email: 'created.rep@wff-demo.example',
        role: 'Participant',
        firstName: 'Created',
        lastName: 'Rep',
        tags: ['AE', 'EMEA'],
        aliases: ['CRM-9'],
      }),
    );
    expect(requests).toBe(3);
    const stored = sandbox.state().users.find((u) => u.emailAddress === 'created.rep@wff-demo.example')!;
    expect(value.user).toEqual({
      systemUserId: stored.id,
      email: 'created.rep@wff-demo.example',
      firstName: 'Created',
      lastName: 'Rep',
      role: 'Participant',
      previousRole: null,
      tags: ['AE', 'EMEA'],
      aliases: ['CRM-9'],
    });
  });

  it('updates additively: tags and aliases are added, none removed, and the plan says so', async () => {
    const plan = await client.planUpsert({
      email: DEMO_USERS.dana.emailAddress,
      role: 'FullAdmin',
      tags: ['SouthEast', 'EMEA'],
      aliases: ['DW-2'],
    });
    expect(plan).toMatchObject({
      action: 'update',
      addedTags: ['EMEA'],
      addedAliases: ['DW-2'],
      roleChange: { from: 'LimitedAdmin', to: 'FullAdmin' },
      noChange: false,
    });
    expect(isPrivilegedRole(plan.roleChange!.to)).toBe(true);
    const { value, requests } = await requestsOf(client, () =>
      client.upsertUser({
        email: DEMO_USERS.dana.emailAddress,
        role: 'FullAdmin',
        tags: ['SouthEast', 'EMEA'],
        aliases: ['DW-2'],
      }),
    );
    expect(requests).toBe(4);
    expect(value.user.tags).toEqual(['Manager', 'SouthEast', 'EMEA']);
    expect(value.user.previousRole).toBe('LimitedAdmin');
    // The prediction is what the workspace now holds.
    expect(await client.findUserByEmail(DEMO_USERS.dana.emailAddress)).toEqual(value.user);
  });

  it('sends nothing when the update would change nothing', async () => {
    const setUserCalls = sandbox.requests.filter((r) => r.path.endsWith('/SetUser')).length;
    const { value, requests } = await requestsOf(client, () =>
      client.upsertUser({ email: DEMO_USERS.admin.emailAddress, role: 'FullAdmin', tags: ['Admin'] }),
    );
    expect(value.plan.noChange).toBe(true);
    expect(requests).toBe(3);
    expect(sandbox.requests.filter((r) => r.path.endsWith('/SetUser'))).toHaveLength(setUserCalls);
  });

  it('refuses a tag holding the separator or a bad e-mail, naming the field, before sending', async () => {
    const { requests } = await requestsOf(client, async () => {
      const pipe = await rejection(
        client.upsertUser({ email: 'a@wff-demo.example', role: 'Participant', tags: ['AE|EMEA'] }),
      );
      expect(pipe.message).toBe("tags[0] must not contain '|', Sales Cookie's separator");
      const blank = await rejection(
        client.upsertUser({ email: 'a@wff-demo.example', role: 'Participant', aliases: [' '] }),
      );
      expect(blank.message).toBe('aliases[0] must not be blank');
      const email = await rejection(client.upsertUser({ email: 'not-an-email', role: 'Participant' }));
      expect(email.message).toBe('email must be an e-mail address');
      const role = await rejection(client.upsertUser({ email: 'a@wff-demo.example', role: 'Owner' as 'FullAdmin' }));
      expect(role.message).toContain('role must be one of FullAdmin, LimitedAdmin, Participant, Deactivated');
    });
    expect(requests).toBe(0);
  });

  it('quotes an e-mail with an apostrophe in the OData filter', async () => {
    await client.upsertUser({ email: "o'brien@wff-demo.example", role: 'Participant' });
    expect((await client.findUserByEmail("O'Brien@wff-demo.example"))?.email).toBe("o'brien@wff-demo.example");
  });
});

describe('deactivation', () => {
  it('sets Deactivated and remembers the previous role (3 + 1 requests)', async () => {
    const target = sandbox.state().users[10]!;
    const { value, requests } = await requestsOf(client, () => client.deactivateUser(target.emailAddress));
    expect(requests).toBe(4);
    expect(value.user).toMatchObject({ role: 'Deactivated', previousRole: target.role });
    expect(sandbox.state().users[10]).toMatchObject({ role: 'Deactivated', prevAccessLevel: target.role });
  });

  it('refuses an unknown e-mail without sending SetUser, which would create a deactivated user', async () => {
    const count = sandbox.state().users.length;
    const { requests } = await requestsOf(client, async () => {
      const err = await rejection(client.deactivateUser('ghost@wff-demo.example'));
      expect(err).toMatchObject({ kind: 'http', status: 404 });
    });
    expect(requests).toBe(1);
    expect(sandbox.state().users).toHaveLength(count);
  });
});
