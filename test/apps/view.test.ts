// The approval view in headless Debian Chromium, under the CSP a host applies by default, hosted by ext-apps'
// own host-side AppBridge: it shows the change, the privileged grant and the elevated target, and its Approve
// and Deny buttons reach the guarded server through the bridge; the sandbox says what changed. Screenshots go to
// test-artifacts/apps/.
import { mkdirSync } from 'node:fs';
import type { CallToolResult } from '@modelcontextprotocol/client';
import { AppBridge } from '@modelcontextprotocol/ext-apps/app-bridge';
import type { Browser, FrameLocator } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VIEW_URI } from '../../src/apps/view.js';
import { DEMO_PERMISSIONS, DEMO_USERS } from '../../src/sandbox/index.js';
import { changeRequests, type E2E, e2eSuite } from '../guards/e2e-harness.js';
import { launchChromium } from '../support/chromium.js';
import { RENDERS_APPS } from '../support/mcp-apps.js';
import { hostView, type ViewHost, ViewPageTransport } from '../support/view-host.js';

const ARTIFACTS = new URL('../../test-artifacts/apps/', import.meta.url);
mkdirSync(ARTIFACTS, { recursive: true });

const dana = DEMO_USERS.dana;
const admin = DEMO_PERMISSIONS.admin;

const suite = e2eSuite();
const changes = () => changeRequests(suite.sandbox).map((r) => `${r.method} ${r.path}`);

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
}, 60_000);
afterAll(() => browser?.close());

interface Shown {
  view: FrameLocator;
  /** Saves a screenshot of the page under `name`. */
  snap(name: string): Promise<void>;
  host: ViewHost;
  /** What the view asked the host to tell the model. */
  context: string[];
  e2e: E2E;
}

/** The model's call, its result rendered in the view as a host that renders MCP Apps would. */
async function showCall(
  shot: string,
  tool: string,
  args: Record<string, unknown>,
  body: (shown: Shown) => Promise<void>,
) {
  await suite.withE2E({ capabilities: RENDERS_APPS }, async (e2e) => {
    const result = (await e2e.client.callTool({ name: tool, arguments: args })) as CallToolResult;
    const resource = await e2e.client.readResource({ uri: VIEW_URI });
    const html = (resource.contents[0] as { text: string }).text;
    const page = await (await browser.newContext()).newPage();
    try {
      const host = await hostView(page.context(), page, html);
      const bridge = new AppBridge(
        e2e.client,
        { name: 'view-test-host', version: '1.0.0' },
        { serverTools: {}, updateModelContext: { text: {} } },
      );
      const context: string[] = [];
      bridge.onupdatemodelcontext = async (params) => {
        for (const part of params.content ?? []) if (part.type === 'text') context.push(part.text);
        return {};
      };
      bridge.oninitialized = () => {
        void bridge.sendToolInput({ arguments: args }).then(() => bridge.sendToolResult(result));
      };
      await bridge.connect(new ViewPageTransport(page));
      await host.open();
      const snap = async (name: string) =>
        void (await page.screenshot({ path: new URL(`${name}.png`, ARTIFACTS).pathname }));
      await body({ view: page.frameLocator('#view'), host, context, e2e, snap });
      await snap(shot);
      expect(host.stray).toEqual([]);
      expect(host.errors).toEqual([]);
    } finally {
      await page.context().close();
    }
  });
}

describe('the approval view in a browser', () => {
  it('shows who gains what, flags the privileged grant, and Approve makes the change once', async () => {
    const grant = { permissionIds: [admin.permissionId], userIds: [dana.userId] };
    await showCall('approved', 'assign_permissions_to_users', grant, async ({ view, context, snap }) => {
      await expect.poll(() => view.getByRole('button', { name: 'Approve' }).isEnabled()).toBe(true);
      expect(await view.getByRole('heading').textContent()).toBe('Approve assign_permissions_to_users?');
      expect(await view.getByRole('alert').textContent()).toContain(`PRIVILEGED: grants ${admin.displayName}`);
      const row = view.getByRole('row', { name: new RegExp(dana.displayName) });
      expect(await row.getAttribute('class')).toBe('elevated');
      expect(await row.textContent()).toContain(admin.displayName);
      expect(await view.getByRole('status').textContent()).toContain('Nothing has been changed yet.');
      expect(changes()).toEqual([]);
      await snap('pending-privileged-grant');

      // By keyboard, as a person without a mouse would.
      await view.getByRole('button', { name: 'Approve' }).focus();
      await view.getByRole('button', { name: 'Approve' }).press('Enter');
      await expect.poll(() => view.getByRole('status').textContent()).toContain('Done: ');
      expect(changes()).toEqual(['PUT /v1/admin/permissions/users']);
      expect(suite.sandbox.snapshot().userPermissions[admin.permissionId]).toContain(dana.userId);
      expect(await view.getByRole('button', { name: 'Approve' }).isDisabled()).toBe(true);
      await expect.poll(() => context.length).toBe(1);
      expect(context[0]).toContain('The person approved the change in the approval view.');
    });
  });

  it('Deny refuses the change and nothing is sent', async () => {
    const recruiting = DEMO_PERMISSIONS.recruiting.permissionId;
    const grant = { permissionIds: [recruiting], userIds: [dana.userId] };
    await showCall('denied', 'assign_permissions_to_users', grant, async ({ view }) => {
      await view.getByRole('button', { name: 'Deny' }).click();
      await expect.poll(() => view.getByRole('status').textContent()).toContain('the user declined; nothing was sent.');
      expect(changes()).toEqual([]);
    });
  });

  it('draws a user -> groups -> permissions tree for get_user, an ordinary permission unmarked', async () => {
    await showCall('access-tree', 'get_user', { userId: dana.userId }, async ({ view }) => {
      const tree = view.getByRole('tree', { name: `Access of ${dana.displayName}` });
      await expect.poll(() => tree.isVisible()).toBe(true);
      const items = await tree.getByRole('treeitem').allTextContents();
      expect(items[0]).toMatch(/^Granted directly/);
      expect(items.join('\n')).toContain('Headcount Viewer 6c1f');
      expect(items.join('\n')).not.toContain('Headcount Viewer (privileged)');
      expect(items.slice(1).every((item) => item.startsWith('Group '))).toBe(true);
      expect(changes()).toEqual([]);
    });
  });

  it('a deletion asks for the name in a labelled field, and a wrong name deletes nothing', async () => {
    const target = DEMO_USERS.mallory;
    await showCall('delete-wrong-name', 'delete_user', { userId: target.userId }, async ({ view }) => {
      const field = view.getByLabel(/This cannot be undone\. Type the name to confirm/);
      await field.fill('someone else');
      await view.getByRole('button', { name: 'Approve' }).click();
      await expect.poll(() => view.getByRole('status').textContent()).toContain('the typed value did not match');
      expect(changes()).toEqual([]);
    });
  });
});
