// A host for an MCP Apps view in a real browser: the view's HTML served at its own origin with the spec's default
// CSP, inside a sandboxed iframe of a host page, and every message between the view and ext-apps' AppBridge in
// Node relayed through that page. Any other request the page makes is recorded and refused.
import type { JSONRPCMessage, Transport } from '@modelcontextprotocol/client';
import type { BrowserContext, Page } from 'playwright-core';

/** The CSP a host MUST apply when a view's resource declares none (MCP Apps spec 2026-01-26, "Host Behavior"). */
export const DEFAULT_VIEW_CSP =
  "default-src 'none'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; " +
  "img-src 'self' data:; media-src 'self' data:; connect-src 'none'";

const HOST_URL = 'http://host.test/';
const VIEW_URL = 'http://view.test/view.html';
const HOST_PAGE = `<!DOCTYPE html><html><body>
<iframe id="view" title="view" sandbox="allow-scripts" src="${VIEW_URL}" style="width:720px;height:640px"></iframe>
<script>
window.toView = (message) => document.getElementById('view').contentWindow.postMessage(message, '*');
window.addEventListener('message', (event) => {
  if (event.source === document.getElementById('view').contentWindow) window.toHost(event.data);
});
</script></body></html>`;

/** The page side of an AppBridge connection: what the view posts reaches `onmessage`; `send` posts to the view. */
export class ViewPageTransport implements Transport {
  onmessage?: (message: JSONRPCMessage) => void;
  onclose?: () => void;
  onerror?: (error: Error) => void;

  constructor(private readonly page: Page) {}

  async start(): Promise<void> {
    await this.page.exposeFunction('toHost', (message: JSONRPCMessage) => this.onmessage?.(message));
  }

  async send(message: JSONRPCMessage): Promise<void> {
    await this.page.evaluate((m) => (globalThis as unknown as { toView(m: unknown): void }).toView(m), message);
  }

  async close(): Promise<void> {
    this.onclose?.();
  }
}

export interface ViewHost {
  /** Requests the page made other than the host page and the view (none may succeed). */
  stray: string[];
  /** Console errors in the page and the view (a CSP violation is one). */
  errors: string[];
  /** Loads the host page, and with it the view. Connect the AppBridge on a ViewPageTransport first. */
  open(): Promise<void>;
}

/** Serves `html` as the view under the default CSP in `context`; the page must be new. */
export async function hostView(context: BrowserContext, page: Page, html: string): Promise<ViewHost> {
  const stray: string[] = [];
  const errors: string[] = [];
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url === HOST_URL) return route.fulfill({ contentType: 'text/html', body: HOST_PAGE });
    if (url === VIEW_URL) {
      return route.fulfill({
        contentType: 'text/html',
        headers: { 'content-security-policy': DEFAULT_VIEW_CSP },
        body: html,
      });
    }
    stray.push(url);
    return route.abort();
  });
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  return { stray, errors, open: async () => void (await page.goto(HOST_URL)) };
}
