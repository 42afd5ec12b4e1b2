import type { IncomingMessage, ServerResponse } from 'node:http';
import type pino from 'pino';
import type { ApprovalDesk } from '../guards/approval-desk.js';
import { PendingApprovals } from './pending.js';
import { approvalsHandler, startApprovalsServer } from './server.js';
import { PageSessions } from './sessions.js';
import { PageSignIn } from './sign-in.js';

export { canOpenBrowser, openInBrowser } from './open-browser.js';

/** Where the main HTTP server serves the page when approvers sign in. */
export const APPROVALS_PATH = '/approvals';

/** The approvals page of one server process: the desk the guard asks, and where people open it. */
export interface ApprovalsPage {
  desk: ApprovalDesk;
  /** `http://127.0.0.1:PORT`, or `<public-url>/approvals/` with sign-in. */
  origin: string;
  /**
   * The one-time link: the origin with the secret that opens a session. Stderr only, never a log line. With
   * sign-in, the page's address and no secret: people sign in instead.
   */
  link: string;
  /** With sign-in: the handler the main HTTP server sends `/approvals` and everything under it to. */
  handle?: (request: IncomingMessage, response: ServerResponse) => void;
  close(): Promise<void>;
}

/** OpenID Connect sign-in for the page: the issuer, the page's client, and the server's public URL. */
export interface PageSignInOptions {
  issuer: string;
  clientId: string;
  clientSecret?: string;
  /** e.g. https://mcp.example.com (no trailing slash); the page is at its /approvals/. */
  publicUrl: string;
}

/**
 * Starts the page. Without `signIn`: on 127.0.0.1:`port` (0: a free port), reached through its one-time link;
 * rejects (EADDRINUSE, ...) when it cannot listen. With `signIn`: no listener of its own; the main HTTP server
 * serves `handle` under `/approvals/`, answering only to the public URL's host and origin, and every decision
 * needs a person signed in through the issuer.
 */
export async function startApprovalsPage(options: {
  port: number;
  logger?: pino.Logger;
  signIn?: PageSignInOptions;
}): Promise<ApprovalsPage> {
  const pending = new PendingApprovals();
  const sessions = new PageSessions();
  const { signIn } = options;
  if (signIn !== undefined) {
    const publicUrl = new URL(signIn.publicUrl);
    const flow = new PageSignIn({
      issuer: signIn.issuer,
      clientId: signIn.clientId,
      ...(signIn.clientSecret === undefined ? {} : { clientSecret: signIn.clientSecret }),
      redirectUri: `${signIn.publicUrl}${APPROVALS_PATH}/callback`,
    });
    return {
      desk: pending,
      origin: `${signIn.publicUrl}${APPROVALS_PATH}/`,
      link: `${signIn.publicUrl}${APPROVALS_PATH}/`,
      handle: approvalsHandler({
        pending,
        sessions,
        ...(options.logger ? { logger: options.logger } : {}),
        hosts: new Set([publicUrl.host.toLowerCase()]),
        origin: publicUrl.origin,
        cookieName: 'visier_approvals',
        base: APPROVALS_PATH,
        signIn: { flow, publicUrl: signIn.publicUrl },
      }),
      close: async () => {},
    };
  }
  const server = await startApprovalsServer({
    port: options.port,
    pending,
    sessions,
    ...(options.logger ? { logger: options.logger } : {}),
  });
  return {
    desk: pending,
    origin: server.origin,
    link: `${server.origin}/?k=${sessions.linkSecret}`,
    close: () => server.close(),
  };
}
