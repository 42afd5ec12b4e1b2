// Hostile: the issuer hands the page's sign-in an access token that is not for this server (its `aud` names
// another API: an issuer that ignores the resource asked for, or one configured for another application), signed
// by the issuer's own key, naming a real person with every scope. The page must then name no approver, for only a
// token this server would take from a caller says who someone is and what they may decide. Real parts:
// oidc-provider on loopback (its login and consent pages), the page under /approvals/ of the main server,
// Debian's Chromium.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/chromium.js';
import { type OAuthStack, PAGE_CLIENT, startOAuthStack } from '../support/oauth-stack.js';
import { signInOnPage } from '../support/page-sign-in.js';

let browser: Browser;
let stack: OAuthStack;

beforeAll(async () => {
  browser = await launchChromium();
  stack = await startOAuthStack({
    people: [],
    pageClient: { ...PAGE_CLIENT, tokenAudience: 'https://graph.example.com' },
    flags: ['--approvers', 'access=1'],
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

describe('hostile: a sign-in whose access token is for another audience', () => {
  it('names no approver and opens no session', async () => {
    const context = await browser.newContext();
    try {
      const tab = await signInOnPage(context, stack.publicUrl, 'bob');
      await tab.locator('h1', { hasText: 'Not signed in' }).waitFor();
      expect(await tab.textContent('[role="alert"]')).toMatch(/'aud'/);
      const status = await tab.evaluate(
        `fetch('${stack.publicUrl}/approvals/pending', { headers: { 'x-approvals-session': sessionStorage.getItem('visier-approvals-session') ?? '' } }).then((r) => r.status)`,
      );
      expect(status).toBe(401);
    } finally {
      await context.close();
    }
  }, 60_000);
});
