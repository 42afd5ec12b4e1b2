// The request pipeline: log, rate limit, fault injection, authentication by `HTTP-X-PARTNER-AUTH`, routing.
// Faults are decided before the handler runs, so a faulted request never changes state; `lost-response` is
// carried out and then loses its answer.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Faults } from '../faults.js';
import type { FaultKind, RequestLogEntry } from '../handle.js';
import { header, parseJsonBody, readBody, send } from '../http-io.js';
import type { RateLimiter } from '../rate-limit.js';
import { StatusError } from '../status-error.js';
import { errorBody, newRequestId, SisenseStatusError } from './errors.js';
import { route } from './routes.js';
import type { SiteState } from './site-state.js';

export interface SisenseServices {
  sites: Map<string, SiteState>;
  /** Site name -> its API key. */
  keys: Map<string, string>;
  faults: Faults;
  limiter: RateLimiter;
  pageSize: number;
}

const AUTH_HEADER = 'HTTP-X-PARTNER-AUTH';

const FAULT_STATUS: Partial<Record<FaultKind, [number, string, string]>> = {
  '429': [429, 'rate_limited', 'Too many requests'],
  '500': [500, 'internal_error', 'An internal error occurred'],
  '502': [502, 'bad_gateway', 'Bad gateway'],
  '503': [503, 'unavailable', 'The service is temporarily unavailable'],
  '504': [504, 'gateway_timeout', 'Gateway timeout'],
};

/** What a `malformed` fault sends: the start of a plausible body, cut mid-string. */
const TRUNCATED_JSON = '{"users":[{"id":1,"email":"sandbox.adm';

export function createSisenseServer(services: SisenseServices, log: RequestLogEntry[]): Server {
  return createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://sandbox.invalid');
    const site = partnerAuth(req)?.site;
    const entry: RequestLogEntry = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      ...(site ? { tenant: site } : {}),
      status: 0,
      at: Date.now(),
    };
    log.push(entry);
    const requestId = newRequestId();
    res.setHeader('X-Request-Id', requestId);
    handle(services, req, res, url, entry)
      .catch((error: unknown) => replyError(res, error, requestId))
      .finally(() => {
        if (res.headersSent) entry.status = res.statusCode;
      });
  });
}

async function handle(
  services: SisenseServices,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  entry: RequestLogEntry,
): Promise<void> {
  const rawBody = await readBody(req);
  const rate = services.limiter.take(entry.tenant ?? 'anonymous');
  if (!rate.allowed) {
    res.setHeader('Retry-After', String(rate.retryAfter ?? 1));
    throw new SisenseStatusError(429, 'rate_limited', 'Too many requests');
  }
  const fault = services.faults.pick(entry.method, entry.path);
  const latency = services.faults.latencyMs;
  if (latency > 0) await new Promise((resolve) => setTimeout(resolve, latency).unref());
  if (fault) entry.fault = fault;
  if (fault && fault !== 'lost-response') return injectFault(fault, req, res);

  const site = authenticate(services, req);
  const reply = route({
    method: entry.method,
    path: entry.path,
    query: url.searchParams,
    email: header(req, 'HTTP-X-EMAIL'),
    body: parseBody(rawBody),
    site,
    pageSize: services.pageSize,
  });
  if (fault === 'lost-response') req.socket.destroy();
  else send(res, reply);
}

function partnerAuth(req: IncomingMessage): { site: string; apiKey: string } | undefined {
  const value = header(req, AUTH_HEADER);
  const colon = value?.indexOf(':') ?? -1;
  if (value === undefined || colon <= 0) return undefined;
  return { site: value.slice(0, colon).trim(), apiKey: value.slice(colon + 1).trim() };
}

/** One answer for an unknown site and a wrong key, so the API tells no one which site names exist. */
function authenticate(services: SisenseServices, req: IncomingMessage): SiteState {
  const auth = partnerAuth(req);
  if (!auth) throw new SisenseStatusError(401, 'unauthorized', `${AUTH_HEADER}: header must be <site>:<api-key>`);
  const site = services.sites.get(auth.site);
  if (!site || services.keys.get(auth.site) !== auth.apiKey) {
    throw new SisenseStatusError(401, 'unauthorized', 'Invalid site or API key');
  }
  if (!site.apiEnabled) {
    throw new SisenseStatusError(403, 'forbidden', 'The User and Group Management API is not enabled for this site');
  }
  return site;
}

function parseBody(raw: string): unknown {
  try {
    return parseJsonBody(raw);
  } catch (error) {
    if (error instanceof StatusError) throw new SisenseStatusError(400, 'invalid_request', 'body: not valid JSON');
    throw error;
  }
}

function injectFault(fault: FaultKind, req: IncomingMessage, res: ServerResponse): void {
  const status = FAULT_STATUS[fault];
  if (status) {
    if (fault === '429') res.setHeader('Retry-After', '1');
    const id = String(res.getHeader('X-Request-Id'));
    send(res, { status: status[0], json: errorBody(status[1], status[2], id) });
  } else if (fault === 'drop') {
    req.socket.destroy();
  } else if (fault === 'malformed') {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(TRUNCATED_JSON);
  }
  // 'timeout': no answer at all; the socket stays open until the client gives up or the sandbox closes.
}

function replyError(res: ServerResponse, error: unknown, requestId: string): void {
  if (res.headersSent || res.destroyed) return;
  const known =
    error instanceof SisenseStatusError
      ? error
      : error instanceof StatusError
        ? new SisenseStatusError(error.status, 'invalid_request', error.message)
        : new SisenseStatusError(500, 'internal_error', 'An internal error occurred');
  send(res, { status: known.status, json: errorBody(known.code, known.message, requestId) });
}
