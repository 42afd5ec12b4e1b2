// One error type for every way a Visier call can fail, so callers (tools, guards, audit) can decide on
// `kind`, `status` and `retryable` without knowing HTTP or undici, and show Visier's own words and rci.

/** `invalid-request`: the HTTP library refused to build the request from the values given; nothing was sent. */
export type VisierErrorKind =
  | 'http'
  | 'network'
  | 'timeout'
  | 'aborted'
  | 'malformed'
  | 'rate-limited'
  | 'invalid-request';

export interface VisierApiErrorInit {
  kind: VisierErrorKind;
  method: string;
  path: string;
  status?: number;
  code?: string;
  localizedMessage?: string;
  rci?: string;
  userError?: boolean;
  retryable: boolean;
  /** Why it failed when Visier gave no message of its own. */
  detail?: string;
  /** False only when the request certainly never reached Visier (e.g. connection refused). */
  sent?: boolean;
}

export class VisierApiError extends Error {
  override readonly name = 'VisierApiError';
  /** The system that answered, as its users name it; a provider's subclass says its own. */
  get system(): string {
    return 'Visier';
  }
  readonly kind: VisierErrorKind;
  readonly status: number | undefined;
  readonly code?: string;
  readonly localizedMessage?: string;
  readonly rci?: string;
  readonly userError?: boolean;
  readonly retryable: boolean;
  readonly method: string;
  readonly path: string;
  readonly sent: boolean;
  /**
   * An earlier attempt of this call may have been carried out and lost its answer before this error came back:
   * for a deletion, a 404 then means the work is done.
   */
  afterUnknownOutcome = false;

  constructor(init: VisierApiErrorInit) {
    super(formatMessage(init));
    this.kind = init.kind;
    this.status = init.status;
    this.retryable = init.retryable;
    this.method = init.method;
    this.path = init.path;
    this.sent = init.sent ?? true;
    if (init.code !== undefined) this.code = init.code;
    if (init.localizedMessage !== undefined) this.localizedMessage = init.localizedMessage;
    if (init.rci !== undefined) this.rci = init.rci;
    if (init.userError !== undefined) this.userError = init.userError;
  }

  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      message: this.message,
      kind: this.kind,
      status: this.status,
      code: this.code,
      localizedMessage: this.localizedMessage,
      rci: this.rci,
      userError: this.userError,
      retryable: this.retryable,
      method: this.method,
      path: this.path,
    };
  }
}

function formatMessage(init: VisierApiErrorInit): string {
  const what = init.localizedMessage ?? init.detail ?? defaultDetail(init);
  const facts = [
    init.status !== undefined ? `HTTP ${init.status}` : init.kind,
    init.code !== undefined ? `code ${init.code}` : undefined,
    init.rci !== undefined ? `rci ${init.rci}` : undefined,
  ].filter((f): f is string => f !== undefined);
  return `Visier ${init.method} ${init.path}: ${what} (${facts.join(', ')})`;
}

function defaultDetail(init: VisierApiErrorInit): string {
  switch (init.kind) {
    case 'timeout':
      return 'request timed out';
    case 'aborted':
      return 'request cancelled';
    case 'network':
      return 'network error';
    case 'malformed':
      return 'response did not match the expected shape';
    case 'rate-limited':
      return 'rate limit exceeded';
    case 'invalid-request':
      return 'request not sent: a value cannot go into an HTTP request';
    default:
      return 'request failed';
  }
}

/** Visier's error fields, from any of the shapes it has used (current, 2024 `errorCode`, google.rpc). */
export interface VisierErrorBody {
  code?: string;
  localizedMessage?: string;
  rci?: string;
  userError?: boolean;
}

const MAX_TEXT_DETAIL = 200;

/** Reads an error body of unknown shape; never throws. Non-JSON bodies give a short text excerpt. */
export function parseErrorBody(text: string): VisierErrorBody {
  const trimmed = text.trim();
  if (trimmed === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(trimmed);
  } catch {
    return { localizedMessage: excerpt(trimmed) };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return { localizedMessage: excerpt(trimmed) };
  }
  const body = parsed as Record<string, unknown>;
  // Some gateways wrap the status: {"error": {...}}.
  const inner =
    typeof body.error === 'object' && body.error !== null && !Array.isArray(body.error)
      ? (body.error as Record<string, unknown>)
      : body;
  const result: VisierErrorBody = {};
  const message = str(inner.localizedMessage) ?? str(inner.message) ?? str(inner.errorMessage);
  if (message !== undefined) result.localizedMessage = message;
  const code = str(inner.code) ?? str(inner.errorCode) ?? num(inner.code);
  if (code !== undefined) result.code = code;
  const rci = str(inner.rci) ?? str(inner.rootCauseId);
  if (rci !== undefined) result.rci = rci;
  if (typeof inner.userError === 'boolean') result.userError = inner.userError;
  return result;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function num(v: unknown): string | undefined {
  return typeof v === 'number' ? String(v) : undefined;
}

function excerpt(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ');
  return oneLine.length > MAX_TEXT_DETAIL ? `${oneLine.slice(0, MAX_TEXT_DETAIL)}…` : oneLine;
}
