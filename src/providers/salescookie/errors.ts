// One error type for every way a Sales Cookie call can fail, carrying Sales Cookie's own message and code and
// the request id the client sent, so tools and audit can decide on `kind` and quote what the service said.
import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { VisierApiError, type VisierErrorKind } from '../http/errors.js';

export interface SalescookieApiErrorInit {
  /** The shared HTTP client's kinds; no user, team or e-mail is `http` with status 404, as a 404 of Visier's. */
  kind: VisierErrorKind;
  method: string;
  /** The path below the base URL or below the OData service root; never the key-bearing root itself. */
  path: string;
  status?: number;
  code?: string;
  /** Sales Cookie's own words, when it sent any. */
  upstreamMessage?: string;
  /** Why it failed when Sales Cookie gave no message. */
  detail?: string;
  /** The X-Request-Id the client sent with the operation (Sales Cookie's own request ids are UNVERIFIED). */
  requestId: string;
  retryable: boolean;
  sent: boolean;
  afterUnknownOutcome?: boolean;
}

/**
 * The shared HTTP layer's error (kind, status, retryable, sent, afterUnknownOutcome), so the tool layer and the
 * resources read it as they read Visier's, with Sales Cookie's name in the message, its words as
 * `upstreamMessage` and the request id the client sent (also as `rci`, where the tool layer quotes it).
 */
export class SalescookieApiError extends VisierApiError {
  /** Which system answered; `name` stays the shared layer's. */
  readonly provider = 'salescookie';
  override get system(): string {
    return 'Sales Cookie';
  }
  readonly upstreamMessage: string | undefined;
  readonly requestId: string;

  constructor(init: SalescookieApiErrorInit) {
    super({
      kind: init.kind,
      method: init.method,
      path: init.path,
      retryable: init.retryable,
      sent: init.sent,
      rci: init.requestId,
      ...(init.status !== undefined ? { status: init.status } : {}),
      ...(init.code !== undefined ? { code: init.code } : {}),
      ...(init.upstreamMessage !== undefined ? { localizedMessage: init.upstreamMessage } : {}),
      ...(init.detail !== undefined ? { detail: init.detail } : {}),
    });
    this.upstreamMessage = init.upstreamMessage;
    this.requestId = init.requestId;
    this.afterUnknownOutcome = init.afterUnknownOutcome ?? false;
    const what = init.upstreamMessage ?? init.detail ?? init.kind;
    const facts = [
      init.status !== undefined ? `HTTP ${init.status}` : init.kind,
      init.code !== undefined ? `code ${init.code}` : undefined,
      `request id ${init.requestId}`,
    ].filter((fact): fact is string => fact !== undefined);
    this.message = `Sales Cookie ${init.method} ${init.path}: ${what} (${facts.join(', ')})`;
  }

  /** An answer of unknown outcome: the request went out and no answer came back, so it may have been applied. */
  get outcomeUnknown(): boolean {
    return this.sent && (this.kind === 'network' || this.kind === 'timeout');
  }

  /** No user, team or e-mail matched. */
  get notFound(): boolean {
    return this.kind === 'http' && this.status === 404;
  }

  override toJSON(): Record<string, unknown> {
    return {
      name: 'SalescookieApiError',
      provider: this.provider,
      message: this.message,
      kind: this.kind,
      status: this.status,
      code: this.code,
      upstreamMessage: this.upstreamMessage,
      requestId: this.requestId,
      retryable: this.retryable,
      method: this.method,
      path: this.path,
    };
  }
}

export function newRequestId(): string {
  return randomUUID();
}

/**
 * Re-labels the shared HTTP client's error. Its message reads `Visier <method> <path>: <what> (<facts>)`; the
 * `<what>` part is Sales Cookie's message or the client's own detail, already scrubbed of secrets.
 */
export function fromHttpError(err: unknown, requestId: string): unknown {
  if (!(err instanceof VisierApiError)) return err;
  const prefix = `Visier ${err.method} ${err.path}: `;
  const body = err.message.startsWith(prefix) ? err.message.slice(prefix.length) : err.message;
  const cut = body.lastIndexOf(' (');
  const what = cut >= 0 ? body.slice(0, cut) : body;
  return new SalescookieApiError({
    kind: err.kind,
    method: err.method,
    path: err.path,
    ...(err.status !== undefined ? { status: err.status } : {}),
    ...(err.code !== undefined ? { code: err.code } : {}),
    ...(err.localizedMessage !== undefined ? { upstreamMessage: err.localizedMessage } : { detail: what }),
    requestId,
    retryable: err.retryable,
    sent: err.sent,
    afterUnknownOutcome: err.afterUnknownOutcome,
  });
}

/** A reply that does not match its schema: names the first offending field and the rule, never its value. */
export function malformed(method: string, path: string, requestId: string, error: z.ZodError): SalescookieApiError {
  const issue = error.issues[0];
  const field = issue && issue.path.length > 0 ? issue.path.join('.') : '(body)';
  return new SalescookieApiError({
    kind: 'malformed',
    method,
    path,
    requestId,
    detail: `reply field ${field}: ${issue?.message ?? 'unexpected shape'}`,
    retryable: false,
    sent: true,
  });
}
