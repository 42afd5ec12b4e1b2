// Every hardening rule of the approvals page at the HTTP level, with what a browser cannot be made to send (a
// rebinding Host header, no Origin, a text/plain body, a cookie): the page over real HTTP, its desk asked as the
// guard asks.
import { request } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { APPROVALS_JS } from '../../src/approvals/assets.js';
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

type Answer = { status: number; headers: Record<string, string | string[] | undefined>; text: string };

async function http(
  method: 'GET' | 'POST',
  path: string,
  options: { headers?: Record<string, string>; body?: string } = {},
): Promise<Answer> {
  const answer = await request(`${page.origin}${path}`, {
    method,
    headers: { host, ...options.headers },
    ...(options.body === undefined ? {} : { body: options.body }),
  });
  return { status: answer.statusCode, headers: answer.headers, text: await answer.body.text() };
}

/** A POST as the page's script sends it: JSON, its own Origin, and the session header when there is one. */
function post(path: string, body: unknown, session?: string, headers: Record<string, string> = {}) {
  return http('POST', path, {
    headers: {
      origin: page.origin,
      'content-type': 'application/json',
      ...(session === undefined ? {} : { 'x-approvals-session': session }),
      ...headers,
    },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

const secretOf = (link: string) => new URLSearchParams(new URL(link).hash.slice(1)).get('k') as string;

/** Trades the one-time link's secret, as the page's script does: the session key it keeps in sessionStorage. */
async function signIn(): Promise<string> {
  const opened = await post('/session', { link: secretOf(page.link) });
  expect(opened.status).toBe(200);
  return JSON.parse(opened.text).session;
}

/** Asks the desk as the guard does; the decision arrives when the page (or its deadline) gives one. */
function ask(change: PendingChange, timeoutMs = 60_000): { decision: Promise<DeskDecision>; abort: AbortController } {
  const abort = new AbortController();
  return {
    decision: page.desk.decide(change, { timeoutMs, signal: abort.signal }).then((outcome) => outcome.decision),
    abort,
  };
}

const listOf = async (session: string) =>
  JSON.parse((await http('GET', '/pending', { headers: { 'x-approvals-session': session } })).text) as {
    version: number;
    items: { id: string; digest: string; tool: string; who: string; preview: string }[];
  };

/** What the page's script would post for `tool`'s change: its id and digest. */
async function decisionOf(session: string, tool: string): Promise<{ id: string; digest: string }> {
  const item = (await listOf(session)).items.find((i) => i.tool === tool);
  if (item === undefined) throw new Error(`${tool} is not on the page`);
  return { id: item.id, digest: item.digest };
}

const decide = (session: string, body: unknown, headers: Record<string, string> = {}) =>
  post('/decide', body, session, headers);

describe('approvals page: who may reach it', () => {
  it('listens on 127.0.0.1 only, and refuses a Host header that is not its loopback name (DNS rebinding)', async () => {
    expect(new URL(page.origin).hostname).toBe('127.0.0.1');
    const session = await signIn();
    for (const rebound of ['evil.example', `evil.example:${new URL(page.origin).port}`, '127.0.0.1:1', '0.0.0.0']) {
      for (const path of ['/', '/pending']) {
        const answer = await http('GET', path, { headers: { host: rebound, 'x-approvals-session': session } });
        expect(answer.status, `${rebound} ${path}`).toBe(403);
        expect(answer.text).not.toContain('items');
      }
    }
    const local = await http('GET', '/pending', {
      headers: { host: `localhost:${new URL(page.origin).port}`, 'x-approvals-session': session },
    });
    expect(local.status).toBe(200);
  });

  it('the secret rides in the fragment; traded once for a key sent as a header; no cookie is set or read', async () => {
    const link = new URL(page.link);
    expect(link.search).toBe('');
    expect(link.hash).toMatch(/^#k=[\w-]{43}$/);
    expect((await http('GET', '/pending')).status).toBe(401);
    // The shell itself holds nothing: it is the same for anyone.
    const shell = await http('GET', '/');
    expect(shell.status).toBe(200);
    expect(shell.headers['set-cookie']).toBeUndefined();
    const secret = secretOf(page.link);
    expect((await post('/session', { link: 'wrong' })).status).toBe(403);
    expect((await post('/session', { link: secret.slice(0, -1) })).text).toContain('no valid secret');
    // Only from the page itself, as JSON.
    expect((await post('/session', { link: secret }, undefined, { origin: 'http://127.0.0.1:1' })).status).toBe(403);
    expect(
      (await post('/session', `link=${secret}`, undefined, { 'content-type': 'application/x-www-form-urlencoded' }))
        .status,
    ).toBe(415);
    const opened = await post('/session', { link: secret });
    expect(opened.status).toBe(200);
    expect(opened.headers['set-cookie']).toBeUndefined();
    const { session } = JSON.parse(opened.text) as { session: string };
    expect(session).toMatch(/^[\w-]{43}$/);
    expect((await http('GET', '/pending', { headers: { 'x-approvals-session': 'forged' } })).status).toBe(401);
    // A cookie carrying the very key decides nothing: only the header counts.
    for (const cookie of [`visier_approvals_${link.port}=${session}`, `x-approvals-session=${session}`]) {
      expect((await http('GET', '/pending', { headers: { cookie } })).status, cookie).toBe(401);
    }
    expect((await http('GET', '/pending', { headers: { 'x-approvals-session': session } })).status).toBe(200);
    // A second use proves the link was read by two: refused, and the page it opened is signed out, saying why.
    const again = await post('/session', { link: secret });
    expect(again.status).toBe(403);
    expect(again.text).toContain('already opened');
    const signedOut = await http('GET', '/pending', { headers: { 'x-approvals-session': session } });
    expect(signedOut.status).toBe(401);
    expect(JSON.parse(signedOut.text)).toMatchObject({ reason: 'session-revoked' });
    expect(signedOut.text).toContain('used a second time');
    // The link is void from then on; the fresh one opens the page.
    expect((await post('/session', { link: secret })).text).toContain('no valid secret');
    expect(secretOf(page.link)).not.toBe(secret);
    expect((await post('/session', { link: secretOf(page.link) })).status).toBe(200);
  });

  it('a navigation another site made gets the shell that drops a stored key; the API answers only the page itself', async () => {
    const session = await signIn();
    const storedKey = async (site?: string) => {
      const shell = await http('GET', '/', site === undefined ? {} : { headers: { 'sec-fetch-site': site } });
      expect(shell.status).toBe(200);
      return /data-stored-key="(\w+)"/.exec(shell.text)?.[1];
    };
    // The person's own navigations (address bar, a link from a terminal, a reload) and the page's own keep it.
    for (const site of [undefined, 'none', 'same-origin']) expect(await storedKey(site), String(site)).toBe('use');
    // A window another port of 127.0.0.1 (same-site) or any other site opened does not.
    for (const site of ['same-site', 'cross-site']) expect(await storedKey(site), site).toBe('discard');
    expect(APPROVALS_JS).toContain("const reachedByPerson = document.documentElement.dataset.storedKey === 'use';");
    expect(APPROVALS_JS).toContain('if (!reachedByPerson) sessionStorage.removeItem(KEY);');

    const listed = (site?: string) =>
      http('GET', '/pending', {
        headers: { 'x-approvals-session': session, ...(site === undefined ? {} : { 'sec-fetch-site': site }) },
      });
    for (const site of [undefined, 'same-origin']) expect((await listed(site)).status, String(site)).toBe(200);
    for (const site of ['none', 'same-site', 'cross-site']) {
      const refused = await listed(site);
      expect(refused.status, site).toBe(403);
      expect(JSON.parse(refused.text)).toMatchObject({ reason: 'cross-site' });
    }
    const { decision, abort } = ask(CHANGE);
    const named = await decisionOf(session, CHANGE.tool);
    for (const site of ['none', 'same-site', 'cross-site']) {
      const refused = await decide(session, { ...named, decision: 'approve' }, { 'sec-fetch-site': site });
      expect(refused.status, site).toBe(403);
      expect(refused.text).toContain('Sec-Fetch-Site');
      expect((await post('/session', { link: 'any' }, undefined, { 'sec-fetch-site': site })).status).toBe(403);
    }
    // Still waiting, and the page's own request decides it.
    expect((await decide(session, { ...named, decision: 'deny' }, { 'sec-fetch-site': 'same-origin' })).status).toBe(
      200,
    );
    expect(await decision).toBe('denied');
    abort.abort();
  });

  it('every answer forbids framing and inline script, whatever its status', async () => {
    const session = await signIn();
    for (const [path, headers] of [
      ['/', {}],
      ['/pending', { 'x-approvals-session': session }],
      ['/pending', {}],
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
    const shell = await http('GET', '/');
    // Scripts only by src, from the page's own origin: none inline.
    expect(shell.text.match(/<script[^>]*>/g)).toEqual(['<script src="approvals.js" defer>']);
    // The script builds the list from text nodes only: no directory text is ever parsed as markup.
    expect(APPROVALS_JS).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(/);
  });
});

describe('approvals page: deciding', () => {
  it('lists the whole preview, who asked and through which client, as data the page shows as text', async () => {
    const session = await signIn();
    const { decision, abort } = ask(CHANGE);
    const [item] = (await listOf(session)).items;
    expect(item?.preview).toBe(CHANGE.lines.join('\n'));
    expect(item?.who).toContain('Asked by local-process:1 through test-client 1.0.0');
    abort.abort();
    expect(await decision).toBe('cancelled');
    expect((await listOf(session)).items).toEqual([]);
  });

  it('refuses a decision without the session header or the same-origin Origin, or not sent as JSON', async () => {
    const session = await signIn();
    const { decision, abort } = ask(CHANGE);
    const named = await decisionOf(session, CHANGE.tool);
    const body = { ...named, decision: 'approve' };
    const refusals: [string, Promise<Answer>, number, string][] = [
      ['no session', post('/decide', body), 401, 'one-time link'],
      [
        'a session as a cookie',
        post('/decide', body, undefined, { cookie: `x-approvals-session=${session}` }),
        401,
        'one-time link',
      ],
      ['no Origin', decide(session, body, { origin: '' }), 403, 'Origin'],
      ['another origin', decide(session, body, { origin: 'http://127.0.0.1:1' }), 403, 'Origin'],
      ['a null Origin', decide(session, body, { origin: 'null' }), 403, 'Origin'],
      ['text/plain', decide(session, JSON.stringify(body), { 'content-type': 'text/plain' }), 415, 'application/json'],
      [
        'a form',
        decide(session, new URLSearchParams(body).toString(), { 'content-type': 'application/x-www-form-urlencoded' }),
        415,
        'application/json',
      ],
      ['not JSON', decide(session, '{"id":'), 400, 'not JSON'],
      ['an array', decide(session, '[]'), 400, 'JSON object'],
      ['no id', decide(session, { ...body, id: 'nope' }), 409, 'no longer waiting'],
      ['no decision', decide(session, { ...body, decision: 'maybe' }), 400, 'must be \\"approve\\" or \\"deny\\"'],
      ['another digest', decide(session, { ...body, digest: 'c'.repeat(64) }), 409, 'another change'],
      ['too large', decide(session, { ...body, pad: 'x'.repeat(20_000) }), 413, 'at most'],
    ];
    for (const [label, answer, status, text] of refusals) {
      const { status: got, text: said } = await answer;
      expect(got, label).toBe(status);
      expect(said, label).toContain(text);
    }
    // Missing fields are named.
    expect((await decide(session, { decision: 'approve' })).text).toContain('lacks id and digest');
    expect((await http('GET', '/decide', { headers: { 'x-approvals-session': session } })).status).toBe(405);
    // None of it decided anything: the change still waits, and the right request decides it.
    expect((await listOf(session)).items.map((i) => i.id)).toEqual([named.id]);
    const approved = await decide(session, body);
    expect(approved.status).toBe(200);
    expect(JSON.parse(approved.text)).toEqual({
      decision: 'approved',
      waitingFor: 0,
      text: 'Approved: the change is being made now.',
    });
    expect(await decision).toBe('approved');
    abort.abort();
  });

  it('a decision is single-use, and approving one change approves no other', async () => {
    const session = await signIn();
    const first = ask(CHANGE);
    const second = ask({ ...CHANGE, digest: 'd'.repeat(64), tool: 'add_users_to_group' });
    const firstBody = { ...(await decisionOf(session, CHANGE.tool)), decision: 'approve' };
    const secondBody = await decisionOf(session, 'add_users_to_group');
    // The first change's id with the second's digest, and the reverse: neither decides either.
    expect((await decide(session, { ...firstBody, digest: secondBody.digest })).status).toBe(409);
    expect((await decide(session, { ...firstBody, id: secondBody.id })).status).toBe(409);
    expect((await decide(session, firstBody)).status).toBe(200);
    expect(await first.decision).toBe('approved');
    const replay = await decide(session, firstBody);
    expect(replay.status).toBe(409);
    expect(replay.text).toContain('no longer waiting');
    expect((await listOf(session)).items.map((i) => i.id)).toEqual([secondBody.id]);
    expect((await decide(session, { ...secondBody, decision: 'deny' })).status).toBe(200);
    expect(await second.decision).toBe('denied');
  });

  it('a deletion is approved only with the name typed exactly; denying needs no typing', async () => {
    const session = await signIn();
    const deletion = ask(DELETION);
    const body = { ...(await decisionOf(session, DELETION.tool)), decision: 'approve' };
    for (const typed of [undefined, '', 'dana whitfield', ' Dana Whitfield', 'Dana Whitfield ', 42]) {
      const answer = await decide(session, typed === undefined ? body : { ...body, typed });
      expect(answer.status, JSON.stringify(typed)).toBe(422);
      expect(answer.text).toContain('type the name exactly as shown');
    }
    expect((await decide(session, { ...body, typed: 'Dana Whitfield' })).status).toBe(200);
    expect(await deletion.decision).toBe('approved');

    const denied = ask({ ...DELETION, digest: 'e'.repeat(64) });
    expect((await decide(session, { ...(await decisionOf(session, DELETION.tool)), decision: 'deny' })).status).toBe(
      200,
    );
    expect(await denied.decision).toBe('denied');
  });

  it('no click within the time: timed out, withdrawn from the list, and a late click decides nothing', async () => {
    const session = await signIn();
    const { decision } = ask(CHANGE, 1_000);
    const body = { ...(await decisionOf(session, CHANGE.tool)), decision: 'approve' };
    expect(await decision).toBe('timed-out');
    expect((await decide(session, body)).status).toBe(409);
    expect((await listOf(session)).items).toEqual([]);
  });
});
