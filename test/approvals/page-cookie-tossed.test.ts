// Found by the issue 14 attacker (regression test now): any web page served from another port of 127.0.0.1 shares the approvals page's cookie jar (cookies
// ignore ports; HttpOnly stops scripts, not a Set-Cookie header). Such a page overwrites `visier_approvals_PORT`,
// and the person is locked out of the approvals page for good: the one-time link is spent, so under `--confirm web`
// every change timed out until the server was restarted. With no cookie deciding anything, a tossed one changes
// nothing: the key is in the tab's sessionStorage, which only this exact origin reads.
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

it('a page on another 127.0.0.1 port cannot sign the person out of the approvals page', async () => {
  const approvals = await startApprovalsPage({ port: 0 });
  const port = new URL(approvals.origin).port;
  const other: Server = createServer((_req, res) => {
    res.setHeader('Set-Cookie', `visier_approvals_${port}=tossed; Path=/; SameSite=Lax`);
    res.end('hello');
  });
  await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(approvals.link);
    expect(await page.locator('h1').textContent()).toContain('Changes waiting');
    await page.locator('#empty').waitFor();
    await page.goto(`http://127.0.0.1:${(other.address() as AddressInfo).port}/`);
    const back = await page.goto(`${approvals.origin}/`);
    // Expected: still the person's page. Observed: 401 "Open the link first", and the link is spent.
    expect(back?.status()).toBe(200);
    await page.locator('#empty').waitFor();
    expect(await page.locator('#problem').textContent()).toBe('');
  } finally {
    await context.close();
    await approvals.close();
    await new Promise<void>((resolve) => other.close(() => resolve()));
  }
});
