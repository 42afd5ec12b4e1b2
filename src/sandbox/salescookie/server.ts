// The request pipeline: log, OData rate limit, fault injection, authentication, handler. Faults are decided
// before the handler runs, so a faulted request never changes state, except `lost-response`, which is carried
// out and then loses its answer.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { FaultKind } from '../handle.js';
import { header, parseJsonBody, readBody, send } from '../http-io.js';
import type { RateLimiter } from '../rate-limit.js';
import { StatusError } from '../status-error.js';
import { DEMO_API_KEY, DEMO_USERS } from './demo-ids.js';
import { SalescookieError } from './errors.js';
import type { SalescookieRequestLogEntry } from './handle.js';
import { API_PREFIX, type Exchange, ODATA_PREFIX, odataCall, restCall } from './routes.js';

const FAULT_STATUS: Partial<Record<FaultKind, [number, string]>> = {
  '429': [429, 'Too many requests'],
  '500': [500, 'An error has occurred.'],
  '502': [502, 'Bad gateway'],
  '503': [503, 'The service is temporarily unavailable'],
  '504': [504, 'Gateway timeout'],
};

/** What a `malformed` fault sends: the start of a plausible OData body, cut mid-string. */
const TRUNCATED_JSON = '{"value":[{"id":"5c00c0de-0000-4000-8000-000000000101","emailAddress":"sandbox.adm';

export interface ServerParts {
  context: Omit<Exchange, 'method' | 'path' | 'query' | 'body'>;
  limiter: RateLimiter;
  log: SalescookieRequestLogEntry[];
  baseUrl: () => string;
}

export function createSalescookieServer(parts: ServerParts): Server {
  return createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://sandbox.invalid');
    const requestId = header(req, 'x-request-id') ?? randomUUID();
    const entry: SalescookieRequestLogEntry = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      requestId,
      status: 0,
    };
    parts.log.push(entry);
    res.setHeader('X-Request-Id', requestId);
    handle(parts, req, res, entry, url)
      .catch((error: unknown) => replyError(res, error))
      .finally(() => {
        if (res.headersSent) entry.status = res.statusCode;
      });
  });
}

/** Which API a path belongs to and the key it presents: the X-ApiKey header for REST, the path for OData. */
function route(req: IncomingMessage, path: string): { kind: 'rest' | 'odata'; key: string | undefined; name: string } {
  if (path.startsWith(API_PREFIX)) {
    return { kind: 'rest', key: header(req, 'x-apikey'), name: path.slice(API_PREFIX.length) };
  }
  if (path.startsWith(ODATA_PREFIX)) {
    const [key, ...rest] = path.slice(ODATA_PREFIX.length).split('/');
    return { kind: 'odata', key: decodeURIComponent(key ?? ''), name: rest.join('/') };
  }
  throw new SalescookieError(404, 'NotFound', `No API at ${path}`);
}

async function handle(
  parts: ServerParts,
  req: IncomingMessage,
  res: ServerResponse,
  entry: SalescookieRequestLogEntry,
  url: URL,
): Promise<void> {
  const rawBody = await readBody(req);
  const target = route(req, entry.path);
  if (target.kind === 'odata') {
    const rate = parts.limiter.take(target.key ?? 'anonymous');
    if (!rate.allowed) {
      res.setHeader('Retry-After', String(rate.retryAfter ?? 1));
      throw new SalescookieError(429, 'TooManyRequests', 'Too many requests');
    }
  }
  const { faults, workspace } = parts.context;
  const fault = faults.pick(entry.method, entry.path);
  const latency = faults.latencyMs;
  if (latency > 0) await new Promise((resolve) => setTimeout(resolve, latency).unref());
  if (fault) entry.fault = fault;
  if (fault && fault !== 'lost-response') {
    injectFault(fault, req, res);
    return;
  }
  // The key works only while its owner is a full admin of the workspace, as the vendor says.
  if (target.key !== DEMO_API_KEY) throw new SalescookieError(401, 'Unauthorized', 'Invalid API key');
  if (workspace.user(DEMO_USERS.admin.id)?.role !== 'FullAdmin') {
    throw new SalescookieError(403, 'Forbidden', 'Only full admins of the workspace can use the API');
  }
  const exchange: Exchange = {
    ...parts.context,
    method: entry.method,
    path: entry.path,
    query: url.searchParams,
    body: target.kind === 'rest' ? parseJsonBody(rawBody) : undefined,
  };
  const answer =
    target.kind === 'rest'
      ? restCall(target.name, exchange)
      : odataCall(target.name, `${parts.baseUrl()}/odata/${encodeURIComponent(target.key)}`, exchange);
  if (fault === 'lost-response') req.socket.destroy();
  else send(res, answer);
}

function injectFault(fault: FaultKind, req: IncomingMessage, res: ServerResponse): void {
  const status = FAULT_STATUS[fault];
  if (status) {
    if (fault === '429') res.setHeader('Retry-After', '1');
    const code = fault === '429' ? 'TooManyRequests' : 'ServerError';
    send(res, { status: status[0], json: new SalescookieError(status[0], code, status[1]).body() });
  } else if (fault === 'drop') {
    req.socket.destroy();
  } else if (fault === 'malformed') {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(TRUNCATED_JSON);
  }
  // 'timeout': no answer; the socket stays open until the client gives up or the sandbox closes.
}

function replyError(res: ServerResponse, error: unknown): void {
  if (res.headersSent || res.destroyed) return;
  let failure: SalescookieError;
  if (error instanceof SalescookieError) failure = error;
  // The shared body reader and JSON parser speak in the Visier sandbox's error type.
  else if (error instanceof StatusError) failure = new SalescookieError(error.status, error.code, error.message);
  else failure = new SalescookieError(500, 'Internal', 'An error has occurred.');
  send(res, { status: failure.status, json: failure.body() });
}
