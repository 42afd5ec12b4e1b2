import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * The page's own origin names, for a listener on `port`: a Host header naming anything else is DNS rebinding
 * (a site whose name resolves to 127.0.0.1) and is refused, as is an Origin other than the Host's own.
 */
export function loopbackHosts(port: number): ReadonlySet<string> {
  return new Set([`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`]);
}

/** Whether the request names the page by one of its loopback names. */
export function hostAllowed(request: IncomingMessage, hosts: ReadonlySet<string>): boolean {
  const host = request.headers.host;
  return host !== undefined && hosts.has(host.toLowerCase());
}

/**
 * Whether a state-changing request comes from the page itself: an `Origin` header (browsers send it on every
 * POST) equal to the page's origin: `expected` where the page knows it (its public URL behind TLS), else as the
 * Host header names it over http. A missing Origin is refused too: a request without one comes from no page of ours.
 */
export function sameOrigin(request: IncomingMessage, expected?: string): boolean {
  const origin = request.headers.origin;
  const host = request.headers.host;
  const own = expected ?? (host === undefined ? undefined : `http://${host}`);
  return origin !== undefined && own !== undefined && origin.toLowerCase() === own.toLowerCase();
}

/**
 * Whether a navigation to the page may sign in with a key the tab already stored. A browser copies a tab's
 * `sessionStorage` into every window opened from it, so a site the person reached from the page's tab could open
 * the page in a popup it places and sizes, signed in (clickjacking the buttons). Only a navigation the person
 * made (`Sec-Fetch-Site: none`: address bar, bookmark, a link from another application, a reload) or the page
 * made itself (`same-origin`) keeps the key; `same-site` (another port of 127.0.0.1) and `cross-site` do not,
 * and then a fresh link is needed. Browsers that send no such header (Safari before 16.4) keep it: there is
 * nothing to tell the cases apart by. Decided by the server, which serves a shell telling the script to discard
 * the key: the script itself cannot tell how its document was reached (an opening site can hide itself from
 * `window.opener` and `document.referrer`).
 */
export function mayUseStoredKey(request: IncomingMessage): boolean {
  const site = request.headers['sec-fetch-site'];
  return site === undefined || site === 'none' || site === 'same-origin';
}

/**
 * Whether an API request comes from a document of the page's own origin: `Sec-Fetch-Site: same-origin`, or no
 * such header (a browser that does not send it, or a client outside any browser, which the session key and the
 * Origin rule bound). Anything another site's page makes the browser send (a navigation to `/pending`, a form
 * post, an image) is refused before its key or body is looked at.
 */
export function fetchedByPage(request: IncomingMessage): boolean {
  const site = request.headers['sec-fetch-site'];
  return site === undefined || site === 'same-origin';
}

// Scripts and styles from the page's own origin only (no inline code, so no 'unsafe-inline' and no nonce);
// forms post back to it only; no one may frame it (clickjacking the Approve button).
const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

/** Headers on every answer, whatever its status. */
export function secureHeaders(response: ServerResponse): void {
  response.setHeader('Content-Security-Policy', CSP);
  response.setHeader('X-Frame-Options', 'DENY');
  response.setHeader('X-Content-Type-Options', 'nosniff');
  // Not `no-referrer`: under it Chromium sends `Origin: null` on the page's own posts, and the same-origin
  // check could not tell them from a sandboxed frame's. Other origins still learn nothing.
  response.setHeader('Referrer-Policy', 'same-origin');
  response.setHeader('Cache-Control', 'no-store');
  response.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  response.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
}
