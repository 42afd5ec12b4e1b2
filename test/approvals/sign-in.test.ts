// A second approver in real browsers: the approvals page served by the main HTTP server under /approvals/, people
// signing in through a real OpenID provider (oidc-provider on loopback, its own login and consent pages) in
// Debian's Chromium. Alice asks (named as an OAuth token names her, through the transport's seam); Bob and Carol
// sign in (the page names them by the access token for this server their sign-in yields) and approve; the sandbox
// stands where Visier stands.
import { request } from 'node:http';
import { McpServer } from '@modelcontextprotocol/server';
import pino from 'pino';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApprovalsPage, startApprovalsPage } from '../../src/approvals/index.js';
import { type Person, personKey } from '../../src/auth/person.js';
import { approversPolicy } from '../../src/guards/approvers.js';
import { DEMO_PERMISSIONS, DEMO_USERS } from '../../src/sandbox/index.js';
import { PERSON_KEY, PRINCIPAL_KEY } from '../../src/server-context.js';
import { type HttpHandle, startHttp } from '../../src/transports/http.js';
import { changeRequests, e2eSuite, textOf } from '../guards/e2e-harness.js';
import { launchChromium } from '../support/chromium.js';
import { type Issuer, startIssuer } from '../support/oidc-issuer.js';
import { signInOnPage } from '../support/page-sign-in.js';

const CLIENT_ID = 'approvals-page';
const CLIENT_SECRET = 'the-approvals-page-client-secret';
const admin = DEMO_PERMISSIONS.admin.permissionId;
const suite = e2eSuite();
const holders = () => suite.sandbox.snapshot().userPermissions[admin] ?? [];

let browser: Browser;
let issuer: string;
let idp: Issuer;
let http: HttpHandle;
let publicUrl: string;
let page: ApprovalsPage;

beforeAll(async () => {
  browser = await launchChromium();
  // The main server first (its port is the public URL), handing /approvals/ to the page once that exists.
  let handle: ApprovalsPage['handle'];
  http = await startHttp({
    host: '127.0.0.1',
    port: 0,
    sessionIdleMs: 60_000,
    maxSessions: 4,
    logger: pino({ level: 'silent' }),
    createServer: () => new McpServer({ name: 'approvals-sign-in-test', version: '0.0.0' }),
    approvalsPage: (req, res) => handle?.(req, res),
  });
  publicUrl = `http://127.0.0.1:${http.port}`;
  // Whoever signs in at the provider's own login page is that login: bob, carol, alice.
  idp = await startIssuer({
    resource: `${publicUrl}/mcp`,
    people: [],
    webClient: { id: CLIENT_ID, secret: CLIENT_SECRET, redirectUri: `${publicUrl}/approvals/callback` },
  });
  issuer = idp.url;
  page = await startApprovalsPage({
    port: 0,
    signIn: {
      issuer,
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      publicUrl,
      stateSecret: 'a-test-only-state-secret-0123456789',
    },
  });
  handle = page.handle;
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await http?.close();
  await idp?.close();
});

const personOf = (sub: string): Person => ({ issuer, subject: sub, email: `${sub}@example.com` });
const named = (sub: string) => ({ issuer, subject: sub, email: `${sub}@example.com` });

const signIn = (context: BrowserContext, login: string, tamper?: (url: URL) => void): Promise<Page> =>
  signInOnPage(context, publicUrl, login, tamper);

async function pendingOn() {
  const desk = page.desk as import('../../src/approvals/pending.js').PendingApprovals;
  while (desk.list().length === 0) await new Promise((resolve) => setImmediate(resolve));
  return desk.list()[0] as NonNullable<ReturnType<typeof desk.list>[number]>;
}

describe('approvers sign in through the issuer', () => {
  it('privileged=2: Alice cannot approve her own change; Bob keeps it waiting; Carol lets it through; the audit names all three', async () => {
    const dana = DEMO_USERS.dana.userId;
    const alice = personOf('alice');
    const contexts = await Promise.all([browser.newContext(), browser.newContext(), browser.newContext()]);
    try {
      await suite.withE2E(
        {
          guard: { confirm: 'auto', approvals: page.desk, approvers: approversPolicy.parse('privileged=2') },
          authInfo: {
            token: 'validated-by-the-transport',
            clientId: 'alice',
            scopes: [],
            extra: { [PRINCIPAL_KEY]: personKey(alice), [PERSON_KEY]: alice },
          },
        },
        async (e2e) => {
          const call = e2e.call('assign_permissions_to_users', { permissionIds: [admin], userIds: [dana] });
          await pendingOn();
          const [aliceTab, bobTab, carolTab] = [
            await signIn(contexts[0] as BrowserContext, 'alice'),
            await signIn(contexts[1] as BrowserContext, 'bob'),
            await signIn(contexts[2] as BrowserContext, 'carol'),
          ] as [Page, Page, Page];

          const own = aliceTab.locator('section.change[data-armed]');
          await own.waitFor();
          expect(await aliceTab.textContent('body')).toContain('Signed in as alice@example.com');
          expect(await own.textContent()).toContain('You asked for this change: another person must approve it');
          expect(await own.locator('button.approve').isDisabled()).toBe(true);
          // The disabled button is only a hint: the server refuses the requester's approval whatever the page sends.
          await own.locator('button.approve').evaluate((button) => button.removeAttribute('disabled'));
          await own.locator('button.approve').click();
          await aliceTab.locator('body', { hasText: 'You asked for this change, so you cannot approve it' }).waitFor();

          await bobTab.locator('section.change button.approve').click();
          await bobTab.locator('#notice', { hasText: 'Your approval is recorded' }).waitFor();
          await bobTab.locator('section.change', { hasText: 'approved so far by bob@example.com' }).waitFor();
          await bobTab.locator('section.change button.approve').click();
          await bobTab.locator('body', { hasText: 'You already approved this change' }).waitFor();
          expect(changeRequests(suite.sandbox)).toEqual([]);
          expect(holders()).not.toContain(dana);

          await carolTab.locator('section.change[data-armed]').waitFor();
          await carolTab.locator('section.change button.approve').click();
          const result = await call;
          expect(result.isError, textOf(result)).toBeFalsy();
          expect(holders()).toContain(dana);
          expect(changeRequests(suite.sandbox)).toHaveLength(1);
          expect((await e2e.auditLines())[0]).toMatchObject({
            decision: 'confirmed',
            confirmation: {
              method: 'web',
              approvals: {
                required: 2,
                requester: { principal: personKey(alice), person: named('alice') },
                approvedBy: [named('bob'), named('carol')],
              },
            },
          });
        },
      );
    } finally {
      await Promise.all(contexts.map((context) => context.close()));
    }
  }, 120_000);

  it.each([
    ['state', /state/],
    ['nonce', /nonce/],
  ])(
    'a sign-in whose %s is not the one the page sent is refused, and opens no session',
    async (param, said) => {
      const context = await browser.newContext();
      try {
        const tab = await signIn(context, 'mallory', (url) => url.searchParams.set(param, 'forged-by-an-attacker'));
        await tab.locator('h1', { hasText: 'Not signed in' }).waitFor();
        expect(await tab.textContent('[role="alert"]')).toMatch(said);
        // Asked as the page's own script asks (same origin, with whatever key this tab holds): no session.
        const status = await tab.evaluate(
          `fetch('${publicUrl}/approvals/pending', { headers: { 'x-approvals-session': sessionStorage.getItem('visier-approvals-session') ?? '' } }).then((r) => r.status)`,
        );
        expect(status).toBe(401);
      } finally {
        await context.close();
      }
    },
    60_000,
  );

  it('without sign-in the page decides nothing: the list asks to sign in, a decision is refused', async () => {
    const list = await fetch(`${publicUrl}/approvals/pending`);
    expect(list.status).toBe(401);
    expect(((await list.json()) as { reason: string }).reason).toBe('sign-in');
    const decide = await fetch(`${publicUrl}/approvals/decide`, {
      method: 'POST',
      headers: { origin: publicUrl, 'content-type': 'application/json' },
      body: JSON.stringify({ id: 'x', digest: 'y', decision: 'approve' }),
    });
    expect(decide.status).toBe(401);
    // The one-time link's way in is closed where people sign in: a link secret opens no session.
    const linked = await fetch(`${publicUrl}/approvals/session`, {
      method: 'POST',
      headers: { origin: publicUrl, 'content-type': 'application/json' },
      body: JSON.stringify({ link: 'any' }),
    });
    expect(linked.status).toBe(403);
    // Another Host (DNS rebinding) is refused before anything else (fetch cannot set Host: node:http can).
    const rebound = await new Promise<number>((resolve, reject) => {
      const asked = request(`${publicUrl}/approvals/`, { headers: { host: 'evil.example' } }, (answer) => {
        answer.resume();
        resolve(answer.statusCode ?? 0);
      });
      asked.on('error', reject).end();
    });
    expect(rebound).toBe(403);
  });
});
