// How a SalescookieClient is configured, and the defaults that apply when a field is left out.

import type { Logger } from 'pino';
import type { Clock } from '../http/clock.js';
import type { RateLimitConfig, RetryConfig } from '../visier/config.js';

export interface SalescookieClientConfig {
  /**
   * Base URL up to and including `/app`: `https://salescookie.com/app` by default, or a sandbox's. Whether a
   * branded domain also serves the API is UNVERIFIED.
   */
  baseUrl?: string;
  /** A full admin's API key (Account > My Profile > Security); sent as X-ApiKey and inside OData URLs. */
  apiKey: string;
  /** Client-side pacing; off by default because Sales Cookie publishes no limits (heavy OData use earns 429). */
  rateLimit?: RateLimitConfig | false;
  retry?: RetryConfig;
  timeouts?: { connectMs?: number; requestMs?: number };
  logger?: Logger;
  connections?: number;
  /** OData rows per request, 1..1000; default 100. */
  pageSize?: number;
  /** Drives retry backoff, Retry-After and the limiter; wall time by default (tests inject one). */
  clock?: Clock;
}

export const DEFAULT_BASE_URL = 'https://salescookie.com/app';
export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 1000;

/** A page size in 1..MAX_PAGE_SIZE, or a RangeError naming the field. */
export function checkPageSize(value: number, field: string): number {
  if (!Number.isInteger(value) || value < 1 || value > MAX_PAGE_SIZE) {
    throw new RangeError(`${field} must be an integer from 1 to ${MAX_PAGE_SIZE}, got ${value}`);
  }
  return value;
}
