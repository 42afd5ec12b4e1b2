import type { IncomingMessage, ServerResponse } from 'node:http';
import type pino from 'pino';
import { resourceUrlOf } from '../auth/protected-resource.js';
import type { ApprovalDesk } from '../guards/approval-desk.js';
import type { RedisStore } from '../shared-state/redis-store.js';
import type { PendingBoard } from './board.js';
import { PendingApprovals } from './pending.js';
import { approvalsHandler, startApprovalsServer } from './server.js';
import { PageSessions, type SessionBook } from './sessions.js';
import { SharedPendingApprovals } from './shared-pending.js';
import { SharedPageSessions } from './shared-sessions.js';
import { PageSignIn } from './sign-in.js';
import type { SpendSignIn } from './spent-sign-ins.js';

export { canOpenBrowser, openInBrowser } from './open-browser.js';

/**
 * How long no page may have asked (ms) before a change that starts waiting gets a fresh link announced: a
 * closed browser tab must not need a server restart.
 */
export const RELINK_IDLE_MS = 30_000;

/** Tells the person a link (stderr, maybe a browser); returns what to clean up once the link is spent or void. */
export type Announce = (link: string) => (() => void) | undefined;

/** Where the main HTTP server serves the page when approvers sign in. */
export const APPROVALS_PATH = '/approvals';

/** The approvals page of one server process: the desk the guard asks, and where people open it. */
export interface ApprovalsPage {
  desk: ApprovalDesk;
  /** `http://127.0.0.1:PORT`, or `<public-url>/approvals/` with sign-in. */
  origin: string;
  /**
   * The current one-time link: the origin with the secret in its fragment (`/#k=...`), which browsers never send
   * to a server. Stderr only, never a log line. With sign-in, the page's address and no secret: people sign in.
   */
  readonly link: string;
  /** With sign-in: the handler the main HTTP server sends `/approvals` and everything under it to. */
  handle?: (request: IncomingMessage, response: ServerResponse) => void;
  close(): Promise<void>;
}

/** OpenID Connect sign-in for the page: the issuer, the page's client, and the server's public URL. */
export interface PageSignInOptions {
  issuer: string;
  clientId: string;
  clientSecret?: string;
  /** e.g. https://mcp.example.com; the page is at its /approvals/. */
  publicUrl: string;
  /** Seals sign-ins under way into their state (sign-in-state.ts): the same on every replica. */
  stateSecret: string;
  /** What access tokens' `aud` must contain (`--oauth-audience`); the resource URL `<public-url>/mcp` when absent. */
  audience?: string;
}

/**
 * Starts the page. Without `signIn`: on 127.0.0.1:`port` (0: a free port) and announces its link. When a change
 * starts waiting and no page has asked with a live key for `relinkIdleMs` (default RELINK_IDLE_MS), a fresh link
 * is announced and the old one is void. A spent link used again is announced afresh at once (the page it opened
 * is signed out). Rejects (EADDRINUSE, ...) when it cannot listen. With `signIn`: no listener and no link of its
 * own; the main HTTP server serves `handle` under `/approvals/`, answering only to the public URL's host and
 * origin, and every decision needs a person signed in through the issuer; with `shared` (the replicas' Redis) too,
 * its pending changes, sessions and sign-ins are the deployment's, so any replica serves the page.
 */
export async function startApprovalsPage(options: {
  port: number;
  logger?: pino.Logger;
  announce?: Announce;
  relinkIdleMs?: number;
  now?: () => number;
  signIn?: PageSignInOptions;
  shared?: RedisStore;
}): Promise<ApprovalsPage> {
  if (options.signIn !== undefined) {
    const { shared, now } = options;
    if (shared === undefined) {
      const pending = new PendingApprovals(now);
      return signedInPage(options.signIn, { desk: pending, pending, sessions: new PageSessions(now) }, options.logger);
    }
    const desk = new SharedPendingApprovals(shared, options.logger, now);
    return signedInPage(
      options.signIn,
      {
        desk,
        pending: desk,
        sessions: new SharedPageSessions(shared, now),
        spend: (id, ttlMs) => shared.claimOnce('sign-in', id, ttlMs),
        close: () => desk.close(),
      },
      options.logger,
    );
  }
  const pending = new PendingApprovals(options.now);
  const sessions = new PageSessions(options.now);
  let cleanUp: (() => void) | undefined;
  const discard = () => {
    cleanUp?.();
    cleanUp = undefined;
  };
  const server = await startApprovalsServer({
    port: options.port,
    pending,
    sessions,
    onOpened: discard,
    onLinkReused: () => {
      options.logger?.warn(
        'approvals page: a spent one-time link was used again, so it leaked; the page it opened is signed out and a fresh link is announced',
      );
      announce();
    },
    ...(options.logger ? { logger: options.logger } : {}),
  });
  const linkOf = () => `${server.origin}/#k=${sessions.linkSecret}`;
  function announce() {
    discard();
    cleanUp = options.announce?.(linkOf());
  }
  announce();
  const idleMs = options.relinkIdleMs ?? RELINK_IDLE_MS;
  return {
    desk: {
      decide(change, wait) {
        if (sessions.idleMs() >= idleMs) {
          sessions.renew();
          options.logger?.info('approvals page: a change waits and no page was seen; a fresh link is on stderr');
          announce();
        }
        return pending.decide(change, wait);
      },
    },
    origin: server.origin,
    get link() {
      return linkOf();
    },
    close: async () => {
      discard();
      await server.close();
    },
  };
}

/** The page's OpenID Connect sign-in, its callback at `<public-url>/approvals/callback`; `spend` marks finished ones. */
export function signInFlowOf(signIn: PageSignInOptions, spend?: SpendSignIn): PageSignIn {
  const resource = resourceUrlOf(new URL(signIn.publicUrl));
  return new PageSignIn({
    issuer: signIn.issuer,
    clientId: signIn.clientId,
    ...(signIn.clientSecret === undefined ? {} : { clientSecret: signIn.clientSecret }),
    redirectUri: `${signIn.publicUrl.replace(/\/+$/, '')}${APPROVALS_PATH}/callback`,
    resource: resource.href,
    audience: signIn.audience ?? resource.href,
    stateSecret: signIn.stateSecret,
    ...(spend === undefined ? {} : { spend }),
  });
}

/** Where a signed-in page keeps its state: this process's memory, or the replicas' Redis (then `spend` too). */
interface PageState {
  desk: ApprovalDesk;
  pending: PendingBoard;
  sessions: SessionBook;
  spend?: SpendSignIn;
  close?: () => Promise<void>;
}

function signedInPage(signIn: PageSignInOptions, state: PageState, logger?: pino.Logger): ApprovalsPage {
  const { pending, sessions } = state;
  const root = signIn.publicUrl.replace(/\/+$/, '');
  const publicUrl = new URL(root);
  const flow = signInFlowOf(signIn, state.spend);
  const page = `${root}${APPROVALS_PATH}/`;
  logger?.info({ page }, 'approvals page: approvers sign in here');
  return {
    desk: state.desk,
    origin: page,
    link: page,
    handle: approvalsHandler({
      pending,
      sessions,
      ...(logger ? { logger } : {}),
      hosts: new Set([publicUrl.host.toLowerCase()]),
      origin: publicUrl.origin,
      base: APPROVALS_PATH,
      signIn: { flow, publicUrl: root },
    }),
    close: async () => {
      await state.close?.();
    },
  };
}
