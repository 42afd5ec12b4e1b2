import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type pino from 'pino';
import { personLabel } from '../auth/person.js';
import { counted } from '../grammar.js';
import { StoreUnavailableError } from '../shared-state/store.js';
import { APPROVALS_CSS, APPROVALS_JS, SESSION_HEADER } from './assets.js';
import type { PendingBoard } from './board.js';
import { type Approver, HOLDER_STOPPED } from './click-rules.js';
import { itemView, messagePage, SHELL, SHELL_WITHOUT_STORED_KEY, viewerLine } from './page.js';
import {
  fetchedByPage,
  hostAllowed,
  loopbackHosts,
  mayUseStoredKey,
  sameOrigin,
  secureHeaders,
} from './request-rules.js';
import { SESSION_IDLE_MS, SESSION_MAX_MS, type SessionBook, type SessionRefusal } from './sessions.js';
import { type PageSignIn, SignInError } from './sign-in.js';

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

/** A tab with no session key, on a page whose people sign in through the issuer. */
const SIGN_IN = {
  reason: 'sign-in',
  text: 'Nobody is signed in to this page: sign in through your organisation to see and decide the changes waiting.',
};

/** A tab whose signed-in session stopped deciding: the script offers to sign in again and never does it unasked. */
const SIGN_IN_ENDED = {
  reason: 'sign-in-ended',
  text: `Your sign-in to this page has ended: it lasts only as long as the access token your organisation gave it, and at most ${counted(SESSION_IDLE_MS / 60_000, 'minute')} unused or ${counted(SESSION_MAX_MS / 3_600_000, 'hour')} in all. Nothing can be decided from here until you sign in again.`,
};

const DONE = {
  approved: 'Approved: the change is being made now.',
  recorded: 'Your approval is recorded: the change waits for the other approvals it needs.',
  denied: 'Denied: nothing was sent.',
} as const;

/** Where and how one approvals page answers: on its own loopback listener, or under the main server's `/approvals/`. */
export interface ApprovalsHandlerOptions {
  pending: PendingBoard;
  sessions: SessionBook;
  /** Runs when a spent link is used again (its session is revoked, the link renewed: announce the new one). */
  onLinkReused?: () => void;
  logger?: pino.Logger;
  /** The Host header values the page answers to (DNS rebinding). */
  hosts: ReadonlySet<string>;
  /** The page's origin as its own requests name it in `Origin`; `http://` + the Host header when absent (loopback). */
  origin?: string;
  /** Path the page sits under: '' on its own listener, '/approvals' on the main server. */
  base: string;
  /** Runs when a link is spent. */
  onOpened?: () => void;
  /**
   * Present when approvers sign in through the issuer: then a session comes from a sign-in, never a link, a
   * decision needs a signed-in person, and `publicUrl` (the server's URL, no trailing slash) is where the issuer
   * sends them back.
   */
  signIn?: { flow: PageSignIn; publicUrl: string };
}

/**
 * The approvals page's request handler. Every answer forbids framing and inline script; a Host header other than
 * the page's own names is refused (DNS rebinding). `/` is a static shell with no secret in it; its script trades
 * the link's fragment secret (`POST /session`, once) for a session key that it sends in the `x-approvals-session`
 * header. No cookie is set or read: a browser sends cookies to every port of a host, so one would reach any other
 * local server. With sign-in the script starts an OpenID Connect sign-in (`POST /sign-in`, see sign-in.ts: by itself
 * only where the person reached the page, else when they press its button, asking the issuer for `fresh` login); the
 * issuer's callback hands the page a one-time code in the fragment (`/#s=`), traded by `POST /session` with the
 * sign-in's id the tab kept, for a session naming the person. A decision (`POST /decide`, JSON) needs that
 * header and a same-origin Origin, names the change's id and digest, and with sign-in a signed-in person.
 * `pending` and `sessions` may be shared by replicas (Redis): then it answers 503 `store-unavailable`, deciding
 * nothing, while Redis does not answer, and lists changes whose replica stopped under `withdrawn` (id, tool, why).
 */
export function approvalsHandler(
  options: ApprovalsHandlerOptions,
): (request: IncomingMessage, response: ServerResponse) => void {
  const { pending, sessions, logger, hosts, base, signIn } = options;
  const send = (response: ServerResponse, status: number, type: string, body: string) => {
    response.writeHead(status, { 'Content-Type': `${type}; charset=utf-8` });
    response.end(body);
  };
  const json = (response: ServerResponse, status: number, body: object) =>
    send(response, status, 'application/json', JSON.stringify(body));
  const redirect = (response: ServerResponse, location: string) => {
    response.writeHead(303, { Location: location });
    response.end();
  };

  /**
   * The request's live session: who signed in to it (none for a link-opened one). With sign-in, a tab holding no
   * key is asked to sign in; one whose key stopped deciding is told its sign-in ended, and only the person starts
   * the next: a sign-in the page restarted by itself would come back through the issuer's single sign-on unasked.
   */
  const needSession = async (request: IncomingMessage): Promise<{ person?: Approver }> => {
    const header = request.headers[SESSION_HEADER];
    const key = typeof header === 'string' && header !== '' ? header : undefined;
    const used = await sessions.use(key);
    if (!used.ok) {
      const refused = signIn === undefined ? SESSION_REFUSED[used.reason] : key === undefined ? SIGN_IN : SIGN_IN_ENDED;
      throw new Refused(401, refused.reason, refused.text);
    }
    return used;
  };
  const needSameOrigin = (request: IncomingMessage): void => {
    if (!sameOrigin(request, options.origin)) {
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
    const path = url.pathname.slice(base.length);
    if (path === '') return redirect(response, `${base}/`);
    if (signIn !== undefined && path === '/callback' && method === 'GET') return callback(response, url, signIn);
    if (path === '/approvals.js' && method === 'GET') return send(response, 200, 'text/javascript', APPROVALS_JS);
    if (path === '/approvals.css' && method === 'GET') return send(response, 200, 'text/css', APPROVALS_CSS);
    if (path === '/' && method === 'GET') {
      return send(response, 200, 'text/html', mayUseStoredKey(request) ? SHELL : SHELL_WITHOUT_STORED_KEY);
    }
    if (path === '/pending' && method === 'GET') {
      needPageFetch(request);
      const viewer = (await needSession(request)).person;
      const listing = await pending.listing();
      return json(response, 200, {
        version: listing.version,
        items: listing.items.map((item) => itemView(item, viewer)),
        withdrawn: listing.withdrawn.map((item) => ({
          id: item.id,
          tool: item.change.tool,
          text: HOLDER_STOPPED.text,
        })),
        ...(viewer === undefined ? {} : { viewer: viewerLine(viewer) }),
      });
    }
    if (path === '/session' || path === '/decide' || (signIn !== undefined && path === '/sign-in')) {
      if (method !== 'POST') throw new Refused(405, 'method', `${base}${path} takes POST only.`);
      needPageFetch(request);
      const session = path === '/decide' ? await needSession(request) : undefined;
      needSameOrigin(request);
      const body = await jsonBody(request);
      if (signIn !== undefined && path === '/sign-in') return startSignIn(response, signIn, body.fresh === true);
      if (session !== undefined) return decide(response, body, session.person);
      return signIn === undefined ? openSession(response, body) : openSignedIn(response, body);
    }
    throw new Refused(404, 'not-found', `There is nothing here; the approvals are at ${base}/.`);
  }

  /** `fresh`: the page was reached from another site, so the issuer must have the person sign in again. */
  async function startSignIn(
    response: ServerResponse,
    flow: NonNullable<typeof signIn>,
    fresh: boolean,
  ): Promise<void> {
    const started = await flow.flow.begin({ fresh });
    json(response, 200, { url: started.url.href, started: started.id });
  }

  /** The issuer sends the person back here: a navigation, so it ends on a page or a redirect, not JSON. */
  async function callback(response: ServerResponse, url: URL, flow: NonNullable<typeof signIn>): Promise<void> {
    let finished: Awaited<ReturnType<PageSignIn['finish']>>;
    try {
      finished = await flow.flow.finish(new URL(`${flow.publicUrl}${base}/callback${url.search}`));
    } catch (error) {
      if (!(error instanceof SignInError)) throw error;
      logger?.info({ reason: error.message }, 'approvals page: sign-in refused');
      const title = error.status === 503 ? 'Sign-in unavailable' : 'Not signed in';
      return send(response, error.status, 'text/html', messagePage(title, `${error.message}. Nothing was done.`));
    }
    logger?.info({ approver: personLabel(finished.approver) }, 'approvals page: signed in');
    // In the fragment, which browsers never send to a server nor in a Referer; the page's script trades it at once.
    const code = await sessions.handOver(finished.approver, finished.started, finished.until);
    redirect(response, `${base}/#s=${code}`);
  }

  async function openSignedIn(response: ServerResponse, body: Record<string, unknown>): Promise<void> {
    const opened = await sessions.openSignedIn(text(body, 'signedIn') ?? '', text(body, 'started') ?? '');
    if (!opened.ok) {
      throw new Refused(
        403,
        'sign-in',
        'This sign-in was already used, has expired, or was started in another tab or browser. Sign in again.',
      );
    }
    json(response, 200, { session: opened.session });
  }

  function openSession(response: ServerResponse, body: Record<string, unknown>): void {
    const opened = sessions.open?.(text(body, 'link') ?? '') ?? { ok: false, reason: 'invalid' };
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

  async function decide(response: ServerResponse, body: Record<string, unknown>, person?: Approver): Promise<void> {
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
    if (signIn !== undefined && person === undefined) {
      throw new Refused(
        403,
        'sign-in',
        'Decisions on this server are made by people who signed in through the issuer; this session did not. Nothing was done.',
      );
    }
    const clicked = await pending.click(
      id as string,
      digest as string,
      decision as 'approve' | 'deny',
      text(body, 'typed'),
      person,
    );
    if (!clicked.ok) {
      logger?.info({ reason: clicked.reason }, 'approvals page: decision refused');
      throw new Refused(clicked.status, clicked.reason, clicked.text);
    }
    logger?.info(
      { tool: clicked.item.change.tool, decision: clicked.decision, waitingFor: clicked.waitingFor },
      'approvals page: decided',
    );
    const done = clicked.waitingFor > 0 ? 'recorded' : clicked.decision;
    const { approvals } = itemView(clicked.item);
    json(response, 200, {
      decision: clicked.decision,
      waitingFor: clicked.waitingFor,
      text: DONE[done],
      ...(approvals === undefined ? {} : { approvals }),
    });
  }

  return (request, response) => {
    secureHeaders(response);
    if (!hostAllowed(request, hosts)) {
      send(response, 403, 'text/plain', `This page answers only to ${[...hosts].join(', ')}.\n`);
      return;
    }
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    route(request, response, url).catch((error: unknown) => {
      if (response.headersSent) return response.destroy();
      if (error instanceof Refused) return json(response, error.status, { reason: error.reason, text: error.message });
      if (error instanceof SignInError) {
        logger?.info({ reason: error.message }, 'approvals page: sign-in refused');
        return json(response, error.status, { reason: 'sign-in-failed', text: `${error.message}. Nothing was done.` });
      }
      if (error instanceof StoreUnavailableError) {
        logger?.warn({ reason: error.message }, 'approvals page: the shared state is unreachable');
        return json(response, 503, {
          reason: 'store-unavailable',
          text: 'The shared state that holds the waiting changes and the sign-ins is unreachable, so this page can neither show nor decide anything. Nothing was done; try again when it is back.',
        });
      }
      logger?.error({ err: error }, 'approvals page: request failed');
      json(response, 500, { reason: 'error', text: 'The page could not answer; nothing was done.' });
    });
  };
}

/**
 * The approvals page on its own listener on 127.0.0.1 (`port` 0 picks a free one), reached through the one-time
 * link; see approvalsHandler for what every request must pass. `onOpened` runs when a link is spent,
 * `onLinkReused` when a spent link is used again.
 */
export async function startApprovalsServer(options: {
  port: number;
  pending: PendingBoard;
  sessions: SessionBook;
  onOpened?: () => void;
  onLinkReused?: () => void;
  logger?: pino.Logger;
}): Promise<ApprovalsServer> {
  const server: Server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, BIND_HOST, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  server.on(
    'request',
    approvalsHandler({
      pending: options.pending,
      sessions: options.sessions,
      ...(options.logger ? { logger: options.logger } : {}),
      ...(options.onOpened ? { onOpened: options.onOpened } : {}),
      ...(options.onLinkReused ? { onLinkReused: options.onLinkReused } : {}),
      hosts: loopbackHosts(port),
      base: '',
    }),
  );
  return {
    origin: `http://${BIND_HOST}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
