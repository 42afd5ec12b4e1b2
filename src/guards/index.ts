export type { ApprovalDesk, DeskDecision, PendingChange } from './approval-desk.js';
export { type AuditAnchor, createAuditAnchor } from './audit-anchor.js';
export { AuditKeyError } from './audit-key.js';
export { type AuditFinding, type AuditVerification, verifyAuditLog } from './audit-verify.js';
export {
  type CallerInfo,
  CONFIRMATION_TOKEN_ARG,
  type ConfirmedClass,
  type ConfirmPolicies,
  type ConfirmPolicy,
  type Guard,
  type GuardedOutcome,
  type GuardOptions,
  type Mode,
} from './guard.js';
export { createGuard } from './pipeline.js';
export { redactText } from './redact.js';
export { fenceUntrusted, newFenceNonce, sanitizeUntrusted } from './untrusted.js';
