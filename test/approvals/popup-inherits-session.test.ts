// Regression (issue 14, second attack, F3). Probe: a page of another origin that the person's approvals tab navigates to (any
// site, e.g. a link they follow in that tab) opens the approvals page with window.open. Browsers copy a tab's
// sessionStorage into the windows it opens, so the popup may come up signed in with the person's session key:
// another site then holds a live, clickable approvals page it placed and sized itself (popup clickjacking, only
// the one-second arming in the way). Secure outcome: a page opened by another origin does not get the session.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startApprovalsPage } from '../../src/approvals/index.js';
import { launchChromium } from '../support/chromium.js';

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
}, 60_000);
afterAll(() => browser?.close());

it('a window another origin opens onto the approvals page is not signed in with the person’s session', async () => {
  const approvals = await startApprovalsPage({ port: 0 });
  const other: Server = createServer((_req, res) => {
    res.setHeader('Content-Type', 'text/html');
    res.end('<!doctype html><title>elsewhere</title><p>elsewhere</p>');
  });
  await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
  const context = await browser.newContext();
  try {
    const tab = await context.newPage();
    await tab.goto(approvals.link);
    await tab.locator('#empty').waitFor();
    // The person follows a link in the same tab.
    await tab.goto(`http://127.0.0.1:${(other.address() as AddressInfo).port}/`);
    const [popup] = await Promise.all([
      context.waitForEvent('page'),
      tab.evaluate(`window.open(${JSON.stringify(`${approvals.origin}/`)}, '_blank', 'width=600,height=400')`),
    ]);
    await popup.waitForLoadState('load');
    // Either the problem line says the link is needed, or the page lists (signed in). Wait for one of the two.
    await popup.locator('#problem:not(:empty), #empty:not([hidden])').first().waitFor();
    expect(await popup.locator('#problem').textContent()).toContain('one-time link');
    expect(await popup.evaluate("sessionStorage.getItem('visier-approvals-session')")).toBeNull();
    // The person's own tab is not signed out by it: back on the page, it lists again with its key.
    await popup.close();
    await tab.goBack();
    await tab.locator('#empty:not([hidden])').waitFor();
    expect(await tab.locator('#problem').textContent()).toBe('');
  } finally {
    await context.close();
    await approvals.close();
    await new Promise<void>((resolve) => other.close(() => resolve()));
  }
}, 60_000);
