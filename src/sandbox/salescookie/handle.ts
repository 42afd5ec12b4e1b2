// The contract of the Sales Cookie sandbox as tests see it. Like the Visier sandbox it stands where the real
// service stands and imports nothing from the client side.
import type { FaultController, FaultKind, FaultSpec } from '../handle.js';
import type { MemberRecord, TeamRecord, UserRecord } from './workspace.js';

export interface SalescookieSandboxOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Defaults to 127.0.0.1. */
  host?: string;
  /** Generated participants besides the fixed demo users, 0..10,000; default 40. */
  users?: number;
  /** Seed for the generated users and for probabilistic faults. */
  seed?: number;
  /**
   * Fault injection, in the Visier sandbox's syntax; `bulk-fail=REGEX` makes SetUser fail with a 500 for the
   * e-mails it matches.
   */
  faults?: FaultSpec | string;
  /** OData calls allowed per key; over it the answer is 429 with Retry-After. Sales Cookie publishes no figure. */
  odataRateLimit?: { perMinute: number; perHour: number } | false;
}

export interface SalescookieRequestLogEntry {
  method: string;
  /** As received: an OData path carries the API key. */
  path: string;
  query: Record<string, string>;
  /** The X-Request-Id the client sent, or the one the sandbox made up. */
  requestId: string;
  /** 0 when no response was written. */
  status: number;
  fault?: FaultKind;
}

export interface SalescookieSandbox {
  /** Base URL up to and including `/app`, as `https://salescookie.com/app`. */
  url: string;
  apiKey: string;
  workspace: { id: string; name: string };
  faults: FaultController;
  readonly requests: SalescookieRequestLogEntry[];
  clearRequests(): void;
  /** A deep copy of the workspace's users, teams and memberships. */
  state(): { users: UserRecord[]; teams: TeamRecord[]; members: MemberRecord[] };
  close(): Promise<void>;
}
