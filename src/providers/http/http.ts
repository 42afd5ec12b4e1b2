// Sends one logical Visier request: rate limit, session credential, timeouts, cancellation, retries
// where they are safe, one re-authentication on 401, debug logging without secrets, and the stats that
// benchmarks read. It knows nothing of any endpoint's meaning.
import type { Logger } from 'pino';
import type { Agent, request } from 'undici';
import { counted } from '../../grammar.js';
import type { ResolvedRetry } from '../visier/config.js';
import { backoffDelayMs, parseRetryAfter } from './backoff.js';
import type { Clock } from './clock.js';
import { parseErrorBody, VisierApiError } from './errors.js';
import { CallerQueueFull, type RateLimiter } from './rate-limiter.js';
import type { Redactor } from './redact.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
export type ResponseKind = 'json' | 'text' | 'binary';

export interface HttpRequest {
  method: HttpMethod;
  /** Path with encoded segments, no query. */
  path: string;
  /** An array value repeats the parameter once per item (OpenAPI's default `form`, exploded). */
  query?: Record<string, string | number | boolean | readonly string[] | undefined>;
  headers?: Record<string, string | undefined>;
  json?: unknown;
  form?: Record<string, string | undefined>;
  accept: ResponseKind;
  signal?: AbortSignal | undefined;
  tally?: Tally | undefined;
}

/** What the HTTP exchanges of one logical operation came to, counted across its calls. */
export interface Tally {
  /** Exchanges sent, retries and re-authentication included. */
  requests: number;
  /** Attempts that may have been carried out but lost their answer, then were sent again. */
  lostAnswers?: number;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON (undefined for an empty body), text, or bytes, per `accept`. */
  body: unknown;
}

/** Supplies the session credential for data calls and replaces it when Visier rejects it. */
export interface Session {
  credential(signal?: AbortSignal): Promise<{ token: string; headers: Record<string, string> }>;
  /** Forgets `token` if it is still the current one, so the next `credential()` obtains a new one. */
  invalidate(token: string): void;
}

export interface HttpStats {
  requests: number;
  retries: number;
  rateLimited: number;
  tokenRefreshes: number;
  /** Visier's X-RateLimit-* headers (names lower-case) on the last response that carried any: its headroom. */
  rateLimitHeaders?: Record<string, string>;
}

export interface HttpClientOptions {
  baseUrl: string;
  retry: ResolvedRetry;
  connectMs: number;
  requestMs: number;
  connections: number;
  limiter: RateLimiter | undefined;
  logger: Logger;
  redactor: Redactor;
  stats: HttpStats;
  /** What backoff and Retry-After waits sleep on. */
  clock: Clock;
}

/** Error codes meaning the request never left this machine, so even a POST may be sent again. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT']);
const RETRYABLE_STATUS = new Set([502, 503, 504]);
const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);
/** undici refused to build the request (a header value with a control character, a bad path): nothing was sent. */
const REFUSED_CODE = 'UND_ERR_INVALID_ARG';

export class HttpClient {
  private undici: Promise<typeof import('undici')> | undefined;
  private agent: Agent | undefined;

  constructor(private readonly options: HttpClientOptions) {}

  // undici loads on the first request: a stdio server answers tools/list before it talks to Visier, and
  // desktop clients start servers often.
  private async connection(): Promise<{ agent: Agent; request: typeof request }> {
    this.undici ??= import('undici');
    const { Agent, request } = await this.undici;
    this.agent ??= new Agent({
      connect: { timeout: this.options.connectMs },
      connections: this.options.connections,
      headersTimeout: this.options.requestMs,
      bodyTimeout: this.options.requestMs,
    });
    return { agent: this.agent, request };
  }

  /**
   * undici's pool takes a request it refuses to build for backpressure on the connection it picked, and waits
   * for a 'drain' from that connection that never comes: after `connections` such refusals every later request
   * queues until its timeout, however valid. No API gives the connection back, so the agent is replaced; its
   * requests in flight finish before it closes.
   */
  private retire(agent: Agent): void {
    if (this.agent === agent) this.agent = undefined;
    agent.close().catch((err: unknown) => {
      this.options.logger.debug({ error: errorCode(err) ?? String(err) }, 'visier agent close failed');
    });
  }

  async close(): Promise<void> {
    await this.agent?.close();
  }

  /**
   * Sends `req` and returns a 2xx response, or throws VisierApiError. With a session, the apikey-bearing
   * credential is attached and a 401 triggers one new credential and one more try.
   */
  async send(req: HttpRequest, session?: Session): Promise<HttpResponse> {
    const { retry, limiter, stats } = this.options;
    let reauthenticated = false;
    let mayHaveApplied = false;
    for (let attempt = 1; ; attempt++) {
      let error: VisierApiError;
      let retryAfterMs: number | undefined;
      // Obtaining the credential has its own retries (and rate slots); failing it fails the call as it is. It comes
      // before this call's slot: a slot taken and then held while a sign-in waits for the next minute would send
      // the call in a minute its slot was not counted in.
      const credential = session ? await session.credential(req.signal).catch(rethrowAs(this, req)) : undefined;
      try {
        req.signal?.throwIfAborted();
        await limiter?.acquire(req.signal);
      } catch (err) {
        rethrowAs(this, req)(err);
      }
      try {
        const res = await this.once(req, credential?.headers, attempt);
        limiter?.observe(res.headers);
        const limits = rateLimitHeadersOf(res.headers);
        if (limits !== undefined) stats.rateLimitHeaders = limits;
        if (res.status >= 200 && res.status < 300) return res;
        if (res.status === 401 && credential && session && !reauthenticated) {
          reauthenticated = true;
          session.invalidate(credential.token);
          attempt--;
          continue;
        }
        error = this.httpError(req, res);
        retryAfterMs = parseRetryAfter(headerValue(res.headers, 'retry-after'), this.options.clock.now());
      } catch (err) {
        error = this.asApiError(err, req);
      }
      if (error.kind === 'rate-limited') stats.rateLimited++;
      if (!error.retryable || attempt >= retry.maxAttempts) {
        error.afterUnknownOutcome = mayHaveApplied;
        throw error;
      }
      // A 429 was never processed; anything else that reached Visier may have been, answer lost.
      if (error.sent && error.kind !== 'rate-limited') {
        mayHaveApplied = true;
        if (req.tally) req.tally.lostAnswers = (req.tally.lostAnswers ?? 0) + 1;
      }
      await this.pause(attempt, retryAfterMs, req, error).catch(rethrowAs(this, req));
    }
  }

  private async pause(attempt: number, retryAfterMs: number | undefined, req: HttpRequest, cause: VisierApiError) {
    const delay = backoffDelayMs(attempt, this.options.retry, retryAfterMs);
    this.options.stats.retries++;
    this.options.logger.debug(
      { method: req.method, path: req.path, attempt, delayMs: delay, reason: cause.kind, status: cause.status },
      'visier retry',
    );
    await this.options.clock.sleep(delay, req.signal);
  }

  /** One HTTP exchange, bounded by the request timeout and the caller's signal. */
  private async once(req: HttpRequest, authHeaders: Record<string, string> | undefined, attempt: number) {
    const { requestMs, baseUrl, logger, stats } = this.options;
    req.signal?.throwIfAborted();
    const { agent, request } = await this.connection();
    // One controller per exchange, fed by the timer and the caller's signal; the listener is removed
    // afterwards so a long-lived caller signal does not collect one per request.
    const exchange = new AbortController();
    const timer = setTimeout(() => exchange.abort(new RequestTimeout()), requestMs);
    const onCallerAbort = () => exchange.abort(req.signal?.reason);
    req.signal?.addEventListener('abort', onCallerAbort, { once: true });
    const started = performance.now();
    const headers: Record<string, string> = { accept: acceptHeader(req.accept), ...definedOnly(req.headers) };
    let body: string | undefined;
    if (req.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(req.json);
    } else if (req.form !== undefined) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(definedOnly(req.form)).toString();
    }
    Object.assign(headers, authHeaders);
    stats.requests++;
    if (req.tally) req.tally.requests++;
    try {
      const res = await request(`${baseUrl}${req.path}${queryString(req.query)}`, {
        method: req.method,
        headers,
        body,
        signal: exchange.signal,
        dispatcher: agent,
      });
      const bytes = Buffer.from(await res.body.arrayBuffer());
      const status = res.statusCode;
      const parsedBody = status >= 200 && status < 300 ? parseBody(bytes, req) : bytes.toString('utf8');
      const rci = status >= 300 ? parseErrorBody(String(parsedBody)).rci : undefined;
      logger.debug(
        { method: req.method, path: req.path, status, durationMs: elapsed(started), rci, attempt },
        'visier request',
      );
      return { status, headers: res.headers, body: parsedBody };
    } catch (err) {
      const failure = exchange.signal.reason instanceof RequestTimeout ? exchange.signal.reason : err;
      if (errorCode(err) === REFUSED_CODE) this.retire(agent);
      logger.debug(
        {
          method: req.method,
          path: req.path,
          error: this.options.redactor.scrub(errorCode(failure) ?? String(failure)),
          durationMs: elapsed(started),
          attempt,
        },
        'visier request failed',
      );
      throw failure;
    } finally {
      clearTimeout(timer);
      req.signal?.removeEventListener('abort', onCallerAbort);
    }
  }

  private httpError(req: HttpRequest, res: HttpResponse): VisierApiError {
    const text = typeof res.body === 'string' ? res.body : '';
    const parsed = parseErrorBody(this.options.redactor.scrub(text));
    const rateLimited = res.status === 429;
    return new VisierApiError({
      kind: rateLimited ? 'rate-limited' : 'http',
      method: req.method,
      path: req.path,
      status: res.status,
      ...parsed,
      // A 429 was not processed, so even a POST may be sent again; 5xx only when replaying is harmless.
      retryable: rateLimited || (RETRYABLE_STATUS.has(res.status) && isIdempotent(req.method)),
      ...(res.status === 401 ? { detail: 'authentication failed' } : {}),
    });
  }

  asApiError(err: unknown, req: HttpRequest): VisierApiError {
    if (err instanceof VisierApiError) return err;
    const base = { method: req.method, path: req.path };
    if (req.signal?.aborted) return new VisierApiError({ ...base, kind: 'aborted', retryable: false });
    if (err instanceof RequestTimeout || TIMEOUT_CODES.has(errorCode(err) ?? '')) {
      return new VisierApiError({
        ...base,
        kind: 'timeout',
        retryable: isIdempotent(req.method),
        detail: `no complete response within ${this.options.requestMs} ms`,
      });
    }
    if (err instanceof MalformedResponse) {
      return new VisierApiError({ ...base, kind: 'malformed', retryable: false, detail: err.message });
    }
    const code = errorCode(err);
    if (code === REFUSED_CODE) {
      // The same request would be refused again, so it is never retried.
      return new VisierApiError({
        ...base,
        kind: 'invalid-request',
        retryable: false,
        sent: false,
        detail: this.options.redactor.scrub(`not sent: ${err instanceof Error ? err.message : String(err)}`),
      });
    }
    const notSent = code !== undefined && NOT_SENT_CODES.has(code);
    return new VisierApiError({
      ...base,
      kind: 'network',
      retryable: notSent || isIdempotent(req.method),
      sent: !notSent,
      detail: this.options.redactor.scrub(
        `network error${code ? ` ${code}` : ''}: ${err instanceof Error ? err.message : String(err)}`,
      ),
    });
  }
}

/**
 * Rethrows `err` as the system's error; a call the limiter refused to queue stays what it is: our refusal, not
 * the system's answer (nothing was sent), and the caller is told so in our words.
 */
function rethrowAs(client: HttpClient, req: HttpRequest) {
  return (err: unknown): never => {
    if (err instanceof CallerQueueFull) throw err;
    throw client.asApiError(err, req);
  };
}

class RequestTimeout extends Error {
  constructor() {
    super('request timed out');
  }
}

/** A 2xx body that cannot be read as the promised JSON. */
class MalformedResponse extends Error {}

function parseBody(bytes: Buffer, req: HttpRequest): unknown {
  if (req.accept === 'binary') return bytes;
  const text = bytes.toString('utf8');
  if (req.accept === 'text') return text;
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new MalformedResponse(`response body is not valid JSON (${counted(bytes.length, 'byte')})`);
  }
}

/** Visier's GET, PUT and DELETE may be replayed safely; POST and PATCH may not. */
function isIdempotent(method: HttpMethod): boolean {
  return method !== 'POST' && method !== 'PATCH';
}

function acceptHeader(kind: ResponseKind): string {
  if (kind === 'json') return 'application/json';
  if (kind === 'text') return 'text/plain, */*';
  return 'application/vnd.ms-excel, application/octet-stream, */*';
}

function queryString(query: HttpRequest['query']): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (Array.isArray(v)) for (const item of v) params.append(k, item);
    else if (v !== undefined) params.set(k, String(v));
  }
  const s = params.toString();
  return s === '' ? '' : `?${s}`;
}

function definedOnly(o: Record<string, string | undefined> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(o ?? {})) if (v !== undefined) out[k] = v;
  return out;
}

function headerValue(headers: HttpResponse['headers'], name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function rateLimitHeadersOf(headers: HttpResponse['headers']): Record<string, string> | undefined {
  const found = Object.keys(headers)
    .filter((name) => name.toLowerCase().startsWith('x-ratelimit-'))
    .map((name) => [name.toLowerCase(), headerValue(headers, name)] as const)
    .filter((entry): entry is readonly [string, string] => entry[1] !== undefined);
  return found.length === 0 ? undefined : Object.fromEntries(found);
}

function errorCode(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as { code?: unknown; cause?: { code?: unknown } };
  if (typeof e.code === 'string') return e.code;
  return typeof e.cause?.code === 'string' ? e.cause.code : undefined;
}

function elapsed(started: number): number {
  return Math.round(performance.now() - started);
}
