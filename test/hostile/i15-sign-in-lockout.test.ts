// Hostile: the approvals page's sign-in start (`POST /approvals/sign-in`) needs nobody to be signed in, by its
// nature. Whoever reaches the server over the network (no token, no account at the issuer) sends it in a loop;
// the approvers must still be able to sign in, or every change that needs them waits and times out. Real parts:
// oidc-provider on loopback, the server's HTTP transport serving the page under /approvals/.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type OAuthStack, PAGE_CLIENT, startOAuthStack } from '../support/oauth-stack.js';

/** Sign-ins a script starts from one address, none finished: more than the server holds at once. */
const FLOOD = 1_100;

let stack: OAuthStack;

beforeAll(async () => {
  stack = await startOAuthStack({
    people: [],
    pageClient: PAGE_CLIENT,
    flags: ['--approvers', 'access=2'],
  });
}, 60_000);

afterAll(async () => {
  await stack?.close();
});

/** What the page's script sends to start a sign-in; no token, no session, nothing secret. */
const startSignIn = () =>
  fetch(`${stack.publicUrl}/approvals/sign-in`, {
    method: 'POST',
    headers: { origin: stack.publicUrl, 'content-type': 'application/json' },
    body: '{}',
  });

describe('hostile: starting sign-ins without finishing them', () => {
  it('an approver can still start a sign-in after an anonymous script started a thousand and finished none', async () => {
    for (let i = 0; i < FLOOD; i += 50) {
      await Promise.all(Array.from({ length: 50 }, async () => (await startSignIn()).arrayBuffer()));
    }
    const approver = await startSignIn();
    expect(approver.status).toBe(200);
    const started = (await approver.json()) as { url?: string };
    expect(new URL(started.url ?? '').origin).toBe(stack.issuer.url);
  }, 120_000);
});
