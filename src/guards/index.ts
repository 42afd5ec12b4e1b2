export { AuditLogInUse, verifyAuditLog } from './audit.js';
export {
  type CallerInfo,
  CONFIRMATION_TOKEN_ARG,
  type ConfirmPolicy,
  type Guard,
  type GuardedOutcome,
  type GuardOptions,
  type Mode,
} from './guard.js';
export { createGuard } from './pipeline.js';
export { redactText } from './redact.js';
export { fenceUntrusted, newFenceNonce, sanitizeUntrusted } from './untrusted.js';
