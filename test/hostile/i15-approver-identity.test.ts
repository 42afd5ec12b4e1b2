// Hostile: who counts as an approver on the approvals page under sign-in. The requester's identity comes from an
// access token (`sub` as the MCP resource's tokens carry it); an approver's from an ID token of the page's own web
// client. Real parts: oidc-provider on loopback (its web client giving pairwise subjects, as Microsoft Entra ID gives
// every application its own `sub` for a person), the server's OAuth verifier over Streamable HTTP, the page the main
// server serves under /approvals/, Debian's Chromium, the sandbox where Visier stands.
import type { CallToolResult, Client } from '@modelcontextprotocol/client';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SUPPORTED_SCOPES } from '../../src/auth/scopes.js';
import { DEMO_PERMISSIONS, DEMO_USERS } from '../../src/sandbox/index.js';
import { changeRequests } from '../guards/e2e-harness.js';
import { launchChromium } from '../support/chromium.js';
import {
  ALICE as alice,
  MALLORY as mallory,
  type OAuthStack,
  PAGE_CLIENT,
  startOAuthStack,
} from '../support/oauth-stack.js';
import type { TestPerson } from '../support/oidc-issuer.js';
import { signInOnPage } from '../support/page-sign-in.js';

// Another person whose issuer lets her choose the e-mail claim her tokens carry (many do: self-service profiles,
// social logins); she chooses Alice's.
const eve: TestPerson = {
  id: 'eve',
  secret: 'eve-client-secret-0123456789',
  scope: SUPPORTED_SCOPES.join(' '),
  email: 'alice@example.com',
};
const admin = DEMO_PERMISSIONS.admin.permissionId;

let browser: Browser;
let stack: OAuthStack;
let publicUrl: string;

beforeAll(async () => {
  browser = await launchChromium();
  stack = await startOAuthStack({
    people: [alice, mallory, eve],
    pageClient: { ...PAGE_CLIENT, subjectType: 'pairwise' },
    flags: ['--approvers', 'access=1', '--approval-timeout-seconds', '30'],
  });
  publicUrl = stack.publicUrl;
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

/** What the page's own script reads in its tab (the tests compile without the DOM's types). */
interface InPage {
  sessionStorage: { getItem(key: string): string | null };
}

interface Listed {
  id: string;
  digest: string;
  who: string;
}

/** What the page lists, read with the tab's own session key as the page's script reads it. */
async function listed(tab: Page): Promise<Listed[]> {
  await tab.locator('section.change').first().waitFor();
  return tab.evaluate(async () => {
    const headers = {
      'x-approvals-session': (globalThis as unknown as InPage).sessionStorage.getItem('visier-approvals-session') ?? '',
    };
    return ((await (await fetch('pending', { headers })).json()) as { items: Listed[] }).items;
  });
}

/** Decides `item` with the tab's own session key: the server's answer, whatever the page's buttons allow. */
function decide(tab: Page, item: Listed, decision: 'approve' | 'deny'): Promise<{ status: number; reason?: string }> {
  return tab.evaluate(
    async ({ item, decision }) => {
      const answer = await fetch('decide', {
        method: 'POST',
        headers: {
          'x-approvals-session':
            (globalThis as unknown as InPage).sessionStorage.getItem('visier-approvals-session') ?? '',
          'content-type': 'application/json',
        },
        body: JSON.stringify({ id: item.id, digest: item.digest, decision }),
      });
      return { status: answer.status, reason: ((await answer.json()) as { reason?: string }).reason };
    },
    { item, decision },
  );
}

async function decideFirst(tab: Page, decision: 'approve' | 'deny'): Promise<{ status: number; reason?: string }> {
  const [item] = await listed(tab);
  return item === undefined ? { status: 0, reason: 'nothing pending' } : decide(tab, item, decision);
}

/** `person`'s assistant asks to grant `userId` Admin, an access change that waits on the page for one approver. */
async function asks(person: TestPerson, userId: string): Promise<{ call: Promise<CallToolResult>; client: Client }> {
  const client = await stack.sessionOf(person);
  const call = client.callTool(
    { name: 'assign_permissions_to_users', arguments: { permissionIds: [admin], userIds: [userId] } },
    { timeout: 120_000 },
  ) as Promise<CallToolResult>;
  return { call, client };
}

describe('hostile: who may approve on the signed-in approvals page', () => {
  it('the requester cannot approve her own change by signing in to the page, where the issuer gives her another subject', async () => {
    const { call, client } = await asks(alice, DEMO_USERS.dana.userId);
    const context = await browser.newContext();
    try {
      const tab = await signInOnPage(context, publicUrl, 'alice');
      // The page itself shows the same e-mail on both sides: "Asked by alice@example.com", signed in as alice@example.com.
      await tab.locator('section.change').first().waitFor();
      const approved = await decideFirst(tab, 'approve');
      // Withdraw it where the server held (the requester may deny), so the call ends either way.
      if (approved.status !== 200) await decideFirst(tab, 'deny');
      await call;
      expect(approved).toMatchObject({ status: 403, reason: 'own-change' });
      expect(changeRequests(stack.served.sandbox)).toEqual([]);
    } finally {
      await client.close();
      await context.close();
    }
  }, 120_000);

  it('a person whose tokens allow no change (read scope only) cannot be the approver of an access change', async () => {
    const before = changeRequests(stack.served.sandbox).length;
    const { call, client } = await asks(alice, DEMO_USERS.mallory.userId);
    const context = await browser.newContext();
    try {
      const tab = await signInOnPage(context, publicUrl, 'mallory');
      const approved = await decideFirst(tab, 'approve');
      if (approved.status !== 200) await decideFirst(tab, 'deny');
      await call;
      expect(approved.status).toBe(403);
      expect(changeRequests(stack.served.sandbox)).toHaveLength(before);
    } finally {
      await client.close();
      await context.close();
    }
  }, 120_000);

  it('two people are never shown alike on the page, whatever e-mail claim their issuer lets them carry', async () => {
    const [alices, eves] = [await asks(alice, DEMO_USERS.admin.userId), await asks(eve, DEMO_USERS.admin.userId)];
    const context = await browser.newContext();
    try {
      const tab = await signInOnPage(context, publicUrl, 'bob');
      await expect.poll(async () => (await listed(tab)).length, { timeout: 20_000 }).toBe(2);
      const items = await listed(tab);
      for (const item of items) await decide(tab, item, 'deny');
      await Promise.all([alices.call, eves.call]);
      // "Asked by <who> (session …) through …": who asked, as the approver reads it.
      const askers = items.map((item) => item.who.replace(/ \(session .*$/, ''));
      expect(askers[0]).not.toBe(askers[1]);
    } finally {
      await Promise.all([alices.client.close(), eves.client.close(), context.close()]);
    }
  }, 120_000);

  it("a person holding none of the server's scopes reads nothing of the changes waiting on the page", async () => {
    // Anyone with an account at the issuer: the server refuses their tokens (403 insufficient_scope), yet the page
    // would show them who is being granted what, with the directory's names, e-mails and permissions.
    const waiting = await asks(alice, DEMO_USERS.admin.userId);
    const context = await browser.newContext();
    const bobs = await browser.newContext();
    try {
      // Bob's page shows the change waiting, so it is there when the intern asks.
      const bob = await signInOnPage(bobs, publicUrl, 'bob');
      await listed(bob);
      const tab = await signInOnPage(context, publicUrl, 'intern');
      const shown = await tab.evaluate(async () => {
        const headers = {
          'x-approvals-session':
            (globalThis as unknown as InPage).sessionStorage.getItem('visier-approvals-session') ?? '',
        };
        const answer = await fetch('pending', { headers });
        return { status: answer.status, items: ((await answer.json()) as { items?: Listed[] }).items ?? [] };
      });
      await decideFirst(bob, 'deny');
      await waiting.call;
      expect(shown.items).toEqual([]);
    } finally {
      await Promise.all([waiting.client.close(), context.close(), bobs.close()]);
    }
  }, 120_000);
});
