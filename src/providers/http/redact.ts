// Keeps secrets out of logs and errors twice over: pino's `redact` removes credential-bearing fields by
// name, and the Redactor replaces any known secret value (API key, password, client secret, tokens)
// wherever it appears in free text such as an error body or a network error message.
import pino, { type Logger } from 'pino';

export const REDACTED = '[REDACTED]';

/** Field paths pino must never print, whatever the log call passes. */
export const REDACT_PATHS = [
  'apikey',
  'apiKey',
  'password',
  'clientSecret',
  'client_secret',
  'token',
  'access_token',
  'refresh_token',
  'id_token',
  'cookie',
  'authorization',
  'headers.apikey',
  'headers.cookie',
  'headers.authorization',
  'headers["set-cookie"]',
  'form',
  '*.apikey',
  '*.apiKey',
  '*.password',
  '*.clientSecret',
  '*.token',
  '*.cookie',
  '*.authorization',
];

export class Redactor {
  private readonly secrets = new Set<string>();

  add(secret: string | undefined): void {
    // Very short values would blank out ordinary words; real keys, passwords and tokens are longer.
    if (secret !== undefined && secret.length >= 4) this.secrets.add(secret);
  }

  scrub(text: string): string {
    let out = text;
    for (const secret of this.secrets) {
      if (out.includes(secret)) out = out.split(secret).join(REDACTED);
      const encoded = encodeURIComponent(secret);
      if (encoded !== secret && out.includes(encoded)) out = out.split(encoded).join(REDACTED);
    }
    return out;
  }
}

/** The client's logger: the caller's, or pino on stderr (stdout belongs to JSON-RPC in stdio mode). */
export function clientLogger(logger: Logger | undefined): Logger {
  const redact = { paths: REDACT_PATHS, censor: REDACTED };
  if (logger) return logger.child({ component: 'visier' }, { redact });
  return pino({ name: 'visier', level: process.env.LOG_LEVEL ?? 'info', redact }, pino.destination(2));
}
