import type pino from 'pino';
import type { ApprovalDesk } from '../guards/approval-desk.js';
import { PendingApprovals } from './pending.js';
import { startApprovalsServer } from './server.js';
import { PageSessions } from './sessions.js';

export { canOpenBrowser, openInBrowser } from './open-browser.js';

/**
 * How long no page may have asked (ms) before a change that starts waiting gets a fresh link announced: a
 * closed browser tab must not need a server restart.
 */
export const RELINK_IDLE_MS = 30_000;

/** Tells the person a link (stderr, maybe a browser); returns what to clean up once the link is spent or void. */
export type Announce = (link: string) => (() => void) | undefined;

/** The approvals page of one server process: the desk the guard asks, and the one-time link a person opens. */
export interface ApprovalsPage {
  desk: ApprovalDesk;
  /** `http://127.0.0.1:PORT` */
  origin: string;
  /**
   * The current one-time link: the origin with the secret in its fragment (`/#k=...`), which browsers never send
   * to a server. Given to `announce` only, never a log line.
   */
  readonly link: string;
  close(): Promise<void>;
}

/**
 * Starts the page on 127.0.0.1:`port` (0: a free port) and announces its link. When a change starts waiting and
 * no page has asked with a live key for `relinkIdleMs` (default RELINK_IDLE_MS), a fresh link is announced and
 * the old one is void. A spent link used again is announced afresh at once (the page it opened is signed out).
 * Rejects (EADDRINUSE, ...) when it cannot listen.
 */
export async function startApprovalsPage(options: {
  port: number;
  logger?: pino.Logger;
  announce?: Announce;
  relinkIdleMs?: number;
  now?: () => number;
}): Promise<ApprovalsPage> {
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
