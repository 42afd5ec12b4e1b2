// The second approver end to end on the real token path: Alice calls over Streamable HTTP with an access token a
// real OpenID provider (oidc-provider on loopback) issued, validated by the server's OAuth verifier; Bob and Carol
// sign in to the approvals page the same server serves under /approvals/, through the same provider, in Debian's
// Chromium, and approve. The sandbox stands where Visier stands.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CallToolResult } from '@modelcontextprotocol/client';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PERMISSIONS, DEMO_USERS } from '../../src/sandbox/index.js';
import { changeRequests, textOf } from '../guards/e2e-harness.js';
import { launchChromium } from '../support/chromium.js';
import { ALICE as alice, type OAuthStack, PAGE_CLIENT, startOAuthStack } from '../support/oauth-stack.js';
import { signInOnPage } from '../support/page-sign-in.js';

const admin = DEMO_PERMISSIONS.admin.permissionId;
const dana = DEMO_USERS.dana.userId;

let browser: Browser;
let stack: OAuthStack;
let auditPath: string;

beforeAll(async () => {
  browser = await launchChromium();
  auditPath = join(mkdtempSync(join(tmpdir(), 'vam-approvers-oauth-')), 'audit.jsonl');
  // As the CLI wires it: the page with sign-in is a handler the main HTTP server serves under /approvals/.
  stack = await startOAuthStack({
    people: [alice],
    pageClient: PAGE_CLIENT,
    flags: ['--approvers', 'privileged=2', '--audit-log', auditPath],
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

describe('approvers on the real token path', () => {
  it("Alice's token names her; Bob and Carol sign in on the page and approve her privileged grant; the audit names all three", async () => {
    const { issuer, publicUrl, served } = stack;
    const client = await stack.sessionOf(alice);
    const [bobs, carols] = [await browser.newContext(), await browser.newContext()];
    try {
      const call = client.callTool({
        name: 'assign_permissions_to_users',
        arguments: { permissionIds: [admin], userIds: [dana] },
      }) as Promise<CallToolResult>;
      const bob = await signInOnPage(bobs, publicUrl, 'bob');
      const change = bob.locator('section.change[data-armed]');
      await change.waitFor();
      // The requester is the person the validated token named, as the page shows it.
      expect(await change.textContent()).toContain('Asked by alice@example.com');
      await change.locator('button.approve').click();
      await bob.locator('#notice', { hasText: 'Your approval is recorded' }).waitFor();
      expect(changeRequests(served.sandbox)).toEqual([]);

      const carol = await signInOnPage(carols, publicUrl, 'carol');
      await carol.locator('section.change[data-armed]').waitFor();
      await carol.locator('section.change button.approve').click();
      const result = await call;
      expect(result.isError, textOf(result)).toBeFalsy();
      expect(served.sandbox.snapshot().userPermissions[admin]).toContain(dana);
      expect(changeRequests(served.sandbox)).toHaveLength(1);

      const lines = readFileSync(auditPath, 'utf8')
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as Record<string, unknown>);
      const person = (sub: string) => ({ issuer: issuer.url, subject: sub, email: `${sub}@example.com` });
      expect(lines.find((line) => line.tool === 'assign_permissions_to_users')).toMatchObject({
        decision: 'confirmed',
        confirmation: {
          method: 'web',
          approvals: {
            required: 2,
            requester: { principal: `oauth:${issuer.url}#alice`, person: person('alice') },
            approvedBy: [person('bob'), person('carol')],
          },
        },
      });
    } finally {
      await client.close();
      await Promise.all([bobs.close(), carols.close()]);
    }
  }, 120_000);
});
