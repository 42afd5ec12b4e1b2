import { counted } from '../grammar.js';
import type { BudgetUse, SharedStore } from '../shared-state/store.js';

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
 * only what calls that actually ran attempted; `take` checks and records in one step (synchronous in memory, one
 * script in the shared store), so two calls racing cannot both squeeze under the limit. With a shared store
 * (`--redis-url`) the counts are the whole deployment's: a caller's on every replica, the hour's of all replicas;
 * the store unreachable rejects with `StoreUnavailableError` and the caller refuses the change.
 */
export class ChangeBudget {
  private readonly perCaller = new Map<string, number>();
  private readonly hourly: { at: number; items: number }[] = [];

  constructor(
    private readonly limits: CapLimits,
    private readonly now: () => number,
    private readonly shared?: Pick<SharedStore, 'budgetUse' | 'takeBudget'>,
  ) {}

  /** Why this many items would be refused now, or undefined when the call fits. */
  async check(items: number, caller: string): Promise<CapRefusal | undefined> {
    const overCap = this.overItemCap(items);
    if (overCap !== undefined) return overCap;
    const use = this.shared
      ? await this.shared.budgetUse(caller, this.countLimits(), this.now())
      : { caller: this.perCaller.get(caller) ?? 0, window: this.usedThisHour() };
    return this.overBudget(items, use);
  }

  /** Checks again (the human may have taken minutes to answer) and, if the call fits, records it. */
  async take(items: number, caller: string): Promise<CapRefusal | undefined> {
    const overCap = this.overItemCap(items);
    if (overCap !== undefined) return overCap;
    if (this.shared) {
      const use = await this.shared.takeBudget(caller, items, this.countLimits(), this.now());
      return use.taken ? undefined : this.overBudget(items, use);
    }
    // No await from here to the record: in one process the check and the take are one step.
    const used = this.perCaller.get(caller) ?? 0;
    const refusal = this.overBudget(items, { caller: used, window: this.usedThisHour() });
    if (refusal !== undefined) return refusal;
    this.perCaller.delete(caller);
    this.perCaller.set(caller, used + items);
    if (this.perCaller.size > MAX_CALLERS) this.perCaller.delete(this.perCaller.keys().next().value as string);
    this.hourly.push({ at: this.now(), items });
    return undefined;
  }

  private countLimits() {
    return { perCaller: this.limits.maxChangesPerSession, perWindow: this.limits.maxChangesPerHour, windowMs: HOUR_MS };
  }

  private overItemCap(items: number): CapRefusal | undefined {
    const { maxItemsPerCall } = this.limits;
    if (items <= maxItemsPerCall) return undefined;
    return {
      reason: 'item-cap',
      text: `this call touches ${counted(items, 'user')}; the cap is ${maxItemsPerCall} per call. Split it into smaller calls.`,
    };
  }

  private overBudget(items: number, use: BudgetUse): CapRefusal | undefined {
    const { maxChangesPerSession, maxChangesPerHour } = this.limits;
    const used = use.caller;
    if (used + items > maxChangesPerSession) {
      return {
        reason: 'caller-budget',
        text: `this call touches ${counted(items, 'user')}; this caller has made ${used} of its ${counted(maxChangesPerSession, 'allowed change')} (all its sessions together).`,
      };
    }
    const hour = use.window;
    if (hour + items > maxChangesPerHour) {
      return {
        reason: 'hour-budget',
        text: `this call touches ${counted(items, 'user')}; the server has made ${hour} of its ${counted(maxChangesPerHour, 'allowed change')} in the last hour.`,
      };
    }
    return undefined;
  }

  private usedThisHour(): number {
    const since = this.now() - HOUR_MS;
    while (this.hourly.length > 0 && (this.hourly[0] as { at: number }).at <= since) this.hourly.shift();
    return this.hourly.reduce((sum, entry) => sum + entry.items, 0);
  }
}
