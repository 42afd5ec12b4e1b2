// Found by the issue 14 attacker (regression test now): the approvals page reloaded itself whenever a change arrives or leaves (unless focus is inside a form;
// a pointer hovering over a button is no focus). When the change above another leaves (its call cancelled, timed
// out), the next one slides into its place between the person aiming and clicking: the click meant for "Approve"
// on the first change approved the second, a different grant the person never meant to approve. Now the list never
// re-lays out: a change that leaves stays where it was, marked, with its buttons off.
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ARM_MS } from '../../src/approvals/assets.js';
import { startApprovalsPage } from '../../src/approvals/index.js';
import { DEMO_PERMISSIONS, DEMO_USERS } from '../../src/sandbox/index.js';
import { changeRequests, type E2E, e2eSuite, textOf } from '../guards/e2e-harness.js';
import { launchChromium } from '../support/chromium.js';

const suite = e2eSuite();
let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
}, 60_000);
afterAll(() => browser?.close());

/**
 * A page signed in to a fresh loopback approvals desk, and a server whose changes wait on it: `cancellable` asks a
 * first grant of `permissionId` to `userId` that the test withdraws by aborting it (as a client cancels a call).
 */
async function onApprovalsPage(
  run: (
    page: Page,
    e2e: E2E,
    cancellable: (permissionId: string, userId: string) => { abort: () => Promise<void> },
  ) => Promise<void>,
): Promise<void> {
  const approvals = await startApprovalsPage({ port: 0 });
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(approvals.link);
    await suite.withE2E({ guard: { confirm: 'web', approvals: approvals.desk, approvalTimeoutMs: 15_000 } }, (e2e) =>
      run(page, e2e, (permissionId, userId) => {
        const controller = new AbortController();
        const call = e2e.client
          .callTool(
            { name: 'assign_permissions_to_users', arguments: { permissionIds: [permissionId], userIds: [userId] } },
            { signal: controller.signal },
          )
          .catch(() => undefined);
        return {
          abort: async () => {
            controller.abort();
            await call;
          },
        };
      }),
    );
  } finally {
    await context.close();
    await approvals.close();
  }
}

it('a click aimed at one change never approves another that moved under the pointer', async () => {
  await onApprovalsPage(async (page, e2e, cancellable) => {
    // A harmless-looking change first, then a privileged grant to someone else.
    const first = cancellable(DEMO_PERMISSIONS.headcount.permissionId, DEMO_USERS.mallory.userId);
    await page.locator('section.change').first().waitFor({ timeout: 20_000 });
    const second = e2e.call('assign_permissions_to_users', {
      permissionIds: [DEMO_PERMISSIONS.payrollAuditor.permissionId],
      userIds: [DEMO_USERS.mallory.userId],
    });
    await page.locator('section.change').nth(1).waitFor({ timeout: 20_000 });
    // The person aims at the first change's Approve...
    const box = await page.locator('section.change').first().locator('button.approve').boundingBox();
    if (box === null) throw new Error('no Approve button');
    // (anywhere on the button: here near its lower edge)
    await page.mouse.move(box.x + box.width / 2, box.y + box.height - 4);
    // ...the first change leaves (its client cancelled it), and the page reloads by itself.
    await first.abort();
    // Until the page has taken the first change's leaving in (it used to drop it; now it marks it in place).
    const firstSection = page.locator('section.change').first();
    while (
      (await page.locator('section.change').count()) !== 1 &&
      (await firstSection.getAttribute('data-state')) !== 'settled'
    ) {
      await page.waitForTimeout(50);
    }
    await page.mouse.down();
    await page.mouse.up();
    await page.waitForTimeout(1500);
    // Expected: the click lands on nothing, or asks again; observed: the privileged grant is approved.
    expect(changeRequests(suite.sandbox)).toEqual([]);
    // The second change is still the person's to decide, from its own buttons.
    await page.locator('section.change').nth(1).getByRole('button', { name: 'Deny' }).click();
    expect(textOf(await second)).toContain('denied');
    expect(changeRequests(suite.sandbox)).toEqual([]);
  });
}, 60_000);

/** Where a section sits on the page (CSS px from the document's top; scrolling does not change it). */
const placeOf = (section: Locator) =>
  section.evaluate((el) => {
    const box = el.getBoundingClientRect();
    const view = el.ownerDocument.documentElement;
    return { top: box.top + view.scrollTop, left: box.left + view.scrollLeft, height: box.height };
  });

it('the list never moves under the person: new changes below, a leaving one marked in place, fresh buttons inert', async () => {
  await onApprovalsPage(async (page, e2e, cancellable) => {
    const first = cancellable(DEMO_PERMISSIONS.headcount.permissionId, DEMO_USERS.dana.userId);
    const sections = page.locator('section.change');
    await sections.first().waitFor();
    const approveFirst = sections.first().getByRole('button', { name: 'Approve' });
    const appeared = Date.now();
    // Just appeared: inert, so a click already on its way lands on nothing.
    expect(await approveFirst.isDisabled()).toBe(true);
    await approveFirst.click({ force: true });
    await expect.poll(() => approveFirst.isDisabled(), { timeout: 5_000 }).toBe(false);
    expect(Date.now() - appeared).toBeGreaterThanOrEqual(ARM_MS / 2);
    const firstBox = await placeOf(sections.first());

    const second = e2e.call('assign_permissions_to_users', {
      permissionIds: [DEMO_PERMISSIONS.payrollAuditor.permissionId],
      userIds: [DEMO_USERS.dana.userId],
    });
    await sections.nth(1).waitFor();
    // Appended below; the first did not move.
    expect(await placeOf(sections.first())).toEqual(firstBox);
    const secondBox = await placeOf(sections.nth(1));
    expect(secondBox.top).toBeGreaterThan(firstBox.top + firstBox.height);

    await first.abort();
    await expect.poll(() => sections.first().getAttribute('data-state'), { timeout: 10_000 }).toBe('settled');
    // Marked where it was, its buttons off; nothing below it moved.
    expect(await sections.count()).toBe(2);
    expect(await sections.first().textContent()).toContain('No longer waiting');
    expect(await approveFirst.isDisabled()).toBe(true);
    expect(await placeOf(sections.nth(1))).toEqual(secondBox);
    expect(changeRequests(suite.sandbox)).toEqual([]);

    await sections.nth(1).getByRole('button', { name: 'Deny' }).click();
    expect(textOf(await second)).toContain('denied');
    await expect.poll(() => sections.nth(1).getAttribute('data-state')).toBe('settled');
    expect(await sections.nth(1).textContent()).toContain('Denied: nothing was sent.');
    expect(await placeOf(sections.nth(1))).toEqual(secondBox);
  });
}, 60_000);
