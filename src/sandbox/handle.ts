// The contract of the sandbox as tests, the CLI and benchmarks see it. The sandbox stands where Visier
// stands: it imports nothing of ours, so a mistake in the client's schemas cannot pass on both sides.

export interface SandboxOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Defaults to 127.0.0.1. */
  host?: string;
  /** Users in the primary demo tenant, 1..100,000. The secondary tenant is small and fixed. */
  users?: number;
  /** Seed for the deterministic demo data and for probabilistic faults. */
  seed?: number;
  /** Fault injection at start; can be changed later through `handle.faults`. A string uses the CLI syntax. */
  faults?: FaultSpec | string;
  /** Per-API-key limits, as Visier's (100/minute, 6,000/hour) by default; `false` turns them off. */
  rateLimit?: { perMinute: number; perHour: number } | false;
  /** Lifetime of issued ASID and OAuth tokens. Default 3600. */
  tokenTtlSeconds?: number;
  /**
   * Whether the demo API user holds the Data Query API capability (default true). `false` makes every data
   * query answer 403, as Visier does for credentials without it.
   */
  dataQuery?: boolean;
}

/**
 * `lost-response` is the one fault that lets the request through: it is carried out, then the connection is
 * cut before the answer, as when a gateway loses a reply.
 */
export type FaultKind = '429' | '500' | '502' | '503' | '504' | 'drop' | 'timeout' | 'malformed' | 'lost-response';

export interface FaultRule {
  kind: FaultKind;
  /** Which requests the rule applies to; all when omitted. `path` is a RegExp source matched against the path. */
  method?: string;
  path?: string;
  /** Let the first `skip` matching requests through before the rule applies (to fail the k-th of a series). */
  skip?: number;
  /** Apply to the next `count` matching requests, then retire. */
  count?: number;
  /** Apply to each matching request with this probability (seeded, so repeatable). */
  rate?: number;
}

export interface FaultSpec {
  /** Added to every response, in milliseconds. */
  latencyMs?: number;
  rules?: FaultRule[];
  /**
   * Per-item failures inside V2 bulk calls: the items whose username (create) or userId (update, delete)
   * matches this RegExp source fail with a Visier error message and rci, while the rest succeed.
   */
  bulkItemFailurePattern?: string;
}

export interface FaultController {
  set(spec: FaultSpec | string): void;
  clear(): void;
  current(): FaultSpec;
}

export interface SandboxCredentials {
  apiKey: string;
  username: string;
  password: string;
  clientId: string;
  clientSecret: string;
}

export interface RequestLogEntry {
  method: string;
  path: string;
  query: Record<string, string>;
  /** `tenantCode` query or the `TargetTenantID` header, whichever the call named. */
  tenant?: string;
  /** 0 when no response was written: a `drop` or `timeout` fault, or a request still in flight. */
  status: number;
  /** Fault injected on this request, if any. */
  fault?: FaultKind;
  at: number;
}

export interface SandboxHandle {
  /** Base URL, e.g. http://127.0.0.1:40123 (no trailing slash). */
  url: string;
  credentials: SandboxCredentials;
  tenants: { primary: string; secondary: string };
  faults: FaultController;
  /** Every request received, in order; tests use it to prove what was (not) sent. */
  readonly requests: RequestLogEntry[];
  /** Forgets the request log (state is kept). */
  clearRequests(): void;
  /**
   * Resolves with the next request received that matches (all do when `match` is omitted), as soon as it arrives
   * and before it is answered; earlier requests do not count. For acting while a request is in flight.
   */
  nextRequest(match?: (entry: RequestLogEntry) => boolean): Promise<RequestLogEntry>;
  /**
   * A deep copy of a tenant's users, groups and permission assignments, for comparing expected state: production's,
   * or with `projectId` that project's.
   */
  snapshot(tenantCode?: string, projectId?: string): SandboxSnapshot;
  /** Invalidates every issued token, so the next data call gets 401. */
  expireTokens(): void;
  close(): Promise<void>;
}

export interface SandboxSnapshot {
  users: {
    userId: string;
    username: string;
    displayName: string;
    employeeId: string;
    email: string;
    accountEnabled: boolean;
  }[];
  userGroups: {
    userGroupId: string;
    displayName: string;
    description: string;
    permissionIds: string[];
    memberIds: string[];
  }[];
  permissions: { permissionId: string; displayName: string; description: string }[];
  /** permissionId -> userIds directly assigned. */
  userPermissions: Record<string, string[]>;
}
