// How a VisierClient is configured, and the defaults that apply when a field is left out.
import type { Logger } from 'pino';
import type { SharedStore } from '../../shared-state/store.js';
import type { Clock } from '../http/clock.js';

export type VisierAuthConfig =
  | { kind: 'asid'; username: string; password: string; vanityName?: string }
  | { kind: 'oauth2'; clientId: string; clientSecret: string; username: string; password: string; scope?: string };

export interface RateLimitConfig {
  perMinute: number;
  perHour: number;
}

export interface RetryConfig {
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
}

export interface VisierClientConfig {
  /** Base URL, e.g. https://jupiter.api.visier.io or the sandbox URL. */
  host: string;
  apiKey: string;
  auth: VisierAuthConfig;
  tenantCode?: string;
  projectId?: string;
  /** Per API key; Visier's documented 100/minute and 6,000/hour by default. `false` disables. */
  rateLimit?: RateLimitConfig | false;
  /**
   * Where replicas share the API key's rate budget (`--redis-url`): each call also takes its slot there, under
   * a digest of the key. Absent: this process's own budget only.
   */
  rateStore?: Pick<SharedStore, 'takeRateSlot'>;
  retry?: RetryConfig;
  timeouts?: { connectMs?: number; requestMs?: number };
  logger?: Logger;
  connections?: number;
  /**
   * What retry backoff, Retry-After, the rate limiter and token renewal read the time from and wait on. Default:
   * wall time and real timers. A benchmark or test that supplies its own decides how long those waits really take.
   */
  clock?: Clock;
}

export const DEFAULT_RATE_LIMIT: RateLimitConfig = { perMinute: 100, perHour: 6000 };

export interface ResolvedRetry {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: ResolvedRetry = { maxAttempts: 4, baseDelayMs: 500, maxDelayMs: 30_000 };
export const DEFAULT_TIMEOUTS = { connectMs: 10_000, requestMs: 60_000 };
export const DEFAULT_CONNECTIONS = 8;

export function resolveRetry(retry: RetryConfig | undefined): ResolvedRetry {
  const resolved = { ...DEFAULT_RETRY, ...stripUndefined(retry ?? {}) };
  if (!Number.isInteger(resolved.maxAttempts) || resolved.maxAttempts < 1) {
    throw new RangeError('retry.maxAttempts must be an integer >= 1');
  }
  return resolved;
}

/** The host as a base URL without a trailing slash; rejects anything that is not http(s). */
export function normaliseHost(host: string): string {
  const url = new URL(host);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new RangeError(`Visier host must be an http(s) URL, got ${url.protocol}`);
  }
  return url.href.replace(/\/+$/, '');
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
