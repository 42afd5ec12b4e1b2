// A page session dies when unused for SESSION_IDLE_MS and, however busy, SESSION_MAX_MS after it was opened: a key
// read from a forgotten or copied tab does not live on. A lapsed key's asking is not "a page was seen", so it never
// holds off the fresh link the next waiting change announces. The clock is the page's own (injected), the page is
// served over real HTTP.
import { request } from 'undici';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { type ApprovalsPage, RELINK_IDLE_MS, startApprovalsPage } from '../../src/approvals/index.js';
import { SESSION_IDLE_MS, SESSION_MAX_MS } from '../../src/approvals/sessions.js';
import type { PendingChange } from '../../src/guards/approval-desk.js';

const CHANGE: PendingChange = {
  digest: 'c'.repeat(64),
  tool: 'assign_permissions_to_users',
  classification: 'access',
  lines: ['Grant "Payroll Auditor" to 1 user'],
  client: { name: 'test-client' },
  principal: 'local-process:1',
};

let clock = 1_000_000;
let links: string[] = [];
let page: ApprovalsPage;
let abort: AbortController;
beforeEach(async () => {
  clock = 1_000_000;
  abort = new AbortController();
  links = [];
  page = await startApprovalsPage({
    port: 0,
    now: () => clock,
    announce: (link) => {
      links.push(link);
      return undefined;
    },
  });
});
afterEach(async () => {
  abort.abort();
  await page.close();
});

const secretOf = (link: string) => new URLSearchParams(new URL(link).hash.slice(1)).get('k') as string;
async function signIn(): Promise<string> {
  const answer = await request(`${page.origin}/session`, {
    method: 'POST',
    headers: { origin: page.origin, 'content-type': 'application/json' },
    body: JSON.stringify({ link: secretOf(page.link) }),
  });
  expect(answer.statusCode).toBe(200);
  return ((await answer.body.json()) as { session: string }).session;
}
async function pendingWith(session: string): Promise<{ status: number; reason?: string }> {
  const answer = await request(`${page.origin}/pending`, { headers: { 'x-approvals-session': session } });
  const body = (await answer.body.json()) as { reason?: string };
  return { status: answer.statusCode, ...(body.reason === undefined ? {} : { reason: body.reason }) };
}

it('a key used now and then lives on; one left unused for the idle lifetime is refused as lapsed', async () => {
  const session = await signIn();
  for (let i = 0; i < 5; i++) {
    clock += SESSION_IDLE_MS - 1;
    expect(await pendingWith(session)).toEqual({ status: 200 });
  }
  clock += SESSION_IDLE_MS;
  expect(await pendingWith(session)).toEqual({ status: 401, reason: 'session-expired' });
  // Gone for good: using it again does not bring it back.
  expect((await pendingWith(session)).status).toBe(401);
});

it('a key in constant use still ends at the absolute lifetime, and its asking after that brings a fresh link', async () => {
  const session = await signIn();
  const steps = Math.ceil(SESSION_MAX_MS / (SESSION_IDLE_MS / 2));
  for (let i = 1; i < steps; i++) {
    clock += SESSION_IDLE_MS / 2;
    expect((await pendingWith(session)).status, `after ${clock - 1_000_000} ms`).toBe(200);
  }
  clock += SESSION_IDLE_MS / 2;
  expect(await pendingWith(session)).toEqual({ status: 401, reason: 'session-expired' });
  // The page behind that key keeps asking, as its script would if it did not stop: no page counts as seen.
  for (let i = 0; i < 3; i++) {
    clock += RELINK_IDLE_MS / 2;
    await pendingWith(session);
  }
  expect(links).toHaveLength(1);
  void page.desk.decide(CHANGE, { timeoutMs: 60_000, signal: abort.signal });
  expect(links).toHaveLength(2);
  expect((await pendingWith(await signIn())).status).toBe(200);
});
