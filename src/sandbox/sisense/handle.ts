// The contract of the Sisense for Cloud Data Teams sandbox as tests and benchmarks see it. Like the Visier
// sandbox it stands where the real service stands and imports nothing of the client side.
import type { FaultController, FaultSpec, RequestLogEntry } from '../handle.js';

export interface SisenseSandboxOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Defaults to 127.0.0.1. */
  host?: string;
  /** Seed for the generated demo users and for probabilistic faults. Default 1. */
  seed?: number;
  /** Generated users on the primary site besides the fixed demo ones, 0..10,000. Default 120. */
  users?: number;
  /** Items per list page before `next_page_start` is offered. Default 50. */
  pageSize?: number;
  /** Fault injection at start (the Visier sandbox's syntax); can be changed later through `handle.faults`. */
  faults?: FaultSpec | string;
  /** Calls per site key; none is published for Sisense, so off by default. A refusal is a 429 with Retry-After. */
  rateLimit?: { perMinute: number; perHour: number } | false;
}

/** One site's API credential: the two halves of `HTTP-X-PARTNER-AUTH: <site>:<apiKey>`. */
export interface SisenseSiteCredential {
  site: string;
  apiKey: string;
}

export interface SisenseSnapshot {
  users: { email: string; first_name: string; last_name: string; groups: string[]; invited_by_email: string }[];
  groups: { name: string; access: string; built_in: boolean }[];
}

export interface SisenseSandboxHandle {
  /** Base URL without a trailing slash; the API lives under `/api/v1`. */
  url: string;
  /** Sites that have the User and Group Management API: primary, secondary. */
  sites: { primary: SisenseSiteCredential; secondary: SisenseSiteCredential };
  /** A site whose plan lacks the API: its valid key is answered 403. */
  siteWithoutApi: SisenseSiteCredential;
  faults: FaultController;
  /** Every request received, in order; `tenant` is the site named in the auth header. */
  readonly requests: RequestLogEntry[];
  clearRequests(): void;
  /** A deep copy of a site's users and groups. */
  snapshot(site?: string): SisenseSnapshot;
  close(): Promise<void>;
}
