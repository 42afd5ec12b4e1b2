import { timingSafeEqual } from 'node:crypto';
import { type Person, personKey } from '../auth/person.js';
import { scopeFor } from '../auth/scopes.js';
import { withArticle } from '../grammar.js';
import type { PendingChange } from '../guards/approval-desk.js';
import type { Mode } from '../guards/guard.js';
import { modeAllows } from '../guards/modes.js';

/**
 * A person signed in to the page, as the access token the issuer gave their sign-in for this server names them,
 * with the widest mode that token's scopes grant: who they are is in the requesters' own subject space, and what
 * they may decide is what they could do themselves.
 */
export interface Approver extends Person {
  mode: Mode;
}

/** A change on the page: what to show, when it stops waiting, and who approved it so far. */
export interface PendingItem {
  /** Random, per change: what the page's form names, with the change's digest. */
  id: string;
  change: PendingChange;
  /** Epoch ms. */
  askedAt: number;
  /** Epoch ms; past it the change is refused as timed out. */
  deadline: number;
  /** The distinct people who approved it so far, in order (the page shows them; the audit names them). */
  approvedBy: Person[];
}

/** A page click, as the page's form sends it: `by` is the signed-in person, absent on the loopback page. */
export interface Click {
  digest: string;
  decision: 'approve' | 'deny';
  typed: string | undefined;
  by?: Approver;
}

/** Why a click decided nothing: HTTP status, a reason code and the words the page shows. */
export interface ClickRefusal {
  ok: false;
  status: number;
  reason: string;
  text: string;
}

/**
 * What a click does to an item: refused, or the item's new approvals and whether it is settled now
 * (`settled`: the desk resolves the change; absent: it keeps waiting for `waitingFor` more people).
 */
export type ClickRuling =
  | ClickRefusal
  | {
      ok: true;
      decision: 'approved' | 'denied';
      approvedBy: Person[];
      waitingFor: number;
      settled?: { decision: 'approved' } | { decision: 'denied'; deniedBy?: Person };
    };

export const NOT_PENDING: ClickRefusal = {
  ok: false,
  status: 409,
  reason: 'not-pending',
  text: 'This change is no longer waiting: it was already decided, timed out or withdrawn. Nothing was done.',
};

/** A change whose replica stopped while it waited (shared desk only): never approvable. */
export const HOLDER_STOPPED: ClickRefusal = {
  ok: false,
  status: 409,
  reason: 'withdrawn',
  text: 'This change was withdrawn: the server holding it stopped while it waited, so nobody can approve it. Whoever asked must ask again. Nothing was done.',
};

const sameText = (a: string, b: string) => {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
};

/** Whether `person` is who asked for `change`: by the person its token named, or by the principal it is bound to. */
export function isRequester(person: Person, change: PendingChange): boolean {
  const key = personKey(person);
  return key === change.principal || (change.person !== undefined && key === personKey(change.person));
}

/**
 * The rules of a click on a waiting item, in one place for every desk (in memory, in Redis). Approving needs the
 * change's digest, and for an irreversible change exactly the typed value shown (no trimming, no case folding); a
 * wrong typed value leaves the change pending. The requester cannot approve their own change (denying it is
 * fine), a signed-in person decides only a change their own scopes would allow them to make, a change that needs more than one approver takes only signed-in people, a person counts once, any deny
 * settles, and the last approval needed settles. `item` is not changed. Whether it still waits is the desk's to know.
 */
export function ruleOnClick(item: PendingItem, click: Click): ClickRuling {
  if (!sameText(click.digest, item.change.digest)) {
    return {
      ok: false,
      status: 409,
      reason: 'digest-mismatch',
      text: 'This decision names another change than the one waiting under its id. Nothing was done.',
    };
  }
  const expected = item.change.typed;
  if (click.decision === 'approve' && expected !== undefined && click.typed !== expected.value) {
    return {
      ok: false,
      status: 422,
      reason: 'typed-mismatch',
      text: `To approve, type ${expected.what} exactly as shown. The change is still waiting.`,
    };
  }
  const { by } = click;
  const required = item.change.approversRequired ?? 1;
  // Denying one's own change only withdraws it: refusing is always safe, approving is someone else's to do.
  if (click.decision === 'approve' && by !== undefined && isRequester(by, item.change)) {
    return {
      ok: false,
      status: 403,
      reason: 'own-change',
      text: 'You asked for this change, so you cannot approve it: another person must. Nothing was done.',
    };
  }
  // Withdrawing one's own change needs no authority; deciding another's needs the scope to have made it.
  const withdrawing = click.decision === 'deny' && by !== undefined && isRequester(by, item.change);
  if (by !== undefined && !withdrawing && !modeAllows(by.mode, item.change.classification)) {
    const { classification } = item.change;
    return {
      ok: false,
      status: 403,
      reason: 'no-authority',
      text: `This is ${withArticle(`'${classification}'`)} change and your sign-in's scopes allow only '${by.mode}' mode: deciding it needs the scope ${scopeFor(classification)}, as making it would. Nothing was done.`,
    };
  }
  if (by === undefined && required > 1) {
    return {
      ok: false,
      status: 403,
      reason: 'not-signed-in',
      text: `This change needs ${required} different people to approve it, and this page does not know who you are. Sign in first. Nothing was done.`,
    };
  }
  if (click.decision === 'deny') {
    return {
      ok: true,
      decision: 'denied',
      approvedBy: item.approvedBy,
      waitingFor: 0,
      settled: { decision: 'denied', ...(by === undefined ? {} : { deniedBy: by }) },
    };
  }
  if (by !== undefined && item.approvedBy.some((p) => personKey(p) === personKey(by))) {
    const left = required - item.approvedBy.length;
    return {
      ok: false,
      status: 409,
      reason: 'already-approved',
      text: `You already approved this change; it waits for ${left} more ${left === 1 ? 'person' : 'people'}. Your second approval does not count.`,
    };
  }
  const approvedBy = by === undefined ? item.approvedBy : [...item.approvedBy, by];
  const waitingFor = by === undefined ? 0 : Math.max(0, required - approvedBy.length);
  return {
    ok: true,
    decision: 'approved',
    approvedBy,
    waitingFor,
    ...(waitingFor === 0 ? { settled: { decision: 'approved' as const } } : {}),
  };
}
