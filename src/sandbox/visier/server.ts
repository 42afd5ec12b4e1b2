// The request pipeline: log, rate limit, fault injection, routing, authentication, tenant, handler.
// Faults are decided before the handler runs, so a faulted request never changes state; the one exception,
// `lost-response`, is carried out and then loses its answer.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { FaultKind, RequestLogEntry } from '../handle.js';
import { bearer, cookie, header, parseJsonBody, readBody, send } from '../http-io.js';
import type { RateLimiter } from '../rate-limit.js';
import type { RequestLog } from '../request-log.js';
import { StatusError, statusBody, unauthorized } from '../status-error.js';
import { type RequestContext, resolveTenant, type SandboxServices } from './context.js';
import { Router } from './router.js';
import { routes } from './routes/index.js';
import type { TenantState } from './tenant-state.js';

const FAULT_STATUS: Partial<Record<FaultKind, [number, string, string]>> = {
  '429': [429, 'TooManyRequests', 'API rate limit exceeded'],
  '500': [500, 'Internal', 'An internal error occurred'],
  '502': [502, 'BadGateway', 'Bad gateway'],
  '503': [503, 'Unavailable', 'The service is temporarily unavailable'],
  '504': [504, 'GatewayTimeout', 'Gateway timeout'],
};

/** What a `malformed` fault sends: the start of a plausible body, cut mid-string. */
const TRUNCATED_JSON = '{"users":[{"userId":"0d5a1c3e-7b2f-4e61-9a0d-5a7d00000001","username":"sandbox.adm';

const router = new Router(routes);

export function createSandboxServer(services: SandboxServices, limiter: RateLimiter, log: RequestLog): Server {
  const server = createServer((req, res) => {
    const entry = logEntry(req);
    log.add(entry);
    handle(req, res, entry)
      .catch((error: unknown) => replyError(res, error))
      // Recorded once the status line is written, before the client can see the response.
      .finally(() => {
        if (res.headersSent) entry.status = res.statusCode;
      });
  });

  function logEntry(req: IncomingMessage): RequestLogEntry {
    const url = new URL(req.url ?? '/', 'http://sandbox.invalid');
    const named = url.searchParams.get('tenantCode') ?? header(req, 'TargetTenantID');
    return {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      ...(named ? { tenant: named } : {}),
      status: 0,
      at: Date.now(),
    };
  }

  async function handle(req: IncomingMessage, res: ServerResponse, entry: RequestLogEntry): Promise<void> {
    const { method, path } = entry;
    const url = new URL(req.url ?? '/', 'http://sandbox.invalid');

    const rate = limiter.take(header(req, 'apikey') ?? 'anonymous');
    for (const [name, value] of Object.entries(rate.headers)) res.setHeader(name, value);
    const rawBody = await readBody(req);
    if (!rate.allowed) {
      res.setHeader('Retry-After', String(rate.retryAfter ?? 1));
      throw new StatusError(429, 'TooManyRequests', 'API rate limit exceeded');
    }

    const fault = services.faults.pick(method, path);
    const latency = services.faults.latencyMs;
    if (latency > 0) await new Promise((resolve) => setTimeout(resolve, latency).unref());
    if (fault) entry.fault = fault;
    if (fault && fault !== 'lost-response') {
      injectFault(fault, req, res);
      return;
    }

    const { route, params } = router.match(method, path);
    let actor = '';
    if (!route.public) {
      if (header(req, 'apikey') !== services.credentials.apiKey) throw unauthorized('Missing or invalid API key');
      const token = bearer(req) ?? cookie(req, 'VisierASIDToken');
      const holder = token ? services.tokens.holder(token) : undefined;
      if (!holder) throw unauthorized('Missing, invalid or expired session token');
      actor = holder;
    }
    const ctx: RequestContext = {
      req,
      method,
      path,
      query: url.searchParams,
      params,
      rawBody,
      body: route.public ? undefined : parseJsonBody(rawBody),
      tenant: inProject(resolveTenant(services, entry.tenant), route.projects ? header(req, 'ProjectID') : undefined),
      actor,
      services,
    };
    const reply = await route.handle(ctx);
    if (fault === 'lost-response') req.socket.destroy();
    else send(res, reply);
  }

  return server;
}

/** The tenant, or the project inside it a `ProjectID` header names (a 404 when it has no such project). */
function inProject(tenant: TenantState, projectId: string | undefined): TenantState {
  return projectId ? tenant.requireProject(projectId) : tenant;
}

function injectFault(fault: FaultKind, req: IncomingMessage, res: ServerResponse): void {
  const status = FAULT_STATUS[fault];
  if (status) {
    if (fault === '429') res.setHeader('Retry-After', '1');
    send(res, { status: status[0], json: statusBody(status[1], status[2], false) });
  } else if (fault === 'drop') {
    req.socket.destroy();
  } else if (fault === 'malformed') {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(TRUNCATED_JSON);
  }
  // 'timeout': no answer at all; the socket stays open until the client gives up or the sandbox closes.
}

function replyError(res: ServerResponse, error: unknown): void {
  if (res.headersSent || res.destroyed) return;
  const status = error instanceof StatusError ? error : new StatusError(500, 'Internal', 'An internal error occurred');
  send(res, { status: status.status, json: status.body() });
}
