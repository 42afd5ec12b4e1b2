// Every hardening rule of the approvals page at the HTTP level, with what a browser cannot be made to send (a
// rebinding Host header, no Origin, a text/plain body): the page over real HTTP, its desk asked as the guard asks.
import { request } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ApprovalsPage, startApprovalsPage } from '../../src/approvals/index.js';
import type { DeskDecision, PendingChange } from '../../src/guards/approval-desk.js';

const CHANGE: PendingChange = {
  digest: 'a'.repeat(64),
  tool: 'assign_permissions_to_users',
  classification: 'access',
  lines: ['Grant "Payroll Auditor" to 1 user', 'user u1 "<b>Dana</b>" now: nothing after: "Payroll Auditor"'],
  client: { name: 'test-client', version: '1.0.0' },
  principal: 'local-process:1',
};
const DELETION: PendingChange = {
  ...CHANGE,
  digest: 'b'.repeat(64),
  tool: 'delete_user',
  classification: 'destructive',
  typed: { what: 'the name', value: 'Dana Whitfield' },
};

let page: ApprovalsPage;
let host = '';
beforeEach(async () => {
  page = await startApprovalsPage({ port: 0 });
  host = new URL(page.origin).host;
});
afterEach(() => page.close());

async function http(
  method: 'GET' | 'POST',
  path: string,
  options: { headers?: Record<string, string>; body?: string } = {},
) {
  const answer = await request(`${page.origin}${path}`, {
    method,
    headers: { host, ...options.headers },
    ...(options.body === undefined ? {} : { body: options.body }),
  });
  return { status: answer.statusCode, headers: answer.headers, text: await answer.body.text() };
}

/** Opens the one-time link: the session cookie a browser would keep. */
async function signIn(): Promise<string> {
  const opened = await http('GET', new URL(page.link).pathname + new URL(page.link).search);
  expect(opened.status).toBe(303);
  const cookie = String(opened.headers['set-cookie']);
  return cookie.split(';')[0] as string;
}

/** Asks the desk as the guard does; the decision arrives when the page (or its deadline) gives one. */
function ask(change: PendingChange, timeoutMs = 60_000): { decision: Promise<DeskDecision>; abort: AbortController } {
  const abort = new AbortController();
  return {
    decision: page.desk.decide(change, { timeoutMs, signal: abort.signal }).then((outcome) => outcome.decision),
    abort,
  };
}

/** The form fields the page renders for `tool`'s change, as a browser would post them. */
async function formOf(cookie: string, tool: string): Promise<Record<string, string>> {
  const listed = await http('GET', '/', { headers: { cookie } });
  const section = listed.text.split('<section').find((part) => part.includes(`>${tool} `));
  if (section === undefined) throw new Error(`${tool} is not on the page`);
  const fields: Record<string, string> = {};
  for (const [, name, value] of section.matchAll(/<input type="hidden" name="(\w+)" value="([^"]*)">/g)) {
    fields[name as string] = value as string;
  }
  return fields;
}

function post(cookie: string, fields: Record<string, string>, headers: Record<string, string> = {}) {
  return http('POST', '/decide', {
    headers: {
      cookie,
      origin: page.origin,
      'content-type': 'application/x-www-form-urlencoded',
      ...headers,
    },
    body: new URLSearchParams(fields).toString(),
  });
}

describe('approvals page: who may reach it', () => {
  it('listens on 127.0.0.1 only, and refuses a Host header that is not its loopback name (DNS rebinding)', async () => {
    expect(new URL(page.origin).hostname).toBe('127.0.0.1');
    const cookie = await signIn();
    for (const rebound of ['evil.example', `evil.example:${new URL(page.origin).port}`, '127.0.0.1:1', '0.0.0.0']) {
      const answer = await http('GET', '/', { headers: { host: rebound, cookie } });
      expect(answer.status, rebound).toBe(403);
      expect(answer.text).not.toContain('Changes waiting');
    }
    const local = await http('GET', '/', { headers: { host: `localhost:${new URL(page.origin).port}`, cookie } });
    expect(local.status).toBe(200);
  });

  it('needs the link secret: none is 401, a wrong one 403, the right one a session once and a redirect that strips it', async () => {
    expect((await http('GET', '/')).status).toBe(401);
    expect((await http('GET', '/pending')).status).toBe(401);
    expect((await http('GET', '/?k=wrong')).status).toBe(403);
    const secret = new URL(page.link).searchParams.get('k') as string;
    expect((await http('GET', `/?k=${secret.slice(0, -1)}`)).status).toBe(403);
    const opened = await http('GET', `/?k=${secret}`);
    expect(opened.status).toBe(303);
    expect(opened.headers.location).toBe('/');
    const cookie = String(opened.headers['set-cookie']);
    expect(cookie).toMatch(/^visier_approvals_\d+=[\w-]{43}; HttpOnly; SameSite=Strict; Path=\/$/);
    expect(cookie).not.toContain(secret);
    const again = await http('GET', `/?k=${secret}`);
    expect(again.status).toBe(403);
    expect(again.text).toContain('already opened');
    expect((await http('GET', '/', { headers: { cookie: 'visier_approvals_1=forged' } })).status).toBe(401);
  });

  it('every answer forbids framing and inline script, whatever its status', async () => {
    const cookie = await signIn();
    for (const [path, headers] of [
      ['/', { cookie }],
      ['/', {}],
      ['/?k=wrong', {}],
      ['/nowhere', {}],
      ['/approvals.js', {}],
    ] as const) {
      const answer = await http('GET', path, { headers });
      const csp = String(answer.headers['content-security-policy']);
      expect(csp, path).toContain("frame-ancestors 'none'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toContain('unsafe-inline');
      expect(answer.headers['x-frame-options']).toBe('DENY');
    }
    const listed = await http('GET', '/', { headers: { cookie } });
    // Scripts only by src, from the page's own origin: none inline.
    expect(listed.text.match(/<script[^>]*>/g)).toEqual(['<script src="approvals.js" defer>']);
  });
});

describe('approvals page: deciding', () => {
  it('shows the whole preview, who asked and through which client, with directory text escaped', async () => {
    const cookie = await signIn();
    const { decision, abort } = ask(CHANGE);
    const listed = await http('GET', '/', { headers: { cookie } });
    expect(listed.text).toContain(
      'Grant &quot;Payroll Auditor&quot; to 1 user\nuser u1 &quot;&lt;b&gt;Dana&lt;/b&gt;&quot;',
    );
    expect(listed.text).not.toContain('<b>Dana');
    expect(listed.text).toContain('Asked by local-process:1 through test-client 1.0.0');
    abort.abort();
    expect(await decision).toBe('cancelled');
    expect((await http('GET', '/', { headers: { cookie } })).text).not.toContain('assign_permissions_to_users');
  });

  it('refuses a decision without the session, the same-origin Origin or the CSRF token, or not sent as a form', async () => {
    const cookie = await signIn();
    const { decision, abort } = ask(CHANGE);
    const form: Record<string, string> = { ...(await formOf(cookie, CHANGE.tool)), decision: 'approve' };
    const refusals: [string, Promise<{ status: number; text: string }>, number, string][] = [
      ['no session', post('', form), 401, 'one-time link'],
      ['no Origin', post(cookie, form, { origin: '' }), 403, 'Origin'],
      ['another origin', post(cookie, form, { origin: 'http://127.0.0.1:1' }), 403, 'Origin'],
      ['a null Origin', post(cookie, form, { origin: 'null' }), 403, 'Origin'],
      ['no CSRF token', post(cookie, { ...form, csrf: '' }), 403, 'CSRF'],
      ['another CSRF token', post(cookie, { ...form, csrf: `${form.csrf}x` }), 403, 'CSRF'],
      ['text/plain', post(cookie, form, { 'content-type': 'text/plain' }), 415, 'form'],
      ['no id', post(cookie, { ...form, id: '' }), 409, 'no longer waiting'],
      [
        'no decision',
        post(cookie, { ...form, decision: 'maybe' }),
        400,
        'must be &quot;approve&quot; or &quot;deny&quot;',
      ],
      ['another digest', post(cookie, { ...form, digest: 'c'.repeat(64) }), 409, 'another change'],
      ['too large', post(cookie, { ...form, pad: 'x'.repeat(20_000) }), 413, 'at most'],
    ];
    for (const [label, answer, status, text] of refusals) {
      const { status: got, text: body } = await answer;
      expect(got, label).toBe(status);
      expect(body, label).toContain(text);
    }
    // Missing fields are named.
    const { id: _id, digest: _digest, ...bare } = form;
    expect((await post(cookie, bare)).text).toContain('lacks id and digest');
    expect((await http('GET', '/decide', { headers: { cookie } })).status).toBe(405);
    // None of it decided anything: the change still waits, and the right form decides it.
    expect((await http('GET', '/pending', { headers: { cookie } })).text).toBe('{"version":1,"pending":1}');
    const approved = await post(cookie, form);
    expect(approved.status).toBe(303);
    expect(approved.headers.location).toBe('/?done=approved');
    expect(await decision).toBe('approved');
    abort.abort();
  });

  it('a decision is single-use, and approving one change approves no other', async () => {
    const cookie = await signIn();
    const first = ask(CHANGE);
    const second = ask({ ...CHANGE, digest: 'd'.repeat(64), tool: 'add_users_to_group' });
    const firstForm = { ...(await formOf(cookie, CHANGE.tool)), decision: 'approve' };
    const secondForm = await formOf(cookie, 'add_users_to_group');
    // The first change's id with the second's digest, and the reverse: neither decides either.
    expect((await post(cookie, { ...firstForm, digest: secondForm.digest as string })).status).toBe(409);
    expect((await post(cookie, { ...firstForm, id: secondForm.id as string })).status).toBe(409);
    expect((await post(cookie, firstForm)).status).toBe(303);
    expect(await first.decision).toBe('approved');
    const replay = await post(cookie, firstForm);
    expect(replay.status).toBe(409);
    expect(replay.text).toContain('no longer waiting');
    expect((await http('GET', '/pending', { headers: { cookie } })).text).toContain('"pending":1');
    expect((await post(cookie, { ...secondForm, decision: 'deny' })).status).toBe(303);
    expect(await second.decision).toBe('denied');
  });

  it('a deletion is approved only with the name typed exactly; denying needs no typing', async () => {
    const cookie = await signIn();
    const deletion = ask(DELETION);
    const form = { ...(await formOf(cookie, DELETION.tool)), decision: 'approve' };
    for (const typed of [undefined, '', 'dana whitfield', ' Dana Whitfield', 'Dana Whitfield ']) {
      const answer = await post(cookie, typed === undefined ? form : { ...form, typed });
      expect(answer.status, JSON.stringify(typed)).toBe(422);
      expect(answer.text).toContain('type the name exactly as shown');
    }
    expect((await post(cookie, { ...form, typed: 'Dana Whitfield' })).status).toBe(303);
    expect(await deletion.decision).toBe('approved');

    const denied = ask({ ...DELETION, digest: 'e'.repeat(64) });
    const denyForm = { ...(await formOf(cookie, DELETION.tool)), decision: 'deny' };
    expect((await post(cookie, denyForm)).status).toBe(303);
    expect(await denied.decision).toBe('denied');
  });

  it('no click within the time: timed out, withdrawn from the page, and a late click decides nothing', async () => {
    const cookie = await signIn();
    const { decision } = ask(CHANGE, 1_000);
    const form = { ...(await formOf(cookie, CHANGE.tool)), decision: 'approve' };
    expect(await decision).toBe('timed-out');
    expect((await post(cookie, form)).status).toBe(409);
  });
});
