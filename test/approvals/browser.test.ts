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

/** The page lists the change by itself (it polls and reloads), as a person would see it arrive. */
async function waitForChange(page: Page, tool: string) {
  const section = changeOn(page, tool);
  await section.waitFor({ state: 'visible', timeout: SEEN_MS });
  return section;
}

const shot = (page: Page, name: string) =>
  page.screenshot({ path: new URL(`${name}.png`, ARTIFACTS).pathname, fullPage: true });

/** The hidden fields of a change's form, as the page's own form would post them. */
async function formFields(section: Locator): Promise<Record<string, string>> {
  const fields: Record<string, string> = {};
  for (const input of await section.locator('form input[type="hidden"]').all()) {
    fields[(await input.getAttribute('name')) ?? ''] = (await input.getAttribute('value')) ?? '';
  }
  return fields;
}

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
      expect(new URL(page.url()).search).toBe('');
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

      const form = await formFields(section);
      await tabTo(page, 'Approve');
      await Promise.all([page.waitForURL(/done=approved/), page.keyboard.press('Enter')]);
      const result = await call;
      expect(result.isError).toBeFalsy();
      expect(changeRequests(suite.sandbox).map((r) => `${r.method} ${r.path}`)).toEqual([
        'PUT /v1/admin/permissions/users',
      ]);
      expect(holders()).toContain(dana);
      expect(await page.locator('#notice').textContent()).toContain('Approved');
      await shot(page, 'approved');
      expect(await auditConfirmation(e2e)).toEqual([
        { decision: 'confirmed', confirmation: { method: 'web', outcome: 'approved' }, reason: undefined },
      ]);

      // Replayed: the same form, sent again from the same session with the right Origin, decides nothing.
      const replay = await context.request.post(`${approvals.origin}/decide`, {
        form: { ...form, decision: 'approve' },
        headers: { Origin: approvals.origin },
        maxRedirects: 0,
      });
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
      await Promise.all([page.waitForURL(/done=denied/), section.getByRole('button', { name: 'Deny' }).click()]);
      const result = await call;
      expect(result.isError).toBe(true);
      expect(textOf(result)).toContain('the person denied this change on the approvals page; nothing was sent.');
      expect(changeRequests(suite.sandbox)).toEqual([]);
      expect(await auditConfirmation(e2e)).toEqual([
        { decision: 'declined', confirmation: { method: 'web', outcome: 'denied' }, reason: 'declined' },
      ]);
      await shot(page, 'denied');
    });
  });

  it('no click in time: refused with nothing sent, the change leaves the page, and a late click decides nothing', async () => {
    await withDesk({ timeoutMs: 1_500 }, async ({ page, e2e, approvals, context }) => {
      const call = e2e.call('assign_permissions_to_users', GRANT);
      const section = await waitForChange(page, 'assign_permissions_to_users');
      const form = await formFields(section);
      const result = await call;
      expect(result.isError).toBe(true);
      expect(textOf(result)).toContain(
        'nobody approved this change on the approvals page within 1.5 s; nothing was sent.',
      );
      expect(await auditConfirmation(e2e)).toEqual([
        { decision: 'refused', confirmation: { method: 'web', outcome: 'timed-out' }, reason: 'approval-timeout' },
      ]);
      const late = await context.request.post(`${approvals.origin}/decide`, {
        form: { ...form, decision: 'approve' },
        headers: { Origin: approvals.origin },
        maxRedirects: 0,
      });
      expect(late.status()).toBe(409);
      await changeOn(page, 'assign_permissions_to_users').waitFor({ state: 'detached', timeout: SEEN_MS });
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
    // Another page on this machine (same site: cookies of 127.0.0.1 go to every port), auto-posting a decision.
    attacker = createServer((_request, response) => {
      response.writeHead(200, { 'Content-Type': 'text/html' });
      response.end(attack);
    });
    await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve));
    attackerOrigin = `http://127.0.0.1:${(attacker.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => attacker.close(() => resolve())));

  it('a forged cross-origin POST and a POST without the CSRF token decide nothing; the change waits on', async () => {
    await withDesk({}, async ({ page, e2e, approvals }) => {
      const call = e2e.call('assign_permissions_to_users', GRANT);
      const section = await waitForChange(page, 'assign_permissions_to_users');
      const fields = await formFields(section);
      // Even knowing every field (the CSRF token included), a form posted from another origin is refused.
      attack = `<!doctype html><form id="f" method="post" action="${approvals.origin}/decide">${Object.entries({
        ...fields,
        decision: 'approve',
      })
        .map(([name, value]) => `<input type="hidden" name="${name}" value="${value}">`)
        .join('')}</form><script>document.getElementById('f').submit()</script>`;
      const forged = await page.context().newPage();
      const [forgedAnswer] = await Promise.all([
        forged.waitForResponse((r) => r.url() === `${approvals.origin}/decide`),
        forged.goto(attackerOrigin),
      ]);
      expect(forgedAnswer.status()).toBe(403);
      expect(await forgedAnswer.request().headerValue('origin')).toBe(attackerOrigin);
      expect(await forgedAnswer.text()).toContain('did not come from this page');
      await forged.close();

      // The page's own form with its CSRF token taken out.
      await section.locator('input[name="csrf"]').evaluate((input) => input.remove());
      const [missing] = await Promise.all([
        page.waitForResponse((r) => r.url() === `${approvals.origin}/decide`),
        section.getByRole('button', { name: 'Approve' }).click(),
      ]);
      expect(missing.status()).toBe(403);
      expect(await missing.text()).toContain('CSRF token');
      await shot(page, 'refused-csrf');
      expect(changeRequests(suite.sandbox)).toEqual([]);

      // Still waiting: the person can still decide.
      await page.goto(approvals.origin);
      await Promise.all([
        page.waitForURL(/done=denied/),
        changeOn(page, 'assign_permissions_to_users').getByRole('button', { name: 'Deny' }).click(),
      ]);
      expect(textOf(await call)).toContain('denied');
      expect(changeRequests(suite.sandbox)).toEqual([]);
    });
  });

  it('without the link, with a wrong secret, or with the link a second time: no page and no change', async () => {
    await withDesk({ signIn: false }, async ({ page, e2e, approvals }) => {
      const call = e2e.call('assign_permissions_to_users', GRANT);
      const wrong = await page.goto(`${approvals.origin}/?k=not-the-secret`);
      expect(wrong?.status()).toBe(403);
      expect(await page.textContent('body')).toContain('no valid secret');
      const bare = await page.goto(approvals.origin);
      expect(bare?.status()).toBe(401);
      expect(await page.textContent('body')).not.toContain('assign_permissions_to_users');
      await shot(page, 'no-link');
      // The right link opens the page once; a second browser with the same link gets nothing.
      await page.goto(approvals.link);
      await waitForChange(page, 'assign_permissions_to_users');
      const other = await browser.newContext();
      const again = await (await other.newPage()).goto(approvals.link);
      expect(again?.status()).toBe(403);
      await other.close();
      await Promise.all([
        page.waitForURL(/done=denied/),
        changeOn(page, 'assign_permissions_to_users').getByRole('button', { name: 'Deny' }).click(),
      ]);
      await call;
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
      // The button is only friction: a form forced through with the wrong name is refused server-side.
      await approve.evaluate((button) => button.removeAttribute('disabled'));
      const [refused] = await Promise.all([
        page.waitForResponse((r) => r.url() === `${approvals.origin}/decide`),
        approve.click(),
      ]);
      expect(refused.status()).toBe(422);
      expect(changeRequests(suite.sandbox)).toEqual([]);

      await page.goto(approvals.origin);
      await waitForChange(page, 'delete_user');
      expect(await unlabelledControls(context, page)).toEqual([]);
      // Keyboard only: Tab to the name field, type it, Tab to Approve, Enter.
      await tabUntil(page, 'the name field', async (focused) => (await focused.getAttribute('name')) === 'typed');
      await page.keyboard.type(target.displayName);
      await shot(page, 'delete-typed-right');
      await tabTo(page, 'Approve');
      await Promise.all([page.waitForURL(/done=approved/), page.keyboard.press('Enter')]);
      const result = await call;
      expect(result.isError).toBeFalsy();
      expect(changeRequests(suite.sandbox).map((r) => `${r.method} ${r.path}`)).toEqual([
        `DELETE /v1/admin/users/${target.userId}`,
      ]);
      expect(suite.sandbox.snapshot().users.some((u) => u.userId === target.userId)).toBe(false);
    });
  });
});
