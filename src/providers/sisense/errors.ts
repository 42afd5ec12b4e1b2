// The error every Sisense call fails with. It is the shared HTTP layer's error (kind, status, retryable, sent,
// afterUnknownOutcome), so the bulk runner and the tool layer read it as they read Visier's, with Sisense's
// name in the message and the upstream request id under its own name.
import { VisierApiError } from '../http/errors.js';

export class SisenseApiError extends VisierApiError {
  /** Which system answered; `name` stays the shared layer's, which the tool layer matches on. */
  readonly provider = 'sisense';
  override get system(): string {
    return 'Sisense';
  }
  /** The site whose key the call used. */
  readonly site: string;
  /** Sisense's id of the failed request, when its answer names one. */
  readonly requestId: string | undefined;

  /** Re-types an error of the shared HTTP layer, keeping its facts and its words for what went wrong. */
  constructor(site: string, cause: VisierApiError) {
    super({
      kind: cause.kind,
      method: cause.method,
      path: cause.path,
      retryable: cause.retryable,
      sent: cause.sent,
      ...(cause.status !== undefined ? { status: cause.status } : {}),
      ...(cause.code !== undefined ? { code: cause.code } : {}),
      ...(cause.localizedMessage !== undefined ? { localizedMessage: cause.localizedMessage } : {}),
      ...(cause.rci !== undefined ? { rci: cause.rci } : {}),
      ...(cause.userError !== undefined ? { userError: cause.userError } : {}),
    });
    this.site = site;
    this.requestId = cause.rci;
    this.afterUnknownOutcome = cause.afterUnknownOutcome;
    const facts = [
      cause.status !== undefined ? `HTTP ${cause.status}` : cause.kind,
      cause.code !== undefined ? `code ${cause.code}` : undefined,
      this.requestId !== undefined ? `request ${this.requestId}` : undefined,
    ].filter((f) => f !== undefined);
    const what = cause.localizedMessage ?? whatWentWrong(cause);
    this.message = `Sisense ${cause.method} ${cause.path} (site ${site}): ${what} (${facts.join(', ')})`;
  }

  override toJSON(): Record<string, unknown> {
    return {
      ...super.toJSON(),
      name: 'SisenseApiError',
      provider: this.provider,
      site: this.site,
      requestId: this.requestId,
    };
  }
}

/** The shared layer's text for what went wrong (e.g. `no complete response within 400 ms`), without its frame. */
function whatWentWrong(cause: VisierApiError): string {
  const frame = `Visier ${cause.method} ${cause.path}: `;
  const text = cause.message.startsWith(frame) ? cause.message.slice(frame.length) : cause.message;
  return text.replace(/ \([^()]*\)$/, '');
}
