// Visier's per-API-key limits (100 calls a minute, 6,000 an hour) in clock-aligned windows, with the four
// X-RateLimit-* headers Visier documents. Retry-After on a 429 is our addition: Visier's is undocumented.

export interface RateLimits {
  perMinute: number;
  perHour: number;
}

export interface RateDecision {
  allowed: boolean;
  headers: Record<string, string>;
  /** Seconds until the window that refused the call resets; set only when refused. */
  retryAfter?: number;
}

interface Usage {
  minute: number;
  minuteCount: number;
  hour: number;
  hourCount: number;
}

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;

export class RateLimiter {
  private readonly usage = new Map<string, Usage>();

  constructor(private readonly limits: RateLimits | false) {}

  /** Counts the call against `key` if it is within both limits; refused calls are not counted. */
  take(key: string, now = Date.now()): RateDecision {
    if (!this.limits) return { allowed: true, headers: {} };
    const minute = Math.floor(now / MINUTE_MS);
    const hour = Math.floor(now / HOUR_MS);
    const usage = this.usage.get(key) ?? { minute, minuteCount: 0, hour, hourCount: 0 };
    if (usage.minute !== minute) Object.assign(usage, { minute, minuteCount: 0 });
    if (usage.hour !== hour) Object.assign(usage, { hour, hourCount: 0 });
    this.usage.set(key, usage);
    const overMinute = usage.minuteCount >= this.limits.perMinute;
    const overHour = usage.hourCount >= this.limits.perHour;
    const allowed = !overMinute && !overHour;
    if (allowed) {
      usage.minuteCount++;
      usage.hourCount++;
    }
    const headers = {
      'X-RateLimit-Limit-Minute': String(this.limits.perMinute),
      'X-RateLimit-Remaining-Minute': String(Math.max(0, this.limits.perMinute - usage.minuteCount)),
      'X-RateLimit-Limit-Hour': String(this.limits.perHour),
      'X-RateLimit-Remaining-Hour': String(Math.max(0, this.limits.perHour - usage.hourCount)),
    };
    if (allowed) return { allowed, headers };
    const resetAt = overHour ? (hour + 1) * HOUR_MS : (minute + 1) * MINUTE_MS;
    return { allowed, headers, retryAfter: Math.max(1, Math.ceil((resetAt - now) / 1000)) };
  }
}
