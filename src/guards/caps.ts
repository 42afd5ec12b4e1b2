import { counted } from '../grammar.js';

export interface CapLimits {
  maxItemsPerCall: number;
  maxChangesPerSession: number;
  maxChangesPerHour: number;
}

export const DEFAULT_CAPS: CapLimits = { maxItemsPerCall: 500, maxChangesPerSession: 2000, maxChangesPerHour: 5000 };

const HOUR_MS = 3_600_000;
// Callers remembered at once; the least recently active is forgotten past this, so memory stays bounded.
const MAX_CALLERS = 10_000;

export type CapRefusal = { reason: 'item-cap' | 'caller-budget' | 'hour-budget'; text: string };

/**
 * The blast-radius limits: items per call, changes per caller (`CallerInfo.principal`: all its sessions
 * together, for as long as the server runs; the `maxChangesPerSession` option, named for when a session was the
 * only caller known) and changes by the whole server per rolling hour. Items are people reached. Budgets hold
 * only what calls that actually ran attempted; `take` checks and records in one synchronous step, so two calls
 * racing cannot both squeeze under the limit.
 */
export class ChangeBudget {
  private readonly perCaller = new Map<string, number>();
  private readonly hourly: { at: number; items: number }[] = [];

  constructor(
    private readonly limits: CapLimits,
    private readonly now: () => number,
  ) {}

  /** Why this many items would be refused now, or undefined when the call fits. */
  check(items: number, caller: string): CapRefusal | undefined {
    const { maxItemsPerCall, maxChangesPerSession, maxChangesPerHour } = this.limits;
    if (items > maxItemsPerCall) {
      return {
        reason: 'item-cap',
        text: `this call touches ${counted(items, 'user')}; the cap is ${maxItemsPerCall} per call. Split it into smaller calls.`,
      };
    }
    const used = this.perCaller.get(caller) ?? 0;
    if (used + items > maxChangesPerSession) {
      return {
        reason: 'caller-budget',
        text: `this call touches ${counted(items, 'user')}; this caller has made ${used} of its ${counted(maxChangesPerSession, 'allowed change')} (all its sessions together).`,
      };
    }
    const hour = this.usedThisHour();
    if (hour + items > maxChangesPerHour) {
      return {
        reason: 'hour-budget',
        text: `this call touches ${counted(items, 'user')}; the server has made ${hour} of its ${counted(maxChangesPerHour, 'allowed change')} in the last hour.`,
      };
    }
    return undefined;
  }

  /** Checks again (the human may have taken minutes to answer) and, if the call fits, records it. */
  take(items: number, caller: string): CapRefusal | undefined {
    const refusal = this.check(items, caller);
    if (refusal !== undefined) return refusal;
    const used = this.perCaller.get(caller) ?? 0;
    this.perCaller.delete(caller);
    this.perCaller.set(caller, used + items);
    if (this.perCaller.size > MAX_CALLERS) this.perCaller.delete(this.perCaller.keys().next().value as string);
    this.hourly.push({ at: this.now(), items });
    return undefined;
  }

  private usedThisHour(): number {
    const since = this.now() - HOUR_MS;
    while (this.hourly.length > 0 && (this.hourly[0] as { at: number }).at <= since) this.hourly.shift();
    return this.hourly.reduce((sum, entry) => sum + entry.items, 0);
  }
}
