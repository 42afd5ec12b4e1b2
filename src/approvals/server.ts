import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type pino from 'pino';
import { personLabel } from '../auth/person.js';
import { counted } from '../grammar.js';
import { APPROVALS_CSS, APPROVALS_JS } from './assets.js';
import { approvalsPage, messagePage, signedInPage } from './page.js';
import type { PendingApprovals } from './pending.js';
import { hostAllowed, loopbackHosts, sameOrigin, secureHeaders } from './request-rules.js';
import type { PageSessions } from './sessions.js';
import { type PageSignIn, SignInError } from './sign-in.js';

/** Only loopback: the page approves changes, and nobody off this machine may reach it. */
const BIND_HOST = '127.0.0.1';
/** A decision form is a few hundred bytes; anything much larger is no form of ours. */
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
    readonly title: string,
    text: string,
  ) {
    super(text);
  }
}

function cookieOf(request: IncomingMessage, name: string): string | undefined {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at !== -1 && part.slice(0, at).trim() === name) return part.slice(at + 1).trim();
  }
  return undefined;
}

async function formBody(request: IncomingMessage): Promise<URLSearchParams> {
  const type = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') {
    throw new Refused(415, 'Not a form', 'Decisions are sent as application/x-www-form-urlencoded forms only.');
  }
  const tooLarge = new Refused(413, 'Too large', `A decision form is at most ${counted(MAX_BODY_BYTES, 'byte')}.`);
  // Refused before reading where the length is declared; Node then discards the body and keeps the connection.
  if (Number(request.headers['content-length'] ?? 0) > MAX_BODY_BYTES) throw tooLarge;
  const chunks: Buffer[] = [];
  let size = 0;
  // Leaving the loop early would destroy the socket under the client's feet: an oversized chunked body is
  // read to its end (loopback only, behind the Host and session checks) and dropped.
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size <= MAX_BODY_BYTES) chunks.push(chunk as Buffer);
  }
  if (size > MAX_BODY_BYTES) throw tooLarge;
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

/** Where and how one approvals page answers: on its own loopback listener, or under the main server's `/approvals/`. */
export interface ApprovalsHandlerOptions {
  pending: PendingApprovals;
  sessions: PageSessions;
  logger?: pino.Logger;
  /** The Host header values the page answers to (DNS rebinding). */
  hosts: ReadonlySet<string>;
  /** The page's origin as its own posts name it in `Origin`; `http://` + the Host header when absent (loopback). */
  origin?: string;
  /** The page's cookie; distinct per listener, since cookies do not keep ports apart. */
  cookieName: string;
  /** Path the page sits under: '' on its own listener, '/approvals' on the main server. */
  base: string;
  /**
   * Present when approvers sign in through the issuer: then a decision needs a signed-in person, and `publicUrl`
   * (the server's URL, no trailing slash) is where the issuer sends them back.
   */
  signIn?: { flow: PageSignIn; publicUrl: string };
}

/**
 * The approvals page's request handler. Every answer forbids framing and inline script; a Host header other than
 * the page's own names is refused (DNS rebinding); a session comes from the one-time link's secret, traded for an
 * HttpOnly SameSite=Strict session cookie and stripped from the address bar by a redirect, or, with sign-in, from
 * an OpenID Connect sign-in (see sign-in.ts) whose callback opens a session naming the person; a decision needs
 * that session, its CSRF token and a same-origin Origin header, and with sign-in a signed-in person.
 */
export function approvalsHandler(
  options: ApprovalsHandlerOptions,
): (request: IncomingMessage, response: ServerResponse) => void {
  const { pending, sessions, logger, hosts, cookieName, base, signIn } = options;
  const secure = signIn?.publicUrl.startsWith('https:') === true;
  const cookiePath = `${base}/`;
  const txCookie = `${cookieName}_signin`;
  const send = (response: ServerResponse, status: number, type: string, body: string) => {
    response.writeHead(status, { 'Content-Type': `${type}; charset=utf-8` });
    response.end(body);
  };
  const redirect = (response: ServerResponse, location: string, cookie?: string) => {
    response.writeHead(303, { Location: location, ...(cookie === undefined ? {} : { 'Set-Cookie': cookie }) });
    response.end();
  };

  const sessionOf = (request: IncomingMessage): string => {
    const session = cookieOf(request, cookieName);
    if (!sessions.has(session)) {
      throw signIn === undefined
        ? new Refused(
            401,
            'Open the link first',
            'This page needs the one-time link the server printed on stderr (the line beginning "approvals: "). Open that link in this browser.',
          )
        : new Refused(401, 'Sign in first', 'This page needs you to sign in: open it again to be sent to sign in.');
    }
    return session;
  };
  const cookie = (name: string, value: string, extra: string) =>
    `${name}=${value}; HttpOnly; ${extra}; Path=${cookiePath}${secure ? '; Secure' : ''}`;

  async function route(request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> {
    const method = request.method ?? 'GET';
    const path = url.pathname.slice(base.length);
    if (path === '') return redirect(response, cookiePath);
    if (signIn !== undefined && path === '/sign-in' && method === 'GET') {
      const started = await signIn.flow.begin();
      // Lax, not Strict: the issuer's redirect back is a cross-site navigation, and it must carry this cookie.
      response.setHeader('Set-Cookie', cookie(txCookie, started.id, 'SameSite=Lax; Max-Age=600'));
      return redirect(response, started.url.href);
    }
    if (signIn !== undefined && path === '/callback' && method === 'GET') {
      const person = await signIn.flow.finish(
        cookieOf(request, txCookie),
        new URL(`${base}/callback${url.search}`, signIn.publicUrl),
      );
      const session = sessions.openFor(person);
      logger?.info({ approver: personLabel(person) }, 'approvals page: signed in');
      response.setHeader('Set-Cookie', [
        cookie(txCookie, '', 'SameSite=Lax; Max-Age=0'),
        cookie(cookieName, session, 'SameSite=Strict'),
      ]);
      // A page of our own, not a redirect: the session cookie is Strict, and a redirect in the chain the issuer
      // started is cross-site, so it would arrive without it; the page's own refresh is same-site.
      return send(response, 200, 'text/html', signedInPage(person));
    }
    if (path === '/approvals.js' && method === 'GET') return send(response, 200, 'text/javascript', APPROVALS_JS);
    if (path === '/approvals.css' && method === 'GET') return send(response, 200, 'text/css', APPROVALS_CSS);
    if (path === '/' && method === 'GET') {
      const secret = url.searchParams.get('k');
      if (signIn !== undefined && !sessions.has(cookieOf(request, cookieName))) {
        return redirect(response, `${base}/sign-in`);
      }
      if (secret !== null) {
        const opened = sessions.open(secret);
        if (!opened.ok) {
          throw new Refused(
            403,
            opened.reason === 'used' ? 'Link already used' : 'Wrong link',
            opened.reason === 'used'
              ? 'This one-time link was already opened. Use the browser that opened it first, or restart the server for a new link.'
              : 'This link carries no valid secret. Open the link the server printed on stderr (the line beginning "approvals: ").',
          );
        }
        // HttpOnly: no script reads it; SameSite=Strict: no other site's page or form sends it.
        return redirect(response, cookiePath, cookie(cookieName, opened.session, 'SameSite=Strict'));
      }
      const session = sessionOf(request);
      const done = url.searchParams.get('done') ?? undefined;
      return send(
        response,
        200,
        'text/html',
        approvalsPage(pending.list(), sessions.csrfFor(session), pending.version, done, sessions.personOf(session)),
      );
    }
    if (path === '/pending' && method === 'GET') {
      sessionOf(request);
      return send(
        response,
        200,
        'application/json',
        JSON.stringify({ version: pending.version, pending: pending.list().length }),
      );
    }
    if (path === '/decide') {
      if (method !== 'POST') throw new Refused(405, 'Method not allowed', 'Decisions are sent with POST.');
      const session = sessionOf(request);
      if (!sameOrigin(request, options.origin)) {
        throw new Refused(
          403,
          'Refused',
          "The decision did not come from this page (its Origin header is not the page's own). Nothing was done.",
        );
      }
      const form = await formBody(request);
      if (!sessions.csrfValid(session, form.get('csrf') ?? undefined)) {
        throw new Refused(
          403,
          'Refused',
          'The decision lacks this page\'s CSRF token ("csrf"), or carries a wrong one. Nothing was done.',
        );
      }
      const id = form.get('id');
      const digest = form.get('digest');
      const decision = form.get('decision');
      const missing = [id === null ? 'id' : '', digest === null ? 'digest' : ''].filter(Boolean);
      if (missing.length > 0) {
        throw new Refused(400, 'Incomplete decision', `The decision lacks ${missing.join(' and ')}. Nothing was done.`);
      }
      if (decision === null || !DECISIONS.has(decision)) {
        throw new Refused(
          400,
          'Incomplete decision',
          'The decision must be "approve" or "deny" ("decision"). Nothing was done.',
        );
      }
      const person = sessions.personOf(session);
      if (signIn !== undefined && person === undefined) {
        throw new Refused(
          403,
          'Sign in first',
          'Decisions on this server are made by people who signed in through the issuer; this session did not. Nothing was done.',
        );
      }
      const clicked = pending.click(
        id as string,
        digest as string,
        decision as 'approve' | 'deny',
        form.get('typed') ?? undefined,
        person,
      );
      if (!clicked.ok) {
        logger?.info({ reason: clicked.reason }, 'approvals page: decision refused');
        throw new Refused(clicked.status, 'Not decided', clicked.text);
      }
      logger?.info(
        { tool: clicked.item.change.tool, decision: clicked.decision, waitingFor: clicked.waitingFor },
        'approvals page: decided',
      );
      const done = clicked.waitingFor > 0 ? 'recorded' : clicked.decision;
      return redirect(response, `${cookiePath}?done=${done}`);
    }
    throw new Refused(404, 'Not found', `There is nothing here; the approvals are at ${cookiePath}.`);
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
      if (error instanceof Refused) {
        return send(response, error.status, 'text/html', messagePage(error.title, error.message, error.status !== 401));
      }
      if (error instanceof SignInError) {
        logger?.info({ reason: error.message }, 'approvals page: sign-in refused');
        return send(
          response,
          403,
          'text/html',
          messagePage('Not signed in', `${error.message}. Nothing was done.`, true),
        );
      }
      logger?.error({ err: error }, 'approvals page: request failed');
      send(response, 500, 'text/html', messagePage('Error', 'The page could not answer; nothing was done.', true));
    });
  };
}

/**
 * The approvals page on its own listener on 127.0.0.1 (`port` 0 picks a free one), reached through the one-time
 * link; see approvalsHandler for what every request must pass.
 */
export async function startApprovalsServer(options: {
  port: number;
  pending: PendingApprovals;
  sessions: PageSessions;
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
      hosts: loopbackHosts(port),
      // Cookies do not keep ports apart: two servers' pages on one machine each keep a cookie of their own.
      cookieName: `visier_approvals_${port}`,
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
