export interface CapLimits {
  maxItemsPerCall: number;
  maxChangesPerSession: number;
  maxChangesPerHour: number;
}

export const DEFAULT_CAPS: CapLimits = { maxItemsPerCall: 500, maxChangesPerSession: 2000, maxChangesPerHour: 5000 };

const HOUR_MS = 3_600_000;
// Sessions remembered at once; the oldest is forgotten past this, so a long-lived server's memory stays bounded.
const MAX_SESSIONS = 10_000;
// Sessionless callers (stdio) share one budget.
const NO_SESSION = '';

export type CapRefusal = { reason: 'item-cap' | 'session-budget' | 'hour-budget'; text: string };

/**
 * The blast-radius limits: items per call, and changes per session and per rolling hour. Budgets hold only
 * what calls that actually ran attempted; `take` checks and records in one synchronous step, so two calls
 * racing cannot both squeeze under the limit.
 */
export class ChangeBudget {
  private readonly perSession = new Map<string, number>();
  private readonly hourly: { at: number; items: number }[] = [];

  constructor(
    private readonly limits: CapLimits,
    private readonly now: () => number,
  ) {}

  /** Why this many items would be refused now, or undefined when the call fits. */
  check(items: number, sessionId: string | undefined): CapRefusal | undefined {
    const { maxItemsPerCall, maxChangesPerSession, maxChangesPerHour } = this.limits;
    if (items > maxItemsPerCall) {
      return {
        reason: 'item-cap',
        text: `this call touches ${items} users; the cap is ${maxItemsPerCall} per call. Split it into smaller calls.`,
      };
    }
    const session = this.perSession.get(sessionId ?? NO_SESSION) ?? 0;
    if (session + items > maxChangesPerSession) {
      return {
        reason: 'session-budget',
        text: `this call touches ${items} users; this session has made ${session} of its ${maxChangesPerSession} allowed changes.`,
      };
    }
    const hour = this.usedThisHour();
    if (hour + items > maxChangesPerHour) {
      return {
        reason: 'hour-budget',
        text: `this call touches ${items} users; the server has made ${hour} of its ${maxChangesPerHour} allowed changes in the last hour.`,
      };
    }
    return undefined;
  }

  /** Checks again (the human may have taken minutes to answer) and, if the call fits, records it. */
  take(items: number, sessionId: string | undefined): CapRefusal | undefined {
    const refusal = this.check(items, sessionId);
    if (refusal !== undefined) return refusal;
    const key = sessionId ?? NO_SESSION;
    const used = this.perSession.get(key) ?? 0;
    this.perSession.delete(key);
    this.perSession.set(key, used + items);
    if (this.perSession.size > MAX_SESSIONS) {
      const oldest = this.perSession.keys().next().value as string;
      this.perSession.delete(oldest);
    }
    this.hourly.push({ at: this.now(), items });
    return undefined;
  }

  private usedThisHour(): number {
    const since = this.now() - HOUR_MS;
    while (this.hourly.length > 0 && (this.hourly[0] as { at: number }).at <= since) this.hourly.shift();
    return this.hourly.reduce((sum, entry) => sum + entry.items, 0);
  }
}
