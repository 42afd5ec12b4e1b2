// How a SisenseClient is configured, and the defaults that apply when a field is left out.
import type { Logger } from 'pino';
import type { Clock } from '../http/clock.js';
import type { RateLimitConfig, RetryConfig } from '../visier/config.js';

/** The host every vendor example for the users and groups API calls (reference A.2). */
export const DEFAULT_SISENSE_HOST = 'https://api.periscopedata.com';

export interface SisenseClientConfig {
  /** The site slug, the first half of `HTTP-X-PARTNER-AUTH` (`example_site` in `/app/example_site/...`). */
  site: string;
  /** The site's API key (Settings, Billing and Authentication). */
  apiKey: string;
  /** Base URL without `/api/v1`; default https://api.periscopedata.com. */
  host?: string;
  /** Client-side limit per key. Sisense publishes none, so off by default; 429s are honoured either way. */
  rateLimit?: RateLimitConfig | false;
  retry?: RetryConfig;
  timeouts?: { connectMs?: number; requestMs?: number };
  logger?: Logger;
  connections?: number;
  /** Drives retry backoff, Retry-After and the limiter; wall time by default (tests inject one). */
  clock?: Clock;
}

/** Refuses a site or key that cannot form `<site>:<api-key>`, naming the field and the rule. */
export function checkCredential(config: Pick<SisenseClientConfig, 'site' | 'apiKey'>): void {
  if (!/^[^:\s]+$/.test(config.site)) throw new RangeError('site: must be a non-empty slug without ":" or spaces');
  if (!/^\S+$/.test(config.apiKey)) throw new RangeError('apiKey: must be non-empty and without spaces');
}
