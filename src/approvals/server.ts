import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type pino from 'pino';
import { counted } from '../grammar.js';
import { APPROVALS_CSS, APPROVALS_JS, SESSION_HEADER } from './assets.js';
import { itemView, SHELL, SHELL_WITHOUT_STORED_KEY } from './page.js';
import type { PendingApprovals } from './pending.js';
import {
  fetchedByPage,
  hostAllowed,
  loopbackHosts,
  mayUseStoredKey,
  sameOrigin,
  secureHeaders,
} from './request-rules.js';
import { type PageSessions, SESSION_IDLE_MS, SESSION_MAX_MS, type SessionRefusal } from './sessions.js';

/** Only loopback: the page approves changes, and nobody off this machine may reach it. */
const BIND_HOST = '127.0.0.1';
/** A decision is a few hundred bytes; anything much larger is no request of ours. */
const MAX_BODY_BYTES = 16 * 1024;
const DECISIONS = new Set(['approve', 'deny']);

export interface ApprovalsServer {
  /** `http://127.0.0.1:PORT` */
  origin: string;
  close(): Promise<void>;
}

class Refused extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    text: string,
  ) {
    super(text);
  }
}

/**
 * A JSON body of at most MAX_BODY_BYTES. JSON only: another origin cannot send that content type (nor the
 * session header) without a CORS preflight, which this server never grants.
 */
async function jsonBody(request: IncomingMessage): Promise<Record<string, unknown>> {
  const type = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json') {
    throw new Refused(415, 'not-json', 'The page sends application/json bodies only. Nothing was done.');
  }
  const tooLarge = new Refused(413, 'too-large', `A request body is at most ${counted(MAX_BODY_BYTES, 'byte')}.`);
  // Refused before reading where the length is declared; Node then discards the body and keeps the connection.
  if (Number(request.headers['content-length'] ?? 0) > MAX_BODY_BYTES) throw tooLarge;
  const chunks: Buffer[] = [];
  let size = 0;
  // Leaving the loop early would destroy the socket under the client's feet: an oversized chunked body is
  // read to its end (loopback only, behind the Host check) and dropped.
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size <= MAX_BODY_BYTES) chunks.push(chunk as Buffer);
  }
  if (size > MAX_BODY_BYTES) throw tooLarge;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new Refused(400, 'bad-json', 'The body is not JSON. Nothing was done.');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Refused(400, 'bad-json', 'The body must be a JSON object. Nothing was done.');
  }
  return parsed as Record<string, unknown>;
}

const text = (body: Record<string, unknown>, field: string) =>
  typeof body[field] === 'string' ? (body[field] as string) : undefined;

/** Where the person finds a link: the page cannot tell whether a browser was opened or only stderr written. */
const WHERE_LINKS_ARE =
  'it opens in your browser, or, where none could be opened, it is on the server\'s stderr (the line beginning "approvals: http")';

const SESSION_REFUSED: Record<SessionRefusal, { reason: string; text: string }> = {
  unknown: {
    reason: 'no-session',
    text: `This page is not signed in (no link was opened in this tab, or another site opened this window). It needs a one-time link from the server: ${WHERE_LINKS_ARE}.`,
  },
  revoked: {
    reason: 'session-revoked',
    text: `This page was signed out: the one-time link that opened it was used a second time, so someone else may have read it. Nothing can be decided from here. A new link was sent: ${WHERE_LINKS_ARE}.`,
  },
  expired: {
    reason: 'session-expired',
    text: `This page's sign-in lapsed (unused for ${counted(SESSION_IDLE_MS / 60_000, 'minute')}, or open for ${counted(SESSION_MAX_MS / 3_600_000, 'hour')}). A new link is sent when a change waits and no page is open: ${WHERE_LINKS_ARE}.`,
  },
};

const DONE = {
  approved: 'Approved: the change is being made now.',
  denied: 'Denied: nothing was sent.',
} as const;

/**
 * The approvals page's HTTP server on 127.0.0.1 (`port` 0 picks a free one). Every answer forbids framing and
 * inline script; a Host header other than the page's loopback names is refused (DNS rebinding). `/` is a static
 * shell with no secret in it; its script trades the link's fragment secret (`POST /session`, once) for a session
 * key that it sends in the `x-approvals-session` header. No cookie is set or read: a browser sends cookies to
 * every port of a host, so one would reach any other local server. A decision (`POST /decide`, JSON) needs that
 * header and a same-origin Origin; it names the change's id and digest. `onOpened` runs when a link is spent,
 * `onLinkReused` when a spent link is used again (its session is revoked, the link renewed: announce the new one).
 * A navigation from another site gets the shell that discards a stored key, and the API answers only the page's
 * own script (`Sec-Fetch-Site`, see request-rules.ts).
 */
export async function startApprovalsServer(options: {
  port: number;
  pending: PendingApprovals;
  sessions: PageSessions;
  onOpened?: () => void;
  onLinkReused?: () => void;
  logger?: pino.Logger;
}): Promise<ApprovalsServer> {
  const { pending, sessions, logger } = options;
  let hosts: ReadonlySet<string> = new Set();

  const send = (response: ServerResponse, status: number, type: string, body: string) => {
    response.writeHead(status, { 'Content-Type': `${type}; charset=utf-8` });
    response.end(body);
  };
  const json = (response: ServerResponse, status: number, body: object) =>
    send(response, status, 'application/json', JSON.stringify(body));

  const needSession = (request: IncomingMessage): void => {
    const header = request.headers[SESSION_HEADER];
    const used = sessions.use(typeof header === 'string' ? header : undefined);
    if (!used.ok) throw new Refused(401, SESSION_REFUSED[used.reason].reason, SESSION_REFUSED[used.reason].text);
  };
  const needSameOrigin = (request: IncomingMessage): void => {
    if (!sameOrigin(request)) {
      throw new Refused(
        403,
        'cross-origin',
        "The request did not come from this page (its Origin header is not the page's own). Nothing was done.",
      );
    }
  };
  const needPageFetch = (request: IncomingMessage): void => {
    if (!fetchedByPage(request)) {
      throw new Refused(
        403,
        'cross-site',
        'The request did not come from this page\'s own script (its Sec-Fetch-Site header is not "same-origin"). Nothing was done.',
      );
    }
  };

  async function route(request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> {
    const method = request.method ?? 'GET';
    const path = url.pathname;
    if (path === '/approvals.js' && method === 'GET') return send(response, 200, 'text/javascript', APPROVALS_JS);
    if (path === '/approvals.css' && method === 'GET') return send(response, 200, 'text/css', APPROVALS_CSS);
    if (path === '/' && method === 'GET') {
      return send(response, 200, 'text/html', mayUseStoredKey(request) ? SHELL : SHELL_WITHOUT_STORED_KEY);
    }
    if (path === '/pending' && method === 'GET') {
      needPageFetch(request);
      needSession(request);
      return json(response, 200, { version: pending.version, items: pending.list().map(itemView) });
    }
    if (path === '/session' || path === '/decide') {
      if (method !== 'POST') throw new Refused(405, 'method', `${path} takes POST only.`);
      needPageFetch(request);
      if (path === '/decide') needSession(request);
      needSameOrigin(request);
      const body = await jsonBody(request);
      return path === '/session' ? openSession(response, body) : decide(response, body);
    }
    throw new Refused(404, 'not-found', 'There is nothing here; the approvals are at /.');
  }

  function openSession(response: ServerResponse, body: Record<string, unknown>): void {
    const opened = sessions.open(text(body, 'link') ?? '');
    if (!opened.ok) {
      if (opened.reason === 'reused') options.onLinkReused?.();
      throw new Refused(
        403,
        opened.reason === 'reused' ? 'link-used' : 'link-invalid',
        opened.reason === 'reused'
          ? `This one-time link was already opened once, so someone else may have read it. The page that opened it is signed out and the link is void; a new one was just sent: ${WHERE_LINKS_ARE}.`
          : `This link carries no valid secret (a newer link replaces older ones). Open the newest link: ${WHERE_LINKS_ARE}.`,
      );
    }
    options.onOpened?.();
    json(response, 200, { session: opened.session });
  }

  function decide(response: ServerResponse, body: Record<string, unknown>): void {
    const id = text(body, 'id');
    const digest = text(body, 'digest');
    const decision = text(body, 'decision');
    const missing = [id === undefined ? 'id' : '', digest === undefined ? 'digest' : ''].filter(Boolean);
    if (missing.length > 0) {
      throw new Refused(400, 'incomplete', `The decision lacks ${missing.join(' and ')}. Nothing was done.`);
    }
    if (decision === undefined || !DECISIONS.has(decision)) {
      throw new Refused(400, 'incomplete', 'The decision must be "approve" or "deny" ("decision"). Nothing was done.');
    }
    const clicked = pending.click(id as string, digest as string, decision as 'approve' | 'deny', text(body, 'typed'));
    if (!clicked.ok) {
      logger?.info({ reason: clicked.reason }, 'approvals page: decision refused');
      throw new Refused(clicked.status, clicked.reason, clicked.text);
    }
    logger?.info({ tool: clicked.item.change.tool, decision: clicked.decision }, 'approvals page: decided');
    json(response, 200, { decision: clicked.decision, text: DONE[clicked.decision] });
  }

  const server: Server = createServer((request, response) => {
    secureHeaders(response);
    if (!hostAllowed(request, hosts)) {
      send(response, 403, 'text/plain', 'This page answers only to 127.0.0.1, localhost or [::1] on its own port.\n');
      return;
    }
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    route(request, response, url).catch((error: unknown) => {
      if (response.headersSent) return response.destroy();
      if (error instanceof Refused) return json(response, error.status, { reason: error.reason, text: error.message });
      logger?.error({ err: error }, 'approvals page: request failed');
      json(response, 500, { reason: 'error', text: 'The page could not answer; nothing was done.' });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, BIND_HOST, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  hosts = loopbackHosts(port);
  return {
    origin: `http://${BIND_HOST}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
