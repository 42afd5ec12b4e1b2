import type { Person } from '../auth/person.js';
import type { Classification } from '../contract/tool.js';

/**
 * One change waiting for a person's click outside the protocol (the approvals page). Everything here is for
 * showing and checking; the guard keeps the call itself.
 */
export interface PendingChange {
  /**
   * sha256 (hex) over the call's binding: tool, arguments, tenants, the preview's fingerprint, session and
   * caller. A decision must name it, so approving one pending change can approve no other.
   */
  digest: string;
  tool: string;
  /** The call's effective class; `destructive` asks the person to type `typed.value`. */
  classification: Classification;
  /** The whole preview as a person reads it (alert first when there is one), already made visible text. */
  lines: string[];
  /** For irreversible calls: what the person must type, exactly, before an approval is accepted. */
  typed?: { what: string; value: string };
  /** As the client declared itself at initialize (client text: untrusted). */
  client: { name?: string; version?: string };
  /** Who asked: the caller's principal (a person's key with OAuth, a bearer digest, the local process over stdio). */
  principal: string;
  /**
   * The person an OAuth token named as the requester (claims: untrusted display text); they may never approve
   * their own change.
   */
  person?: Person;
  sessionId?: string;
  /**
   * How many distinct signed-in people must approve (`--approvers`); 1 when absent, where one click on the
   * loopback page (no person) also counts. Any one deny refuses.
   */
  approversRequired?: number;
}

/** What became of a pending change: a click either way, no click in time, or the call went away. */
export type DeskDecision = 'approved' | 'denied' | 'timed-out' | 'cancelled';

/** A decision and who made it: every distinct person who approved so far, and who denied, when signed in. */
export interface DeskOutcome {
  decision: DeskDecision;
  approvedBy: Person[];
  deniedBy?: Person;
}

/**
 * The port the guard asks through: "decide this pending change", then it waits. The desk resolves each
 * change exactly once: `approved` once `approversRequired` distinct people approved, `denied` at the first deny,
 * `timed-out` after `timeoutMs` (ms) or `cancelled` when `signal` aborts, withdrawing it so no later click can
 * approve it.
 */
export interface ApprovalDesk {
  decide(change: PendingChange, wait: { timeoutMs: number; signal?: AbortSignal }): Promise<DeskOutcome>;
}

/** A person as an audit line names them: who the issuer vouched for, and the e-mail a reader recognises. */
export interface NamedPerson {
  issuer: string;
  subject: string;
  email?: string;
}

/** Who asked for a change decided on the page, who approved and denied it, and how many approvals it needed. */
export interface ApprovalTrail {
  required: number;
  /** The requester: their person when a token named one, always the principal the call is bound to. */
  requester: { principal: string; person?: NamedPerson };
  approvedBy: NamedPerson[];
  deniedBy?: NamedPerson;
}

export function namedPerson(person: Person): NamedPerson {
  return {
    issuer: person.issuer,
    subject: person.subject,
    ...(person.email === undefined ? {} : { email: person.email }),
  };
}
