// A person signing in to the approvals page served at `<publicUrl>/approvals/` through a real oidc-provider's own
// login and consent pages (devInteractions), in a browser context of their own.
import type { BrowserContext, Page } from 'playwright-core';

/**
 * Signs `login` in; ends on the approvals list. `tamper` changes the issuer's address the page's script is sent
 * to, as a forged link would send a person.
 */
export async function signInOnPage(
  context: BrowserContext,
  publicUrl: string,
  login: string,
  tamper?: (url: URL) => void,
): Promise<Page> {
  const tab = await context.newPage();
  if (tamper !== undefined) {
    await tab.route(`${publicUrl}/approvals/sign-in`, async (route) => {
      const answer = await route.fetch();
      const started = (await answer.json()) as { url: string; started: string };
      const url = new URL(started.url);
      tamper(url);
      await route.fulfill({ response: answer, json: { ...started, url: url.href } });
    });
  }
  await tab.goto(`${publicUrl}/approvals/`);
  await tab.locator('input[name="login"]').fill(login);
  await tab.locator('input[name="password"]').fill('any');
  await tab.locator('button[type="submit"]').click();
  await tab.locator('button', { hasText: 'Continue' }).click();
  return tab;
}
