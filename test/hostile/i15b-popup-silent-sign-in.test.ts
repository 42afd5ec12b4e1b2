// Hostile: popup clickjacking on the signed-in approvals page. The page refuses to come up signed in in a window
// another site opened (its stored key is dropped: see popup-inherits-session.test.ts), so that no site holds a
// live, clickable approvals page it placed and sized itself. With sign-in through the issuer, though, the page's
// script starts a sign-in on its own as soon as it finds itself signed out, and an issuer where the person is
// still signed in (single sign-on: the usual case at work) sends them straight back, consent remembered: the
// window another site opened is signed in as the person within a second or two, without their doing anything.
// Real parts: oidc-provider on loopback (its login and consent pages, its own sign-in session), the page under
// /approvals/ of the main server, Debian's Chromium, a site of another origin on loopback.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AnotherSite, startAnotherSite } from '../support/another-site.js';
import { launchChromium } from '../support/chromium.js';
import { type OAuthStack, PAGE_CLIENT, startOAuthStack } from '../support/oauth-stack.js';
import { signInOnPage } from '../support/page-sign-in.js';

let browser: Browser;
let stack: OAuthStack;
let elsewhere: AnotherSite;

beforeAll(async () => {
  browser = await launchChromium();
  stack = await startOAuthStack({ people: [], pageClient: PAGE_CLIENT, flags: ['--approvers', 'access=1'] });
  // Another site (another origin: `localhost`, not the page's 127.0.0.1) with a button that opens a window.
  elsewhere = await startAnotherSite();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await stack?.close();
  await elsewhere?.close();
});

/** Whether the window holds a session key the server takes, as the page's own script would send it. */
function signedIn(popup: Page): Promise<boolean> {
  return popup
    .evaluate(async () => {
      const store = (globalThis as unknown as { sessionStorage: { getItem(key: string): string | null } })
        .sessionStorage;
      const key = store.getItem('visier-approvals-session');
      if (key === null) return false;
      return (await fetch('pending', { headers: { 'x-approvals-session': key } })).status === 200;
    })
    .catch(() => false);
}

describe('hostile: a window another site opens onto the signed-in page', () => {
  it('does not come up signed in by a sign-in the person never asked for', async () => {
    const context = await browser.newContext();
    try {
      // Earlier that day the person signed in to the page (the issuer remembers them and their consent), and
      // closed it.
      const earlier = await signInOnPage(context, stack.publicUrl, 'bob');
      await earlier.locator('#viewer').waitFor();
      await earlier.close();
      const site = await context.newPage();
      await site.goto(elsewhere.url);
      await site.evaluate(
        `document.getElementById('go').onclick = () => window.open(${JSON.stringify(`${stack.publicUrl}/approvals/`)}, 'a', 'width=400,height=300,left=0,top=0')`,
      );
      const [popup] = await Promise.all([context.waitForEvent('page'), site.click('#go')]);
      // Long enough for a sign-in round trip through the issuer several times over.
      let came = false;
      for (let waited = 0; waited < 10_000 && !came; waited += 500) {
        await new Promise((resolve) => setTimeout(resolve, 500));
        came = await signedIn(popup);
      }
      expect(came, `the window another site opened is signed in at ${popup.url()}`).toBe(false);
    } finally {
      await context.close();
    }
  }, 60_000);
});
