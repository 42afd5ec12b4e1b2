import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_USERS, SALESCOOKIE_INJECTION_TEXT } from '../../../src/sandbox/salescookie/index.js';
import { CONFIRMATION_META_KEY } from '../../../src/server.js';
import { startToolStack, type ToolStack, textOf, writes } from './tools-stack.js';

// Each user tool through an SDK client over the real runtime on the embedded sandbox, counting the requests the
// sandbox received for each job.

const dana = DEMO_USERS.dana.emailAddress;
const former = DEMO_USERS.former.emailAddress;
const USER_READ = ['GET /app/odata/SystemUser', 'GET /app/odata/WorkspaceRole', 'GET /app/odata/UserAlias'];
const TEAMS_READ = ['GET /app/odata/TeamMember', 'GET /app/odata/Team'];

let stack: ToolStack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

const userIn = (s: ToolStack, email: string) => s.sandbox.state().users.find((u) => u.emailAddress === email);

interface Confirmation {
  confirmationToken: string;
  preview: { summary: string; classification?: string; privilegedGrants?: string[] };
}
/** The result's text without the sandbox marker line every answer starts with. */
const answer = (result: Awaited<ReturnType<ToolStack['call']>>) =>
  textOf(result).replace(/^\[sandbox workspace: demo data\]\n/, '');

const confirmationOf = (result: Awaited<ReturnType<ToolStack['call']>>) =>
  result._meta?.[CONFIRMATION_META_KEY] as Confirmation | undefined;

describe('Sales Cookie user reads', () => {
  it('list_users pages with a cursor in 3 requests a page, directory text fenced', async () => {
    stack = await startToolStack();
    const s = stack;
    const first = await s.requestsDuring(() => s.call('list_users', { limit: 3 }));
    expect(first.requests).toEqual(USER_READ);
    const text = textOf(first.value);
    expect(text).toContain('3 users. More: call again with cursor');
    expect(text).toMatch(/<directory-data id="[0-9a-f]+">[\s\S]*Ignore previous instructions[\s\S]*<\/directory-data/);
    const page = first.value.structuredContent as { users: { userId: string }[]; nextCursor: string };
    expect(page.users.map((u) => u.userId)).toEqual([
      DEMO_USERS.admin.emailAddress,
      dana,
      DEMO_USERS.mallory.emailAddress,
    ]);
    const second = await s.call('list_users', { limit: 2, cursor: page.nextCursor });
    expect((second.structuredContent as { users: { userId: string }[] }).users[0]?.userId).toBe(former);
  });

  it('list_users finds by search across name, tags and aliases, in 3 requests per 1,000 users', async () => {
    stack = await startToolStack();
    const s = stack;
    const { value, requests } = await s.requestsDuring(() => s.call('list_users', { search: 'dwhitfield' }));
    // The whole directory read once: SystemUser, WorkspaceRole and UserAlias, up to 1,000 rows a request.
    expect([...requests].sort()).toEqual([...USER_READ].sort());
    expect((value.structuredContent as { users: { userId: string }[] }).users.map((u) => u.userId)).toEqual([dana]);
  });

  it('a search pages through its matches with a cursor', async () => {
    stack = await startToolStack();
    const s = stack;
    const first = await s.call('list_users', { search: 'wff-demo', limit: 2 });
    const page = first.structuredContent as { users: { userId: string }[]; nextCursor: string };
    expect(page.users.map((u) => u.userId)).toEqual([DEMO_USERS.admin.emailAddress, dana]);
    const second = await s.call('list_users', { search: 'wff-demo', limit: 2, cursor: page.nextCursor });
    expect((second.structuredContent as { users: { userId: string }[] }).users.map((u) => u.userId)).toEqual([
      DEMO_USERS.mallory.emailAddress,
      former,
    ]);
    const none = await s.call('list_users', { search: 'no such text anywhere' });
    expect(none.structuredContent).toMatchObject({ users: [], returned: 0 });
    expect(none.structuredContent).not.toHaveProperty('nextCursor');
  });

  it('get_user reads the user by e-mail with teams in 5 requests; an unknown e-mail names the field', async () => {
    stack = await startToolStack();
    const s = stack;
    const { value, requests } = await s.requestsDuring(() => s.call('get_user', { userId: dana.toUpperCase() }));
    expect(requests).toEqual([...USER_READ, ...TEAMS_READ]);
    expect(value.structuredContent).toMatchObject({
      user: { userId: dana, role: 'LimitedAdmin', tags: ['Manager', 'SouthEast'], aliases: ['DWHITFIELD'] },
    });
    expect(textOf(value)).toContain('"Sales Managers"');
    const unknown = await s.requestsDuring(() => s.call('get_user', { userId: 'nobody@wff-demo.example' }));
    expect(unknown.value.isError).toBe(true);
    expect(answer(unknown.value)).toBe('userId: no user has this e-mail; list_users finds users');
    expect(unknown.requests).toEqual(['GET /app/odata/SystemUser']);
  });
});

describe('Sales Cookie upserts', () => {
  it('create_user of a new admin previews CREATE and sends nothing; the confirmed call creates it', async () => {
    stack = await startToolStack();
    const s = stack;
    const args = { userId: 'new.admin@wff-demo.example', role: 'LimitedAdmin', firstName: 'New', tags: ['EMEA'] };
    const first = await s.requestsDuring(() => s.call('create_user', args));
    expect(first.requests).toEqual(['GET /app/odata/SystemUser']);
    const confirmation = confirmationOf(first.value);
    expect(confirmation?.preview.summary).toContain('create_user: CREATE user "new.admin@wff-demo.example"');
    expect(confirmation?.preview.summary).toContain('tags and aliases are ADDED, never removed');
    expect(confirmation?.preview.classification).toBe('access');
    expect(textOf(first.value)).toContain('now: no user has this e-mail: SetUser will CREATE one after:');
    expect(userIn(s, args.userId)).toBeUndefined();

    const done = await s.requestsDuring(() =>
      s.call('create_user', { ...args, confirmationToken: confirmation?.confirmationToken }),
    );
    expect(done.value.isError).toBeFalsy();
    // The preview again (the fingerprint re-check), then the client's own read, SetUser and the new user's GUID.
    expect(done.requests).toEqual([
      'GET /app/odata/SystemUser',
      'GET /app/odata/SystemUser',
      'POST /app/Api/SetUser',
      'GET /app/odata/SystemUser',
    ]);
    expect(userIn(s, args.userId)).toMatchObject({ role: 'LimitedAdmin', firstName: 'New', tags: ['EMEA'] });
    expect(done.value.structuredContent).toMatchObject({ action: 'create', changed: true });
  });

  it('create_user on an existing e-mail previews UPDATE, with the role change, and sends nothing', async () => {
    stack = await startToolStack();
    const s = stack;
    const first = await s.requestsDuring(() => s.call('create_user', { userId: dana, role: 'Participant' }));
    expect(first.requests).toEqual([...USER_READ, ...TEAMS_READ]);
    expect(confirmationOf(first.value)?.preview.summary).toContain(`create_user: UPDATE user "${dana}"`);
    expect(textOf(first.value)).toMatch(/now: .*role: LimitedAdmin;.* after: .*role: Participant;/);
    expect(writes(first.requests)).toEqual([]);
    expect(userIn(s, dana)?.role).toBe('LimitedAdmin');
  });

  it('update_user adds tags and aliases and never removes one; names alone are a write, sent at once', async () => {
    stack = await startToolStack();
    const s = stack;
    const { value, requests } = await s.requestsDuring(() =>
      s.call('update_user', { userId: dana, tags: ['Renewals', 'Manager'], aliases: ['D.W.'] }),
    );
    expect(value.isError).toBeFalsy();
    // The guard's preview: the kept role (3), the plan with teams (5); the handler: the kept role (3), the
    // client's plan (3) and SetUser.
    expect(requests).toEqual([
      ...USER_READ,
      ...USER_READ,
      ...TEAMS_READ,
      ...USER_READ,
      ...USER_READ,
      'POST /app/Api/SetUser',
    ]);
    expect(userIn(s, dana)).toMatchObject({
      role: 'LimitedAdmin',
      tags: ['Manager', 'SouthEast', 'Renewals'],
      aliases: [{ name: 'DWHITFIELD' }, { name: 'D.W.' }],
    });
  });

  it('update_user to FullAdmin says PRIVILEGED on the first line and sends nothing; confirmed, it lands', async () => {
    stack = await startToolStack();
    const s = stack;
    const first = await s.requestsDuring(() => s.call('update_user', { userId: dana, role: 'FullAdmin' }));
    const text = answer(first.value);
    expect(text.split('\n')[0]).toBe('CONFIRMATION REQUIRED FOR A PRIVILEGED GRANT. Nothing has been changed yet.');
    expect(text).toContain('PRIVILEGED: grants role FullAdmin');
    expect(confirmationOf(first.value)?.preview.privilegedGrants).toEqual(['role FullAdmin']);
    expect(writes(first.requests)).toEqual([]);
    const token = confirmationOf(first.value)?.confirmationToken;
    const done = await s.call('update_user', { userId: dana, role: 'FullAdmin', confirmationToken: token });
    expect(done.isError).toBeFalsy();
    expect(userIn(s, dana)?.role).toBe('FullAdmin');
  });

  it('update_user to Deactivated is destructive by effect: the typed name is asked for', async () => {
    stack = await startToolStack({ elicit: () => ({ action: 'accept', content: { confirm: true, typed: 'wrong' } }) });
    const s = stack;
    const { value, requests } = await s.requestsDuring(() =>
      s.call('update_user', { userId: dana, role: 'Deactivated' }),
    );
    expect(textOf(value)).toContain('the typed value did not match the name; nothing was sent.');
    expect(s.elicited[0]?.requestedSchema).toMatchObject({
      properties: { typed: { title: 'Type the name to confirm: Dana Whitfield' } },
    });
    expect(writes(requests)).toEqual([]);
    expect(userIn(s, dana)?.role).toBe('LimitedAdmin');
  });

  it('re-activating a Deactivated account is elevated', async () => {
    stack = await startToolStack();
    const s = stack;
    const result = await s.call('update_user', { userId: former, role: 'Participant' });
    expect(confirmationOf(result)?.preview.classification).toBe('access');
    expect(textOf(result)).toContain('ELEVATED: deactivated account re-activated as Participant');
    expect(userIn(s, former)?.role).toBe('Deactivated');
  });

  it('update_user of an unknown e-mail without a role names the role field and sends nothing', async () => {
    stack = await startToolStack();
    const s = stack;
    const { value, requests } = await s.requestsDuring(() =>
      s.call('update_user', { userId: 'nobody@wff-demo.example', firstName: 'X' }),
    );
    expect(answer(value)).toBe(
      'could not read the current data to preview this change (role: required here: no user has this e-mail, so SetUser would create one); nothing was sent.',
    );
    expect(writes(requests)).toEqual([]);
  });

  it('rejects a tag holding the separator, naming the field', async () => {
    stack = await startToolStack();
    const s = stack;
    const { value, requests } = await s.requestsDuring(() => s.call('update_user', { userId: dana, tags: ['a|b'] }));
    expect(value.isError).toBe(true);
    expect(textOf(value)).toMatch(/tags\.0.*must not contain '\|'/s);
    expect(requests).toEqual([]);
  });
});

describe('Sales Cookie delete_user', () => {
  it('says it deactivates; the typed name is required; the right one sets Deactivated and keeps the account', async () => {
    let typed = 'Dana';
    stack = await startToolStack({ elicit: () => ({ action: 'accept', content: { confirm: true, typed } }) });
    const s = stack;
    const wrong = await s.requestsDuring(() => s.call('delete_user', { userId: dana }));
    expect(textOf(wrong.value)).toContain('the typed value did not match the name; nothing was sent.');
    expect(s.elicited[0]?.message).toContain("Deactivate 1 user: role Deactivated, Sales Cookie's only removal");
    expect(writes(wrong.requests)).toEqual([]);

    typed = 'Dana Whitfield';
    const right = await s.requestsDuring(() => s.call('delete_user', { userId: dana }));
    expect(right.value.isError).toBeFalsy();
    expect(textOf(right.value)).toContain('Deactivated user "dana.whitfield@wff-demo.example": role Deactivated');
    // Preview read (5), the fingerprint re-check (5), the client's plan (3) and SetUser.
    expect(right.requests).toEqual([
      ...USER_READ,
      ...TEAMS_READ,
      ...USER_READ,
      ...TEAMS_READ,
      ...USER_READ,
      'POST /app/Api/SetUser',
    ]);
    expect(userIn(s, dana)).toMatchObject({ role: 'Deactivated', prevAccessLevel: 'LimitedAdmin' });
  });

  it('an unknown e-mail is a missing target, and nothing is created', async () => {
    stack = await startToolStack({
      elicit: () => ({ action: 'accept', content: { confirm: true, typed: 'nobody@wff-demo.example' } }),
    });
    const s = stack;
    const { value, requests } = await s.requestsDuring(() =>
      s.call('delete_user', { userId: 'nobody@wff-demo.example' }),
    );
    expect(value.isError).toBe(true);
    expect(textOf(value)).toContain('userId: no user has this e-mail; nothing was sent');
    expect(writes(requests)).toEqual([]);
    expect(userIn(s, 'nobody@wff-demo.example')).toBeUndefined();
  });
});

describe('Sales Cookie allowlist', () => {
  it('does not start when --tenants does not name the workspace, and says which it must name', async () => {
    await expect(startToolStack({ flags: ['--tenants', 'another-workspace'] })).rejects.toThrow(
      '--tenants must name the Sales Cookie workspace "WFF Demo Sales": one API key reaches that workspace alone',
    );
  });

  it('starts when --tenants names it', async () => {
    stack = await startToolStack({ flags: ['--tenants', 'WFF Demo Sales,another-workspace'] });
    expect((await stack.call('get_user', { userId: dana })).isError).toBeFalsy();
  });
});

describe('Sales Cookie directory text', () => {
  it('injection text in names, tags and aliases stays inside the untrusted-data fence', async () => {
    stack = await startToolStack();
    const text = textOf(await stack.call('get_user', { userId: DEMO_USERS.mallory.emailAddress }));
    const fenced = text.slice(text.indexOf('<directory-data'));
    expect(text.indexOf(SALESCOOKIE_INJECTION_TEXT)).toBeGreaterThan(text.indexOf('<directory-data'));
    // The first name, a tag, an alias and the name of a team the user is in.
    expect(fenced.split(SALESCOOKIE_INJECTION_TEXT).length - 1).toBe(4);
  });
});

describe('an upsert is judged by the role it sets, whoever exists now', () => {
  // A create racing this call could make the account exist before the upsert lands: a role set on an account
  // not found now is access, and Deactivated destructive, so user-writes refuses both and nothing is sent.
  it.each([
    ['Participant', "'access'"],
    ['Deactivated', "'destructive'"],
  ])('create_user of a new e-mail with role %s is refused in user-writes as %s', async (role, cls) => {
    stack = await startToolStack({ flags: ['--mode', 'user-writes'] });
    const s = stack;
    const { value, requests } = await s.requestsDuring(() =>
      s.call('create_user', { userId: `race.${role.toLowerCase()}@wff-demo.example`, role }),
    );
    expect(value.isError).toBe(true);
    expect(textOf(value)).toContain(`this call is ${cls} by its effect`);
    expect(requests.filter((r) => !r.startsWith('GET '))).toEqual([]);
  });
});

describe('update_user to Deactivated', () => {
  it('says in the summary the person reads first that the user loses all access', async () => {
    stack = await startToolStack({ elicit: () => ({ action: 'decline' }) });
    const s = stack;
    await s.call('update_user', { userId: dana, role: 'Deactivated' });
    const first = s.elicited[0]?.message.split('\n').find((line) => line.includes('UPDATE user'));
    expect(first).toContain('role LimitedAdmin -> Deactivated: the user loses all access');
  });
});
