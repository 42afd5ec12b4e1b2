// Found by the issue 14 attacker (regression test now): a session cookie has no port isolation. Cookies ignore ports, and
// 127.0.0.1:OTHER is the same site, so SameSite=Strict does not stop it either: the person's browser sends
// `visier_approvals_PORT=<session>` to every other web server on 127.0.0.1 it visits (another local dev server,
// another MCP server's HTTP transport or OAuth callback, a process of another local user). Whoever receives it
// reads the page (Host header set by hand), takes the CSRF token from it, and posts a decision with a hand-set
// Origin: an access change was approved under `--confirm web` with no click by the person. The page now keeps no
// ambient credential at all: its key lives in sessionStorage (this exact origin) and travels in a header.
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startApprovalsPage } from '../../src/approvals/index.js';
import { DEMO_PERMISSIONS, DEMO_USERS } from '../../src/sandbox/index.js';
import { changeRequests, e2eSuite, textOf } from '../guards/e2e-harness.js';
import { launchChromium } from '../support/chromium.js';

const dana = DEMO_USERS.dana.userId;
const perm = DEMO_PERMISSIONS.payrollAuditor.permissionId;
const GRANT = { permissionIds: [perm], userIds: [dana] };
const suite = e2eSuite();

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
}, 60_000);
afterAll(() => browser?.close());

function raw(
  port: number,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method, path, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

it('a page on another 127.0.0.1 port receives no credential, and cannot approve a change without a click', async () => {
  const approvals = await startApprovalsPage({ port: 0 });
  const port = Number(new URL(approvals.origin).port);
  // Some other web server on this machine: it only records what the browser sends it.
  const seen: string[] = [];
  const other: Server = createServer((req, res) => {
    seen.push(req.headers.cookie ?? '');
    res.end('hello');
  });
  await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(approvals.link); // the person opens the one-time link, as told
    await page.locator('#empty').waitFor(); // the page holds its session: it has listed the (empty) queue
    await page.goto(`http://127.0.0.1:${(other.address() as AddressInfo).port}/`); // later visits another local app
    const stolen = seen.join(';');

    await suite.withE2E(
      { guard: { confirm: 'web', approvals: approvals.desk, approvalTimeoutMs: 8_000 } },
      async (e2e) => {
        const call = e2e.call('assign_permissions_to_users', GRANT);
        // The other server, outside any browser, uses what it received.
        const headers = { Host: `127.0.0.1:${port}`, Cookie: stolen };
        let html = '';
        for (let i = 0; i < 100 && !html.includes('name="digest"'); i++) {
          html = (await raw(port, 'GET', '/', headers)).text;
          await new Promise((r) => setTimeout(r, 50));
        }
        const field = (name: string) => html.match(new RegExp(`name="${name}" value="([^"]*)"`))?.[1] ?? '';
        const form = new URLSearchParams({
          csrf: field('csrf'),
          id: field('id'),
          digest: field('digest'),
          decision: 'approve',
        }).toString();
        await raw(
          port,
          'POST',
          '/decide',
          { ...headers, Origin: `http://127.0.0.1:${port}`, 'Content-Type': 'application/x-www-form-urlencoded' },
          form,
        );
        const result = await call;
        expect(textOf(result), 'the attacker approved it').not.toContain('Assign permissions: succeeded');
        // Expected: only the person's own browser on the page can decide; the session must not leak to other ports.
        expect(changeRequests(suite.sandbox)).toEqual([]);
        expect(stolen).not.toContain(`visier_approvals_${port}=`);
        // No cookie at all reaches the other port (the page, the favicon): the page sets none.
        expect(seen.length).toBeGreaterThan(0);
        expect(seen.filter((cookie) => cookie !== '')).toEqual([]);
      },
    );
  } finally {
    await context.close();
    await approvals.close();
    await new Promise<void>((resolve) => other.close(() => resolve()));
  }
});
