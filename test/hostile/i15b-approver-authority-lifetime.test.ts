// Hostile: how long a sign-in to the approvals page lets a person decide. Their authority there is what the access
// token their sign-in got for this server grants; the issuer lets that token live a few seconds (as an issuer's
// policy may, so that a person whose role is taken away stops acting soon after). The server refuses that token
// from any MCP call once it has expired, yet the page session it opened keeps deciding for up to twelve hours,
// with the scopes it had: a person removed from the admins at the issuer keeps approving access changes all day.
// Real parts: oidc-provider on loopback (its login and consent pages), the server's OAuth verifier over Streamable
// HTTP, the page under /approvals/, Debian's Chromium, the sandbox where Visier stands.
import type { CallToolResult } from '@modelcontextprotocol/client';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PERMISSIONS, DEMO_USERS } from '../../src/sandbox/index.js';
import { changeRequests } from '../guards/e2e-harness.js';
import { launchChromium } from '../support/chromium.js';
import { ALICE, type OAuthStack, PAGE_CLIENT, startOAuthStack } from '../support/oauth-stack.js';
import { signInOnPage } from '../support/page-sign-in.js';

/** How long the issuer lets the access token of a page sign-in live. */
const TOKEN_TTL_S = 5;
/** The skew the server's verifier accepts on `exp`, and a margin: past this, every caller's token is refused. */
const PAST_EXPIRY_MS = (TOKEN_TTL_S + 30 + 5) * 1000;

let browser: Browser;
let stack: OAuthStack;

beforeAll(async () => {
  browser = await launchChromium();
  stack = await startOAuthStack({
    people: [ALICE],
    pageClient: { ...PAGE_CLIENT, accessTokenTtlSeconds: TOKEN_TTL_S },
    flags: ['--approvers', 'access=1', '--approval-timeout-seconds', '15'],
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

/** What the page's own script reads in its tab (the tests compile without the DOM's types). */
interface InPage {
  sessionStorage: { getItem(key: string): string | null };
}

/** The tab's /pending as its script reads it, with its own session key. */
function pending(tab: Page): Promise<{ status: number; items: { id: string; digest: string }[] }> {
  return tab.evaluate(async () => {
    const key = (globalThis as unknown as InPage).sessionStorage.getItem('visier-approvals-session') ?? '';
    const answer = await fetch('pending', { headers: { 'x-approvals-session': key } });
    const body = (await answer.json()) as { items?: { id: string; digest: string }[] };
    return { status: answer.status, items: body.items ?? [] };
  });
}

/** Approves the first change waiting, with the tab's own key: the server's answer (or /pending's refusal). */
async function approveFirst(tab: Page): Promise<{ status: number; reason?: string }> {
  let listed = await pending(tab);
  await expect
    .poll(
      async () => {
        listed = await pending(tab);
        return listed.status !== 200 || listed.items.length > 0;
      },
      { timeout: 10_000 },
    )
    .toBe(true);
  const [item] = listed.items;
  if (listed.status !== 200 || item === undefined) return { status: listed.status, reason: 'not listed' };
  return tab.evaluate(async (item) => {
    const key = (globalThis as unknown as InPage).sessionStorage.getItem('visier-approvals-session') ?? '';
    const answer = await fetch('decide', {
      method: 'POST',
      headers: { 'x-approvals-session': key, 'content-type': 'application/json' },
      body: JSON.stringify({ id: item.id, digest: item.digest, decision: 'approve' }),
    });
    return { status: answer.status, reason: ((await answer.json()) as { reason?: string }).reason };
  }, item);
}

describe('hostile: how long a page sign-in carries the authority of its token', () => {
  it('a page session decides nothing once the access token that gave its person their authority has expired', async () => {
    const context = await browser.newContext();
    const client = await stack.sessionOf(ALICE);
    try {
      const bob = await signInOnPage(context, stack.publicUrl, 'bob');
      await bob.locator('#viewer').waitFor();
      // Bob's token for this server is now refused from any call he makes (expired, past the verifier's skew).
      await new Promise((resolve) => setTimeout(resolve, PAST_EXPIRY_MS));
      const before = changeRequests(stack.served.sandbox).length;
      const call = client.callTool(
        {
          name: 'assign_permissions_to_users',
          arguments: { permissionIds: [DEMO_PERMISSIONS.admin.permissionId], userIds: [DEMO_USERS.dana.userId] },
        },
        { timeout: 60_000 },
      ) as Promise<CallToolResult>;
      const approved = await approveFirst(bob);
      await call;
      expect(approved.status, `the expired sign-in's approval was answered ${JSON.stringify(approved)}`).not.toBe(200);
      expect(changeRequests(stack.served.sandbox)).toHaveLength(before);
    } finally {
      await client.close();
      await context.close();
    }
  }, 120_000);
});
