import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical.js';

// A preview a person is shown first may come from a snapshot. When the re-check before acting finds the data
// moved, the snapshot that preview came from is stale; showing the same call's next preview from it again would
// be refused the same way until the snapshot expires. So the guard remembers such calls for a while, and takes
// their next preview live.

// Calls remembered at once; the oldest are forgotten past this, so memory stays bounded.
const MAX_CALLS = 10_000;

/** One call as the person would approve it: who asks, which tool, its arguments and where it lands. */
export interface CallKey {
  principal: string;
  tool: string;
  args: Record<string, unknown>;
  tenants: readonly string[];
}

export class MovedCalls {
  private readonly until = new Map<string, number>();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number,
  ) {}

  /** The re-check of this call found the data moved since its preview. */
  remember(call: CallKey): void {
    const key = keyOf(call);
    this.until.delete(key);
    this.until.set(key, this.now() + this.ttlMs);
    while (this.until.size > MAX_CALLS) this.until.delete(this.until.keys().next().value as string);
  }

  /** Whether this call's last re-check, within the TTL, found the data moved (its next preview reads live). */
  moved(call: CallKey): boolean {
    const key = keyOf(call);
    const until = this.until.get(key);
    if (until === undefined) return false;
    if (until > this.now()) return true;
    this.until.delete(key);
    return false;
  }
}

function keyOf(call: CallKey): string {
  return createHash('sha256')
    .update(canonicalJson([call.principal, call.tool, call.args, [...call.tenants].sort()]))
    .digest('hex');
}
