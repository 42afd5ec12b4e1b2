// The Sisense user tools through an SDK client over the real runtime on the embedded sandbox: what each sends
// (request counts per job), that previews dry-run with test_mode=true and store nothing, that a confirmed change
// lands, and that the guards refuse what they must before anything is sent.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SISENSE_DEMO_GROUPS, SISENSE_DEMO_USERS, SISENSE_INJECTION_TEXT } from '../../../src/sandbox/sisense/index.js';
import { changes, type SisenseStack, sent, startSisenseStack, textOf } from './tools-stack.js';

const { admin, dana, mallory } = SISENSE_DEMO_USERS;
const PRIMARY_USERS = 123; // 3 fixed demo users + 120 generated ones, 50 per page

let s: SisenseStack;
beforeAll(async () => {
  s = await startSisenseStack();
});
afterAll(() => s.close());
beforeEach(() => s.sandbox.clearRequests());

const user = (email: string, site?: string) => s.sandbox.snapshot(site).users.find((u) => u.email === email);

describe('list_users and get_user', () => {
  it('list_users reads every page of the directory once and pages it for the model', async () => {
    const result = await s.call('list_users', { limit: 2 });
    expect(result.isError).toBeFalsy();
    expect(sent(s.sandbox)).toEqual([
      'GET /api/v1/users',
      expect.stringMatching(/^GET \/api\/v1\/users\?next_page_start=/),
      expect.stringMatching(/^GET \/api\/v1\/users\?next_page_start=/),
    ]);
    const out = result.structuredContent as { users: { userId: string }[]; returned: number; nextCursor?: string };
    expect(out.returned).toBe(2);
    expect(out.users.map((u) => u.userId)).toEqual([admin.email, dana.email]);
    const next = await s.call('list_users', { limit: 500, cursor: out.nextCursor });
    expect((next.structuredContent as { returned: number }).returned).toBe(PRIMARY_USERS - 2);
  });

  it('list_users with a search finds by name, and the injected text stays inside the fence', async () => {
    const result = await s.call('list_users', { search: 'mallory' });
    const text = textOf(result);
    expect((result.structuredContent as { users: { userId: string }[] }).users.map((u) => u.userId)).toEqual([
      mallory.email,
    ]);
    const fenceOpen = text.indexOf('<directory-data');
    expect(fenceOpen).toBeGreaterThan(-1);
    expect(text.indexOf(SISENSE_INJECTION_TEXT)).toBeGreaterThan(fenceOpen);
  });

  it('get_user gives groups, the level each grants and the effective level: two requests', async () => {
    const result = await s.call('get_user', { userId: dana.email });
    expect(sent(s.sandbox).sort()).toEqual(['GET /api/v1/groups', 'GET /api/v1/users']);
    const out = result.structuredContent as { user: { accessLevel: string; groupAccess: unknown[] } };
    expect(out.user.accessLevel).toBe('SQL');
    expect(out.user.groupAccess).toContainEqual({ name: SISENSE_DEMO_GROUPS.sqlAnalysts.name, accessLevel: 'SQL' });
    expect(textOf(result)).toContain('effective access: SQL');
  });

  it('get_user of an unknown e-mail says so and names the tool that finds users', async () => {
    const result = await s.call('get_user', { userId: 'nobody@wff-demo.example' });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/HTTP 404/);
  });

  it('a userId that is not an e-mail is refused naming the field, with nothing sent', async () => {
    const result = await s.call('get_user', { userId: 'dana' });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/userId/);
    expect(sent(s.sandbox)).toEqual([]);
  });
});

describe('create_user, update_user, delete_user', () => {
  it('a profile-only create_user is a write: one POST with test_mode=false, and it lands', async () => {
    const email = 'new.analyst@wff-demo.example';
    const result = await s.call('create_user', {
      userId: email,
      firstName: 'New',
      lastName: 'Analyst',
      invitedBy: admin.email,
    });
    expect(result.isError, textOf(result)).toBeFalsy();
    expect(sent(s.sandbox)).toEqual(['POST /api/v1/users?test_mode=false']);
    expect(user(email)).toMatchObject({ first_name: 'New', last_name: 'Analyst', invited_by_email: admin.email });
  });

  it('create_user into Administrators is a PRIVILEGED access change: the dry run is sent, nothing stored until confirmed', async () => {
    const email = 'new.admin@wff-demo.example';
    const args = {
      userId: email,
      firstName: 'New',
      lastName: 'Admin',
      groups: ['Administrators'],
      invitedBy: admin.email,
    };
    const first = await s.call('create_user', args);
    expect(textOf(first)).toMatch(/^PRIVILEGED: grants Admin access \(group "Administrators"\)$/m);
    expect(textOf(first)).toContain('dry run (test_mode=true): Sisense accepted it');
    expect(changes(s.sandbox)).toEqual(['POST /api/v1/users?test_mode=true']);
    expect(user(email)).toBeUndefined();

    s.sandbox.clearRequests();
    const { second } = await s.confirmed('create_user', args);
    expect(second.isError, textOf(second)).toBeFalsy();
    // The second call's re-check dry-runs again before the real POST.
    expect(changes(s.sandbox).slice(-2)).toEqual([
      'POST /api/v1/users?test_mode=true',
      'POST /api/v1/users?test_mode=false',
    ]);
    expect(user(email)?.groups).toContain('Administrators');
  });

  it("a change Sisense's dry run refuses is refused with Sisense's reason, without asking anyone", async () => {
    const result = await s.call('create_user', {
      userId: 'refused@wff-demo.example',
      firstName: 'Re',
      lastName: 'Fused',
      groups: [SISENSE_DEMO_GROUPS.viewers.name],
      invitedBy: dana.email, // not an administrator: Sisense refuses the invitation
    });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/dry run \(test_mode=true\) refused this change/);
    expect(textOf(result)).toMatch(/not an administrator/);
    expect(textOf(result)).not.toMatch(/confirmationToken/);
    expect(changes(s.sandbox)).toEqual(['POST /api/v1/users?test_mode=true']);
  });

  it('update_user of names only is a write: one PUT, no preview', async () => {
    const result = await s.call('update_user', { userId: dana.email, lastName: 'Whitfield-Ng' });
    expect(result.isError, textOf(result)).toBeFalsy();
    expect(sent(s.sandbox)).toEqual(['PUT /api/v1/users?test_mode=false']);
    expect(user(dana.email)?.last_name).toBe('Whitfield-Ng');
  });

  it('update_user naming nothing to change is refused naming the fields, with nothing sent', async () => {
    const result = await s.call('update_user', { userId: dana.email });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toContain('firstName, lastName, groups: name at least one to change');
    expect(sent(s.sandbox)).toEqual([]);
  });

  it('update_user replacing groups is an access change whose preview shows before and after groups', async () => {
    const args = { userId: dana.email, groups: [SISENSE_DEMO_GROUPS.discovery.name] };
    const { preview, second } = await s.confirmed('update_user', args);
    expect(preview.targets[0]?.before).toEqual([
      expect.stringContaining(dana.email),
      `groups: "All Users", "${SISENSE_DEMO_GROUPS.sqlAnalysts.name}"`,
    ]);
    expect(preview.targets[0]?.after?.[0]).toBe(`groups: "${SISENSE_DEMO_GROUPS.discovery.name}"`);
    expect(second.isError, textOf(second)).toBeFalsy();
    expect(user(dana.email)?.groups).not.toContain(SISENSE_DEMO_GROUPS.sqlAnalysts.name);
    expect(user(dana.email)?.groups).toContain(SISENSE_DEMO_GROUPS.discovery.name);
  });

  it('delete_user is destructive: preview (GET + dry run), then on confirmation GET + dry run + DELETE', async () => {
    const { first, second } = await s.confirmed('delete_user', { userId: mallory.email });
    expect(textOf(first)).toMatch(/Delete user m\.quinn@wff-demo\.example from site wff-demo/);
    expect(sent(s.sandbox)).toEqual([
      'GET /api/v1/users',
      'DELETE /api/v1/users?test_mode=true',
      'GET /api/v1/users',
      'DELETE /api/v1/users?test_mode=true',
      'DELETE /api/v1/users?test_mode=false',
    ]);
    expect(second.isError, textOf(second)).toBeFalsy();
    expect(user(mallory.email)).toBeUndefined();
  });
});

describe('the site allowlist', () => {
  it('a call naming a site outside the allowlist is refused with nothing sent', async () => {
    const result = await s.call('delete_user', { userId: dana.email, site: s.sandbox.siteWithoutApi.site });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/wff-demo-basic/);
    expect(sent(s.sandbox)).toEqual([]);
  });

  it('a call naming the second allowed site acts there', async () => {
    const eu = s.sandbox.sites.secondary.site;
    const result = await s.call('get_user', { userId: dana.email, site: eu });
    expect(result.isError, textOf(result)).toBeFalsy();
    expect(s.sandbox.requests.map((r) => r.tenant)).toEqual([eu, eu]);
  });
});
