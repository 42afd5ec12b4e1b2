// The client's logger: the caller's as a child, or pino on stderr (stdout belongs to JSON-RPC in stdio mode).
// The shared redaction paths apply, plus the partner-auth header, which carries the site's key.
import pino, { type Logger } from 'pino';
import { REDACT_PATHS, REDACTED } from '../http/redact.js';
import { PARTNER_AUTH_HEADER } from './wire.js';

const PATHS = [...REDACT_PATHS, `headers["${PARTNER_AUTH_HEADER}"]`, `headers["${PARTNER_AUTH_HEADER.toLowerCase()}"]`];

export function sisenseLogger(logger: Logger | undefined): Logger {
  const redact = { paths: PATHS, censor: REDACTED };
  if (logger) return logger.child({ component: 'sisense' }, { redact });
  return pino({ name: 'sisense', level: process.env.LOG_LEVEL ?? 'info', redact }, pino.destination(2));
}
