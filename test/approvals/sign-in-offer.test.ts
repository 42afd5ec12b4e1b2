// When the approvals page offers a sign-in rather than starting one: a window another site opened shows a button,
// and the sign-in it starts makes the issuer ask the person again (`prompt=login`) though it remembers them; a
// page whose sign-in ended with its access token says so and waits for the person. Real parts: oidc-provider on
// loopback (its login and consent pages, its own sign-in session), the page under /approvals/, Debian's Chromium,
// a site of another origin on loopback.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AnotherSite, startAnotherSite } from '../support/another-site.js';
import { launchChromium } from '../support/chromium.js';
import { type OAuthStack, PAGE_CLIENT, startOAuthStack } from '../support/oauth-stack.js';
import { signInOnPage } from '../support/page-sign-in.js';

/** The page's access tokens live this long: past it, a session made from one ends. */
const TOKEN_TTL_S = 6;

let browser: Browser;
let stack: OAuthStack;
let elsewhere: AnotherSite;

beforeAll(async () => {
  browser = await launchChromium();
  stack = await startOAuthStack({
    people: [],
    pageClient: { ...PAGE_CLIENT, accessTokenTtlSeconds: TOKEN_TTL_S },
    flags: ['--approvers', 'access=1'],
  });
  elsewhere = await startAnotherSite();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await stack?.close();
  await elsewhere?.close();
});

/** Past the issuer's login form: its consent page when it asks again, then the page's list. */
async function finishAtIssuer(tab: Page, login: string): Promise<void> {
  await tab.locator('input[name="login"]').fill(login);
  await tab.locator('input[name="password"]').fill('any');
  await tab.locator('button[type="submit"]').click();
  const next = tab.locator('#viewer:not([hidden]), button:has-text("Continue")').first();
  await next.waitFor();
  if ((await next.textContent()) === 'Continue') await next.click();
  await tab.locator('#viewer:not([hidden])').waitFor();
}

describe('the approvals page offers a sign-in', () => {
  it('in a window another site opened: a button, and the issuer asks the person again though it remembers them', async () => {
    const context = await browser.newContext();
    try {
      const earlier = await signInOnPage(context, stack.publicUrl, 'bob');
      await earlier.locator('#viewer').waitFor();
      await earlier.close();
      const site = await context.newPage();
      await site.goto(elsewhere.url);
      await site.evaluate(
        `document.getElementById('go').onclick = () => window.open(${JSON.stringify(`${stack.publicUrl}/approvals/`)}, 'a')`,
      );
      const [popup] = await Promise.all([context.waitForEvent('page'), site.click('#go')]);
      await popup.locator('#sign-in-offer:not([hidden])').waitFor();
      expect(popup.url()).toBe(`${stack.publicUrl}/approvals/`);
      expect(await popup.locator('#problem').textContent()).toContain('Nobody is signed in');
      const asked = popup.waitForRequest((request) => request.url().startsWith(stack.issuer.url));
      await popup.locator('#sign-in-offer button').click();
      expect(new URL((await asked).url()).searchParams.get('prompt')).toBe('login');
      await finishAtIssuer(popup, 'bob');
    } finally {
      await context.close();
    }
  }, 60_000);

  it('once its access token expired: the page says its sign-in ended and waits for the person to sign in again', async () => {
    const context = await browser.newContext();
    try {
      const tab = await signInOnPage(context, stack.publicUrl, 'carol');
      await tab.locator('#viewer:not([hidden])').waitFor();
      await tab.locator('#sign-in-offer:not([hidden])').waitFor({ timeout: (TOKEN_TTL_S + 5) * 1000 });
      expect(await tab.locator('#problem').textContent()).toContain('Your sign-in to this page has ended');
      // It went nowhere by itself.
      expect(tab.url()).toBe(`${stack.publicUrl}/approvals/`);
      await tab.locator('#sign-in-offer button').click();
      await tab.waitForURL((url) => url.href.startsWith(stack.issuer.url));
    } finally {
      await context.close();
    }
  }, 60_000);
});
