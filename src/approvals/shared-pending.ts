import { randomBytes } from 'node:crypto';
import type pino from 'pino';
import type { Person } from '../auth/person.js';
import type { ApprovalDesk, DeskDecision, DeskOutcome, PendingChange } from '../guards/approval-desk.js';
import { storeDigest } from '../shared-state/digest.js';
import type { RedisClient, RedisStore } from '../shared-state/redis-store.js';
import { KEY_PREFIX, StoreUnavailableError } from '../shared-state/store.js';
import type { ClickResult, PendingBoard, PendingListing } from './board.js';
import { type Approver, HOLDER_STOPPED, NOT_PENDING, type PendingItem, ruleOnClick } from './click-rules.js';

/** How long a replica's liveness key lives unrefreshed (ms): a replica gone this long holds no change any more. */
const HOLDER_TTL_MS = 5_000;
/** How often a replica refreshes its liveness key and reads its own changes' records (ms), pub/sub aside. */
const HEARTBEAT_MS = 1_000;
/** How long a settled or withdrawn record stays after its deadline (ms): its holder reads it, the page says why. */
const AFTERLIFE_MS = 60_000;
/** Attempts at one click when other replicas keep changing the same record under it. */
const CLICK_ATTEMPTS = 10;
/** The page's version counter outlives a day without changes only if one arrives (ms). */
const VERSION_TTL_MS = 86_400_000;

const WAITING_KEY = `${KEY_PREFIX}:approvals:waiting`;
const VERSION_KEY = `${KEY_PREFIX}:approvals:version`;
const SETTLED_CHANNEL = `${KEY_PREFIX}:approvals:settled`;
const itemKey = (ref: string) => `${KEY_PREFIX}:approvals:item:${ref}`;
const holderKey = (holder: string) => `${KEY_PREFIX}:approvals:holder:${holder}`;

/** A pending change as Redis holds it: the item, the replica whose call waits on it, and once settled, how. */
interface SharedRecord {
  item: PendingItem;
  holder: string;
  outcome?: { decision: DeskDecision; deniedBy?: Person };
}

// One record replaced only if nobody replaced it since it was read (compare and set), so the rules stay in
// TypeScript (click-rules.ts) and two replicas' clicks still apply one after the other. A settled record leaves
// the waiting list and its holder is told. 1: replaced; 0: changed under us, read again; -1: its holder is gone.
// KEYS: item, waiting list, version, holder's liveness. ARGV: read, new, settled (1/0), member, channel,
// holder must live (1/0).
const REPLACE = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if ARGV[6] == '1' and redis.call('EXISTS', KEYS[4]) == 0 then return -1 end
redis.call('SET', KEYS[1], ARGV[2], 'KEEPTTL')
if ARGV[3] == '1' then
  redis.call('ZREM', KEYS[2], ARGV[4])
  redis.call('PUBLISH', ARGV[5], ARGV[4])
end
redis.call('INCR', KEYS[3])
redis.call('PEXPIRE', KEYS[3], ${VERSION_TTL_MS})
return 1
`;

interface Waiting {
  resolve: (outcome: DeskOutcome) => void;
}

/**
 * The pending changes of every replica, in Redis (`--redis-url`): any replica lists them and takes clicks; the
 * replica whose call waits (the holder) learns the outcome by pub/sub, or by reading its records each second
 * should a message be lost. Keys: `vam:approvals:item:<digest of id>` (the record as JSON, TTL its deadline plus
 * a minute), `vam:approvals:waiting` (sorted set of those digests by time asked, TTL as long as its
 * longest-lived record), `vam:approvals:version` (counter, TTL a day after the last change), `vam:approvals:holder:<replica>` (liveness, TTL HOLDER_TTL_MS, refreshed each second). A change
 * whose holder stopped is withdrawn: listed as such, never approvable. Each change is resolved once; Redis
 * unreachable at the start rejects `decide` with `StoreUnavailableError`, later it resolves `timed-out` at
 * the deadline (fail closed).
 */
export class SharedPendingApprovals implements ApprovalDesk, PendingBoard {
  /** This replica's name as a holder: random per process, so a restarted replica never revives a ghost. */
  private readonly holder = randomBytes(12).toString('base64url');
  private readonly waiting = new Map<string, Waiting>();
  private subscribed: Promise<RedisClient> | undefined;
  private heartbeat: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: RedisStore,
    private readonly logger?: pino.Logger,
    private readonly now: () => number = Date.now,
  ) {}

  async decide(change: PendingChange, wait: { timeoutMs: number; signal?: AbortSignal }): Promise<DeskOutcome> {
    if (wait.signal?.aborted) return { decision: 'cancelled', approvedBy: [] };
    await this.start();
    const askedAt = this.now();
    const id = randomBytes(16).toString('base64url');
    const ref = storeDigest(id);
    const record: SharedRecord = {
      item: { id, change, askedAt, deadline: askedAt + wait.timeoutMs, approvedBy: [] },
      holder: this.holder,
    };
    await this.store.command(async (redis) => {
      await redis.set(holderKey(this.holder), '1', { expiration: { type: 'PX', value: HOLDER_TTL_MS } });
      await redis
        .multi()
        .set(itemKey(ref), JSON.stringify(record), { expiration: { type: 'PX', value: wait.timeoutMs + AFTERLIFE_MS } })
        .zAdd(WAITING_KEY, { score: askedAt, value: ref })
        // The list outlives its longest-lived record, so a member whose record expired unlisted cannot stay forever.
        .pExpire(WAITING_KEY, wait.timeoutMs + AFTERLIFE_MS, 'GT')
        .pExpire(WAITING_KEY, wait.timeoutMs + AFTERLIFE_MS, 'NX')
        .incr(VERSION_KEY)
        .pExpire(VERSION_KEY, VERSION_TTL_MS)
        .exec();
    });
    return new Promise<DeskOutcome>((resolve) => {
      const finish = (outcome: DeskOutcome) => {
        if (!this.waiting.delete(ref)) return;
        clearTimeout(timer);
        wait.signal?.removeEventListener('abort', onAbort);
        if (this.waiting.size === 0) this.idle();
        resolve(outcome);
      };
      const withdraw = (decision: 'timed-out' | 'cancelled') => {
        this.withdraw(ref, decision).then(finish, (error: unknown) => {
          // Fail closed: the call is refused; the record dies with its holder's liveness or at its deadline.
          this.logger?.warn({ err: error }, 'approvals: a change could not be withdrawn in the shared state');
          finish({ decision, approvedBy: [] });
        });
      };
      const timer = setTimeout(() => withdraw('timed-out'), wait.timeoutMs);
      const onAbort = () => withdraw('cancelled');
      wait.signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.set(ref, { resolve: finish });
      // Started here, once the change counts as waiting: a beat stopped by another change settling meanwhile
      // would let this one's holder lapse and show it withdrawn.
      this.heartbeat ??= setInterval(() => this.beat(), HEARTBEAT_MS);
    });
  }

  async listing(): Promise<PendingListing> {
    return this.store.command(async (redis) => {
      const refs = await redis.zRange(WAITING_KEY, 0, -1);
      const raw = refs.length === 0 ? [] : await redis.mGet(refs.map(itemKey));
      const records: SharedRecord[] = [];
      const gone: string[] = [];
      raw.forEach((text, index) => {
        if (text === null) gone.push(refs[index] as string);
        else records.push(JSON.parse(text) as SharedRecord);
      });
      if (gone.length > 0) await redis.zRem(WAITING_KEY, gone);
      const holders = [...new Set(records.map((r) => r.holder))];
      const alive = holders.length === 0 ? [] : await redis.mGet(holders.map(holderKey));
      const live = new Set(holders.filter((_, index) => alive[index] !== null));
      const now = this.now();
      const open = records.filter((r) => r.outcome === undefined && now < r.item.deadline);
      return {
        version: Number((await redis.get(VERSION_KEY)) ?? 0),
        items: open.filter((r) => live.has(r.holder)).map((r) => r.item),
        withdrawn: open.filter((r) => !live.has(r.holder)).map((r) => r.item),
      };
    });
  }

  /** A click on any replica, under the rules of click-rules.ts, applied to the record in one compare-and-set. */
  async click(
    id: string,
    digest: string,
    decision: 'approve' | 'deny',
    typed: string | undefined,
    by?: Approver,
  ): Promise<ClickResult> {
    const ref = storeDigest(id);
    return this.store.command(async (redis) => {
      for (let attempt = 0; attempt < CLICK_ATTEMPTS; attempt++) {
        const read = await redis.get(itemKey(ref));
        if (read === null) return NOT_PENDING;
        const record = JSON.parse(read) as SharedRecord;
        if (record.outcome !== undefined || this.now() >= record.item.deadline) return NOT_PENDING;
        const ruling = ruleOnClick(record.item, { digest, decision, typed, ...(by === undefined ? {} : { by }) });
        if (!ruling.ok) {
          const holderGone = (await redis.exists(holderKey(record.holder))) === 0;
          return holderGone ? HOLDER_STOPPED : ruling;
        }
        const item = { ...record.item, approvedBy: ruling.approvedBy };
        const settled = ruling.settled;
        const next: SharedRecord = {
          item,
          holder: record.holder,
          ...(settled === undefined ? {} : { outcome: settled }),
        };
        const replaced = await this.replace(redis, ref, record.holder, read, next, true);
        if (replaced === -1) return HOLDER_STOPPED;
        if (replaced === 1) return { ok: true, decision: ruling.decision, item, waitingFor: ruling.waitingFor };
      }
      throw new StoreUnavailableError('the change kept changing under this click; nothing was decided');
    });
  }

  async close(): Promise<void> {
    this.idle();
    const subscriber = await this.subscribed?.catch(() => undefined);
    this.subscribed = undefined;
    if (subscriber?.isReady) await subscriber.close();
    else if (subscriber?.isOpen) subscriber.destroy();
  }

  /** Settles the record as `decision` unless a click settled it first: then that outcome is the change's. */
  private withdraw(ref: string, decision: 'timed-out' | 'cancelled'): Promise<DeskOutcome> {
    return this.store.command(async (redis) => {
      for (;;) {
        const read = await redis.get(itemKey(ref));
        if (read === null) return { decision, approvedBy: [] };
        const record = JSON.parse(read) as SharedRecord;
        if (record.outcome !== undefined) return outcomeOf(record);
        const next: SharedRecord = { ...record, outcome: { decision } };
        if ((await this.replace(redis, ref, record.holder, read, next, false)) === 1) return outcomeOf(next);
      }
    });
  }

  private async replace(
    redis: RedisClient,
    ref: string,
    holder: string,
    read: string,
    next: SharedRecord,
    holderMustLive: boolean,
  ): Promise<number> {
    return Number(
      await redis.eval(REPLACE, {
        keys: [itemKey(ref), WAITING_KEY, VERSION_KEY, holderKey(holder)],
        arguments: [
          read,
          JSON.stringify(next),
          next.outcome === undefined ? '0' : '1',
          ref,
          SETTLED_CHANNEL,
          holderMustLive ? '1' : '0',
        ],
      }),
    );
  }

  /** Subscribes, once, to the settlements of every replica's clicks; a failed attempt is tried again next time. */
  private start(): Promise<RedisClient> {
    this.subscribed ??= this.store
      .subscriber()
      .then(async (subscriber) => {
        await subscriber.subscribe(SETTLED_CHANNEL, (ref) => {
          if (this.waiting.has(ref)) this.check([ref]);
        });
        return subscriber;
      })
      .catch((error: unknown) => {
        this.subscribed = undefined;
        throw error instanceof StoreUnavailableError ? error : new StoreUnavailableError((error as Error).message);
      });
    return this.subscribed;
  }

  private idle(): void {
    clearInterval(this.heartbeat);
    this.heartbeat = undefined;
  }

  /** Keeps this replica alive as a holder and reads its records, should a settlement's message have been lost. */
  private beat(): void {
    this.store
      .command((redis) => redis.set(holderKey(this.holder), '1', { expiration: { type: 'PX', value: HOLDER_TTL_MS } }))
      .catch(() => {
        // Redis away: the calls waiting here are refused at their deadlines.
      });
    this.check([...this.waiting.keys()]);
  }

  private check(refs: string[]): void {
    if (refs.length === 0) return;
    this.store
      .command((redis) => redis.mGet(refs.map(itemKey)))
      .then((records) => {
        records.forEach((text, index) => {
          if (text === null) return;
          const record = JSON.parse(text) as SharedRecord;
          if (record.outcome !== undefined) this.waiting.get(refs[index] as string)?.resolve(outcomeOf(record));
        });
      })
      .catch(() => {
        // Read again at the next beat; the deadline ends the wait in any case.
      });
  }
}

function outcomeOf(record: SharedRecord): DeskOutcome {
  const { outcome, item } = record;
  return {
    decision: outcome?.decision ?? 'timed-out',
    approvedBy: item.approvedBy,
    ...(outcome?.deniedBy === undefined ? {} : { deniedBy: outcome.deniedBy }),
  };
}
