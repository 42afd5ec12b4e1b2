// `--confirm web` in a real browser: headless Debian Chromium on the approvals page, the guarded server driven by an
// SDK client, the sandbox standing where Visier stands. Nothing changes without a click on the page, and every
// hardening rule holds against what a browser really sends. Screenshots go to test-artifacts/approvals/.
import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CallToolResult } from '@modelcontextprotocol/client';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApprovalsPage, startApprovalsPage } from '../../src/approvals/index.js';
import { DEMO_PERMISSIONS, DEMO_USERS } from '../../src/sandbox/index.js';
import type { Ticker } from '../../src/server-context.js';
import { WAITING_BEAT_MS } from '../../src/server-context.js';
import { changeRequests, type E2E, e2eSuite, textOf } from '../guards/e2e-harness.js';
import { launchChromium } from '../support/chromium.js';

const ARTIFACTS = new URL('../../test-artifacts/approvals/', import.meta.url);
mkdirSync(ARTIFACTS, { recursive: true });

const dana = DEMO_USERS.dana.userId;
const perm = DEMO_PERMISSIONS.payrollAuditor.permissionId;
const GRANT = { permissionIds: [perm], userIds: [dana] };
// Long enough that only a click or the test's own ending decides; the timeout test sets its own.
const WAIT_MS = 60_000;
const SEEN_MS = 20_000;

const suite = e2eSuite();
const holders = () => suite.sandbox.snapshot().userPermissions[perm] ?? [];

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
}, 60_000);
afterAll(() => browser?.close());

interface Desk {
  approvals: ApprovalsPage;
  context: BrowserContext;
  page: Page;
  e2e: E2E;
}

/** A page, a browser session on it opened through its one-time link, and a server confirming by web on it. */
async function withDesk(
  options: { timeoutMs?: number; ticker?: Ticker; signIn?: boolean },
  body: (desk: Desk) => Promise<void>,
): Promise<void> {
  const approvals = await startApprovalsPage({ port: 0 });
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    if (options.signIn !== false) await page.goto(approvals.link);
    await suite.withE2E(
      {
        guard: { confirm: 'web', approvals: approvals.desk, approvalTimeoutMs: options.timeoutMs ?? WAIT_MS },
        ...(options.ticker ? { server: { ticker: options.ticker } } : {}),
      },
      (e2e) => body({ approvals, context, page, e2e }),
    );
  } finally {
    await context.close();
    await approvals.close();
  }
}

const changeOn = (page: Page, tool: string) => page.locator('section.change', { hasText: tool });

/** The page lists the change by itself (it polls), as a person would see it arrive, and its buttons arm. */
async function waitForChange(page: Page, tool: string) {
  const section = changeOn(page, tool);
  await page.locator('section.change[data-armed]', { hasText: tool }).waitFor({ state: 'visible', timeout: SEEN_MS });
  return section;
}

/** Waits until the page marks the change decided or gone, in place. */
const settled = (section: Locator) =>
  expect.poll(() => section.getAttribute('data-state'), { timeout: SEEN_MS }).toBe('settled');

const shot = (page: Page, name: string) =>
  page.screenshot({ path: new URL(`${name}.png`, ARTIFACTS).pathname, fullPage: true });

/** The session key the page's script keeps in its tab (sessionStorage): what only this origin can read. */
const sessionOf = (page: Page) =>
  page.evaluate("sessionStorage.getItem('visier-approvals-session')") as Promise<string>;

/** What the page's script posts for `tool`'s change (its id and digest), read from /pending with its key. */
async function decisionOf(page: Page, origin: string, tool: string): Promise<{ id: string; digest: string }> {
  const answer = await page
    .context()
    .request.get(`${origin}/pending`, { headers: { 'x-approvals-session': await sessionOf(page) } });
  const { items } = (await answer.json()) as { items: { id: string; digest: string; tool: string }[] };
  const item = items.find((i) => i.tool === tool);
  if (item === undefined) throw new Error(`${tool} is not pending`);
  return { id: item.id, digest: item.digest };
}

/** A decision posted outside the page's own script, with its key and Origin: what a replay would send. */
const postDecision = async (page: Page, origin: string, body: object) =>
  page.context().request.post(`${origin}/decide`, {
    data: body,
    headers: { Origin: origin, 'x-approvals-session': await sessionOf(page) },
  });

/** Presses Tab until `reached` holds for the focused element (at most 20 presses): the flow must need no mouse. */
async function tabUntil(page: Page, what: string, reached: (focused: Locator) => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 20; i++) {
    await page.keyboard.press('Tab');
    const focused = page.locator(':focus');
    if ((await focused.count()) === 1 && (await reached(focused))) return;
  }
  throw new Error(`Tab never reached ${what}`);
}

const tabTo = (page: Page, button: string) =>
  tabUntil(
    page,
    button,
    async (focused) =>
      (await focused.evaluate((el) => el.tagName)) === 'BUTTON' && (await focused.textContent())?.trim() === button,
  );

/** Controls Chromium's accessibility tree shows without a name (what a screen reader would announce). */
async function unlabelledControls(context: BrowserContext, page: Page): Promise<string[]> {
  const cdp = await context.newCDPSession(page);
  const { nodes } = (await cdp.send('Accessibility.getFullAXTree')) as {
    nodes: { role?: { value?: string }; name?: { value?: string }; ignored?: boolean }[];
  };
  await cdp.detach();
  const controls = nodes.filter((n) => !n.ignored && ['button', 'textbox', 'link'].includes(n.role?.value ?? ''));
  expect(controls.length).toBeGreaterThan(0);
  return controls.filter((n) => (n.name?.value ?? '').trim() === '').map((n) => n.role?.value ?? '?');
}

async function auditConfirmation(e2e: E2E) {
  const lines = await e2e.auditLines();
  return lines.map((line) => ({ decision: line.decision, confirmation: line.confirmation, reason: line.reason }));
}

describe('--confirm web: a person approves on the page', () => {
  it('approve (keyboard only): the grant is made once, progress flows while waiting, the audit says web/approved', async () => {
    const beats: { everyMs: number; beat: () => void }[] = [];
    const ticker: Ticker = (everyMs, beat) => {
      beats.push({ everyMs, beat });
      return () => {};
    };
    await withDesk({ ticker }, async ({ context, page, e2e, approvals }) => {
      // The secret left the address bar the moment the page read it.
      await page.locator('#empty').waitFor();
      expect(new URL(page.url()).search).toBe('');
      expect(new URL(page.url()).hash).toBe('');
      const progress: number[] = [];
      const call = e2e.client.callTool(
        { name: 'assign_permissions_to_users', arguments: GRANT },
        { onprogress: (p) => progress.push(p.progress), resetTimeoutOnProgress: true },
      ) as Promise<CallToolResult>;
      const section = await waitForChange(page, 'assign_permissions_to_users');
      const preview = await section.locator('pre').textContent();
      expect(preview).toContain(`Grant "Payroll Auditor" (${perm}) to 1 user`);
      expect(preview).toContain(`user ${dana} "Dana Whitfield" now:`);
      expect(await section.textContent()).toContain('through guard-e2e-client 3.1.4');
      await shot(page, 'pending-grant');
      expect(await unlabelledControls(context, page)).toEqual([]);

      // The call waits with progress at most 15 s apart while nobody has clicked.
      expect(beats.map((b) => b.everyMs)).toEqual([WAITING_BEAT_MS]);
      expect(WAITING_BEAT_MS).toBeLessThanOrEqual(15_000);
      const before = progress.length;
      beats[0]?.beat();
      beats[0]?.beat();
      await expect.poll(() => progress.length).toBe(before + 2);
      expect(changeRequests(suite.sandbox)).toEqual([]);

      const named = await decisionOf(page, approvals.origin, 'assign_permissions_to_users');
      await tabTo(page, 'Approve');
      await page.keyboard.press('Enter');
      const result = await call;
      expect(result.isError).toBeFalsy();
      expect(changeRequests(suite.sandbox).map((r) => `${r.method} ${r.path}`)).toEqual([
        'PUT /v1/admin/permissions/users',
      ]);
      expect(holders()).toContain(dana);
      await settled(section);
      expect(await page.locator('#notice').textContent()).toContain('Approved');
      expect(await section.textContent()).toContain('Approved: the change is being made now.');
      await shot(page, 'approved');
      expect(await auditConfirmation(e2e)).toEqual([
        { decision: 'confirmed', confirmation: { method: 'web', outcome: 'approved' }, reason: undefined },
      ]);

      // Replayed: the same decision, sent again with the session's key and the right Origin, decides nothing.
      const replay = await postDecision(page, approvals.origin, { ...named, decision: 'approve' });
      expect(replay.status()).toBe(409);
      expect(await replay.text()).toContain('no longer waiting');
      expect(changeRequests(suite.sandbox)).toHaveLength(1);
    });
  });

  it('deny: nothing changes, and the audit says web/denied', async () => {
    await withDesk({}, async ({ page, e2e }) => {
      const call = e2e.call('remove_permissions_from_users', {
        permissionIds: [DEMO_PERMISSIONS.headcount.permissionId],
        userIds: [dana],
      });
      const section = await waitForChange(page, 'remove_permissions_from_users');
      await section.getByRole('button', { name: 'Deny' }).click();
      const result = await call;
      await settled(section);
      expect(await section.textContent()).toContain('Denied: nothing was sent.');
      expect(result.isError).toBe(true);
      expect(textOf(result)).toContain('the person denied this change on the approvals page; nothing was sent.');
      expect(changeRequests(suite.sandbox)).toEqual([]);
      expect(await auditConfirmation(e2e)).toEqual([
        { decision: 'declined', confirmation: { method: 'web', outcome: 'denied' }, reason: 'declined' },
      ]);
      await shot(page, 'denied');
    });
  });

  it('no click in time: refused with nothing sent, the change is marked gone in place, and a late click decides nothing', async () => {
    await withDesk({ timeoutMs: 1_500 }, async ({ page, e2e, approvals }) => {
      const call = e2e.call('assign_permissions_to_users', GRANT);
      const section = changeOn(page, 'assign_permissions_to_users');
      await section.waitFor({ timeout: SEEN_MS });
      const named = await decisionOf(page, approvals.origin, 'assign_permissions_to_users');
      const result = await call;
      expect(result.isError).toBe(true);
      expect(textOf(result)).toContain(
        'nobody approved this change on the approvals page within 1.5 s; nothing was sent.',
      );
      expect(await auditConfirmation(e2e)).toEqual([
        { decision: 'refused', confirmation: { method: 'web', outcome: 'timed-out' }, reason: 'approval-timeout' },
      ]);
      const late = await postDecision(page, approvals.origin, { ...named, decision: 'approve' });
      expect(late.status()).toBe(409);
      await settled(section);
      expect(await section.textContent()).toContain('No longer waiting');
      expect(await section.getByRole('button', { name: 'Approve' }).isDisabled()).toBe(true);
      expect(changeRequests(suite.sandbox)).toEqual([]);
      await shot(page, 'timed-out');
    });
  });
});

describe('--confirm web: what the page refuses', () => {
  let attacker: Server;
  let attackerOrigin = '';
  let attack = '';
  beforeAll(async () => {
    // Another page on this machine (same site: another port of 127.0.0.1), posting a decision.
    attacker = createServer((_request, response) => {
      response.writeHead(200, { 'Content-Type': 'text/html' });
      response.end(attack);
    });
    await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve));
    attackerOrigin = `http://127.0.0.1:${(attacker.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => attacker.close(() => resolve())));

  it('a forged cross-origin POST, and one carrying the key, decide nothing; without the key nothing does; the change waits on', async () => {
    await withDesk({}, async ({ page, e2e, approvals }) => {
      const call = e2e.call('assign_permissions_to_users', GRANT);
      const section = await waitForChange(page, 'assign_permissions_to_users');
      const named = await decisionOf(page, approvals.origin, 'assign_permissions_to_users');
      const key = await sessionOf(page);
      // Another origin's page posting a form: the browser sends no credential with it.
      attack = `<!doctype html><form id="f" method="post" action="${approvals.origin}/decide">${Object.entries({
        ...named,
        decision: 'approve',
      })
        .map(([name, value]) => `<input type="hidden" name="${name}" value="${value}">`)
        .join('')}</form><script>document.getElementById('f').submit()</script>`;
      const forged = await page.context().newPage();
      const [forgedAnswer] = await Promise.all([
        forged.waitForResponse((r) => r.url() === `${approvals.origin}/decide`),
        forged.goto(attackerOrigin),
      ]);
      // Refused for where it came from (another port of 127.0.0.1: same-site), before its key is even asked for.
      expect(forgedAnswer.status()).toBe(403);
      expect(await forgedAnswer.request().headerValue('origin')).toBe(attackerOrigin);
      expect(await forgedAnswer.request().headerValue('sec-fetch-site')).toBe('same-site');
      expect(await forgedAnswer.text()).toContain('Sec-Fetch-Site');
      // Even a page that knew the key cannot send it: a custom header across origins needs a CORS preflight,
      // which the page never grants.
      attack = '<!doctype html><title>elsewhere</title>';
      await forged.goto(attackerOrigin);
      const sent = await forged.evaluate(
        ({ origin, key, body }) =>
          fetch(`${origin}/decide`, {
            method: 'POST',
            headers: { 'x-approvals-session': key, 'content-type': 'application/json' },
            body: JSON.stringify(body),
          }).then(
            () => 'sent',
            () => 'blocked',
          ),
        { origin: approvals.origin, key, body: { ...named, decision: 'approve' } },
      );
      expect(sent).toBe('blocked');
      await forged.close();

      // Without the key (a request outside the page's script), nothing is decided either.
      const bare = await page.context().request.post(`${approvals.origin}/decide`, {
        data: { ...named, decision: 'approve' },
        headers: { Origin: approvals.origin },
      });
      expect(bare.status()).toBe(401);
      expect(changeRequests(suite.sandbox)).toEqual([]);
      await shot(page, 'refused-cross-origin');

      // Still waiting: the person can still decide.
      await section.getByRole('button', { name: 'Deny' }).click();
      expect(textOf(await call)).toContain('denied');
      expect(changeRequests(suite.sandbox)).toEqual([]);
    });
  });

  it('without the link, with a wrong secret, or with the link a second time: no page and no change; a second use signs the first out and a fresh link decides', async () => {
    await withDesk({ signIn: false }, async ({ page, context, e2e, approvals }) => {
      const call = e2e.call('assign_permissions_to_users', GRANT);
      await page.goto(`${approvals.origin}/#k=not-the-secret`);
      await expect.poll(() => page.locator('#problem').textContent()).toContain('no valid secret');
      await page.goto(approvals.origin);
      await expect.poll(() => page.locator('#problem').textContent()).toContain('one-time link');
      expect(await page.textContent('body')).not.toContain('assign_permissions_to_users');
      await shot(page, 'no-link');
      // The right link opens the page once, here in the same tab (only its fragment changes); a second browser
      // with the same link gets nothing, and proves the link was read by two: the first page is signed out too.
      const spent = approvals.link;
      await page.goto(spent);
      await waitForChange(page, 'assign_permissions_to_users');
      expect(await page.locator('#problem').textContent()).toBe('');
      const other = await browser.newContext();
      const theirs = await other.newPage();
      await theirs.goto(spent);
      await expect.poll(() => theirs.locator('#problem').textContent()).toContain('already opened');
      expect(await theirs.textContent('body')).not.toContain('assign_permissions_to_users');
      await other.close();
      await expect.poll(() => page.locator('#problem').textContent(), { timeout: SEEN_MS }).toContain('signed out');
      // Its buttons are off: nothing there looks decidable any more.
      await settled(changeOn(page, 'assign_permissions_to_users'));
      expect(
        await changeOn(page, 'assign_permissions_to_users').getByRole('button', { name: 'Approve' }).isDisabled(),
      ).toBe(true);
      await shot(page, 'signed-out-link-reused');
      // The fresh link (announced at once) opens the page again, and only it decides.
      expect(approvals.link).not.toBe(spent);
      const fresh = await context.newPage();
      await fresh.goto(approvals.link);
      await (await waitForChange(fresh, 'assign_permissions_to_users')).getByRole('button', { name: 'Deny' }).click();
      expect(textOf(await call)).toContain('denied');
      expect(changeRequests(suite.sandbox)).toEqual([]);
    });
  });

  it('a deletion: Approve stays off until the name is typed, a wrong name is refused by the server, the right one deletes', async () => {
    const target = DEMO_USERS.admin;
    await withDesk({}, async ({ context, page, e2e, approvals }) => {
      const call = e2e.call('delete_user', { userId: target.userId });
      const section = await waitForChange(page, 'delete_user');
      const approve = section.getByRole('button', { name: 'Approve' });
      const typed = section.getByRole('textbox', { name: /Type the name to approve/ });
      expect(await approve.isDisabled()).toBe(true);
      await typed.fill('someone else');
      expect(await approve.isDisabled()).toBe(true);
      await shot(page, 'delete-typed-wrong');
      // The button is only friction: a decision forced through with the wrong name is refused server-side.
      await approve.evaluate((button) => button.removeAttribute('disabled'));
      const [refused] = await Promise.all([
        page.waitForResponse((r) => r.url() === `${approvals.origin}/decide`),
        approve.click(),
      ]);
      expect(refused.status()).toBe(422);
      expect(changeRequests(suite.sandbox)).toEqual([]);

      // A reload keeps the tab's session (sessionStorage) and shows the change again.
      await page.reload();
      await waitForChange(page, 'delete_user');
      expect(await unlabelledControls(context, page)).toEqual([]);
      // Keyboard only: Tab to the name field, type it, Tab to Approve, Enter.
      await tabUntil(page, 'the name field', async (focused) => (await focused.getAttribute('name')) === 'typed');
      await page.keyboard.type(target.displayName);
      await shot(page, 'delete-typed-right');
      await tabTo(page, 'Approve');
      await page.keyboard.press('Enter');
      const result = await call;
      expect(result.isError).toBeFalsy();
      expect(changeRequests(suite.sandbox).map((r) => `${r.method} ${r.path}`)).toEqual([
        `DELETE /v1/admin/users/${target.userId}`,
      ]);
      expect(suite.sandbox.snapshot().users.some((u) => u.userId === target.userId)).toBe(false);
    });
  });
});
