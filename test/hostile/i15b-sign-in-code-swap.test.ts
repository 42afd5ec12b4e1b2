// Hostile: a callback carrying another person's code. Mallory reads the address the issuer sent Bob's browser back
// to (a proxy's log, a browser extension, a shared screen) before Bob's browser reaches the page, and finishes a
// sign-in of her own with Bob's code in it: her own tab, her own sealed state and sign-in id, Bob's code. The page
// must not sign her in as Bob (the code is bound to the PKCE verifier of Bob's sign-in, which only the server held,
// sealed in Bob's state). Real parts: oidc-provider on loopback (its login and consent pages), the page under
// /approvals/ of the main server, Debian's Chromium.
import type { Browser, BrowserContext, Route } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/chromium.js';
import { type OAuthStack, PAGE_CLIENT, startOAuthStack } from '../support/oauth-stack.js';
import { signInOnPage } from '../support/page-sign-in.js';

let browser: Browser;
let stack: OAuthStack;

beforeAll(async () => {
  browser = await launchChromium();
  stack = await startOAuthStack({ people: [], pageClient: PAGE_CLIENT, flags: ['--approvers', 'access=1'] });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

describe("hostile: a sign-in finished with another person's code", () => {
  it("does not sign the other person's tab in as the code's owner", async () => {
    const bobs = await browser.newContext();
    const mallorys = await browser.newContext();
    try {
      // The issuer's redirect to the callback, read (and, for Mallory, rewritten) on its way to the browser.
      // The browser follows no redirect of the issuer's itself here: each is followed by the context's own requests
      // (its cookies) until one sends it to the callback, whose address is read (and, for Mallory, rewritten).
      const issuerRedirects =
        (context: BrowserContext, rewrite: (callback: URL) => URL | undefined) => async (route: Route) => {
          let url = route.request().url();
          let answer = await route.fetch({ maxRedirects: 0 });
          for (;;) {
            const location = answer.headers().location;
            if (location === undefined) return route.fulfill({ response: answer });
            const to = new URL(location, url);
            if (to.pathname === '/approvals/callback') {
              const next = rewrite(to);
              if (next === undefined) return route.abort();
              return route.fulfill({ status: 303, headers: { location: next.href } });
            }
            if (!to.href.startsWith(stack.issuer.url)) return route.fulfill({ response: answer });
            url = to.href;
            answer = await context.request.get(url, { maxRedirects: 0 });
          }
        };
      const atIssuer = (url: URL) => url.href.startsWith(stack.issuer.url);
      // Bob's callback address is read on its way; his browser never gets there.
      let bobsCode: string | undefined;
      await bobs.route(
        atIssuer,
        issuerRedirects(bobs, (callback) => {
          bobsCode = callback.searchParams.get('code') ?? undefined;
          return undefined;
        }),
      );
      await signInOnPage(bobs, stack.publicUrl, 'bob').catch(() => undefined);
      await expect.poll(() => bobsCode, { timeout: 10_000 }).toBeDefined();
      // Mallory's own sign-in, whose callback she rewrites with Bob's code.
      await mallorys.route(
        atIssuer,
        issuerRedirects(mallorys, (callback) => {
          callback.searchParams.set('code', bobsCode as string);
          return callback;
        }),
      );
      const tab = await signInOnPage(mallorys, stack.publicUrl, 'mallory');
      await tab.locator('h1, #viewer:not([hidden])').first().waitFor();
      const seen = await tab.evaluate(async () => {
        const key =
          (globalThis as unknown as { sessionStorage: { getItem(key: string): string | null } }).sessionStorage.getItem(
            'visier-approvals-session',
          ) ?? '';
        const answer = await fetch('/approvals/pending', { headers: { 'x-approvals-session': key } });
        return { status: answer.status, viewer: ((await answer.json()) as { viewer?: string }).viewer };
      });
      expect(seen.viewer ?? '').not.toMatch(/bob/);
      expect(seen.status).toBe(401);
    } finally {
      await Promise.all([bobs.close(), mallorys.close()]);
    }
  }, 60_000);
});
