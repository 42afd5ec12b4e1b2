import type pino from 'pino';
import type { ApprovalDesk } from '../guards/approval-desk.js';
import { PendingApprovals } from './pending.js';
import { startApprovalsServer } from './server.js';
import { PageSessions } from './sessions.js';

export { canOpenBrowser, openInBrowser } from './open-browser.js';

/** The approvals page of one server process: the desk the guard asks, and the one-time link a person opens. */
export interface ApprovalsPage {
  desk: ApprovalDesk;
  /** `http://127.0.0.1:PORT` */
  origin: string;
  /** The one-time link: the origin with the secret that opens a session. Stderr only, never a log line. */
  link: string;
  close(): Promise<void>;
}

/** Starts the page on 127.0.0.1:`port` (0: a free port). Rejects (EADDRINUSE, ...) when it cannot listen. */
export async function startApprovalsPage(options: { port: number; logger?: pino.Logger }): Promise<ApprovalsPage> {
  const pending = new PendingApprovals();
  const sessions = new PageSessions();
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
