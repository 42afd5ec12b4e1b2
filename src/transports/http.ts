import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { NodeStreamableHTTPServerTransport, toNodeHandler, toWebRequest } from '@modelcontextprotocol/node';
import {
  type AuthInfo,
  createMcpHandler,
  isInitializeRequest,
  isLegacyRequest,
  type McpServer,
} from '@modelcontextprotocol/server';
import type pino from 'pino';
import { PRINCIPAL_KEY } from '../server-context.js';

export interface HttpOptions {
  host: string;
  port: number;
  /** Bearer token clients must send; required when binding a non-loopback address. */
  token?: string;
  /** Host names accepted besides loopback and the bind address (DNS-rebinding protection). */
  allowedHosts?: string[];
  /** Browser origins accepted besides loopback ones; requests without Origin are not from browsers. */
  allowedOrigins?: string[];
  /** Sessions idle this long are closed. */
  sessionIdleMs: number;
  maxSessions: number;
  /** Default 1 MiB. */
  maxBodyBytes?: number;
  logger: pino.Logger;
  /**
   * A fresh server per 2025-era session (McpServer holds one client's state) and per 2026-07-28 request
   * (that era is stateless).
   */
  createServer: () => McpServer;
}

export interface HttpHandle {
  /** e.g. http://127.0.0.1:3333/mcp */
  url: string;
  port: number;
  sessionCount(): number;
  /** Stops accepting, lets in-flight calls finish, then closes every session. */
  close(): Promise<void>;
}

interface Session {
  transport: NodeStreamableHTTPServerTransport;
  server: McpServer;
  lastSeen: number;
  /** Open requests (POSTs and the GET stream); a session is never reaped under a live request. */
  open: number;
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);
const DEFAULT_MAX_BODY = 1024 * 1024;
const SHUTDOWN_GRACE_MS = 10_000;

export function isLoopback(host: string): boolean {
  return LOOPBACK_HOSTS.has(host) || /^127\.\d+\.\d+\.\d+$/.test(host);
}

function hostnameOf(hostHeader: string): string {
  try {
    return new URL(`http://${hostHeader}`).hostname;
  } catch {
    return '';
  }
}

function sendJsonRpcError(res: ServerResponse, status: number, code: number, message: string, headers = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id: null }));
}

const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * Who an authorized request comes from, as the guard counts budgets and binds tokens: a digest of the bearer
 * (never the bearer itself), or, with no bearer configured, the one loopback caller every local client is.
 * Handed to the SDK as the request's AuthInfo, which it passes to the tool call.
 */
function callerAuth(token: string | undefined): AuthInfo {
  const principal = token ? `bearer:${digest(token).toString('hex').slice(0, 16)}` : 'http-loopback';
  return { token: principal, clientId: principal, scopes: [], extra: { [PRINCIPAL_KEY]: principal } };
}

class BodyTooLarge extends Error {}

async function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) throw new BodyTooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new BodyTooLarge();
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export async function startHttp(options: HttpOptions): Promise<HttpHandle> {
  if (!isLoopback(options.host) && !options.token) {
    throw new Error(
      `VISIER_MCP_HTTP_TOKEN: required when binding ${options.host}, a non-loopback address; set a bearer token or bind 127.0.0.1`,
    );
  }
  const { logger } = options;
  const maxBody = options.maxBodyBytes ?? DEFAULT_MAX_BODY;
  const allowedHosts = new Set([...LOOPBACK_HOSTS, hostnameOf(options.host), ...(options.allowedHosts ?? [])]);
  const allowedOrigins = new Set(options.allowedOrigins ?? []);
  const tokenDigest = options.token ? digest(options.token) : undefined;
  const auth = callerAuth(options.token);
  const sessions = new Map<string, Session>();
  // 2026-07-28 requests carry their version and capabilities in each request: the SDK's entry serves them
  // statelessly, one server per request. Everything else (the 2025 handshake and sessions, which elicitation
  // needs) stays on the session map below; `legacy: 'reject'` keeps the two routes from overlapping.
  const modernEntry = createMcpHandler(options.createServer, {
    legacy: 'reject',
    maxRequestBodySize: maxBody,
    onerror: (error) => logger.warn({ err: error }, 'MCP request refused or failed'),
  });
  const serveModern = toNodeHandler(modernEntry);
  /** MCP POSTs being answered: what a graceful shutdown waits for (GET streams never end on their own). */
  let postsInFlight = 0;
  let stopping = false;

  const originAllowed = (origin: string | undefined) => {
    if (origin === undefined) return true;
    if (allowedOrigins.has(origin)) return true;
    try {
      return LOOPBACK_HOSTS.has(new URL(origin).hostname);
    } catch {
      return false;
    }
  };

  const authorized = (header: string | undefined) => {
    if (!tokenDigest) return true;
    const match = /^Bearer (.+)$/.exec(header ?? '');
    // Digests have equal length, so the comparison is constant-time whatever the client sent.
    return match?.[1] !== undefined && timingSafeEqual(digest(match[1]), tokenDigest);
  };

  const closeSession = async (id: string, why: string) => {
    const session = sessions.get(id);
    if (!session) return;
    sessions.delete(id);
    logger.info({ session: id, why }, 'closing MCP session');
    await session.transport.close().catch(() => {});
    await session.server.close().catch(() => {});
  };

  let initializing = 0;

  const serveMcp = async (req: IncomingMessage, res: ServerResponse, claim: { initializing: boolean }) => {
    const sessionId = req.headers['mcp-session-id'];
    const id = typeof sessionId === 'string' ? sessionId : undefined;
    let body: unknown;
    if (req.method === 'POST') {
      try {
        body = JSON.parse(await readBody(req, maxBody));
      } catch (error) {
        if (error instanceof BodyTooLarge) {
          sendJsonRpcError(res, 413, -32600, `Request body larger than ${maxBody} bytes`, { connection: 'close' });
          req.resume();
          return;
        }
        sendJsonRpcError(res, 400, -32700, 'Parse error: body is not JSON');
        return;
      }
    }
    if (req.method === 'POST' && id === undefined && !(await isLegacyRequest(await toWebRequest(req, body), body))) {
      postsInFlight++;
      res.on('close', () => postsInFlight--);
      await serveModern(Object.assign(req, { auth }), res, body);
      return;
    }
    let session = id === undefined ? undefined : sessions.get(id);
    if (id !== undefined && !session) {
      sendJsonRpcError(res, 404, -32001, 'Session not found; initialize a new one');
      return;
    }
    if (!session) {
      if (req.method !== 'POST' || !isInitializeRequest(body)) {
        sendJsonRpcError(res, 400, -32000, 'Bad request: no session id, and not an initialize request');
        return;
      }
      if (stopping) {
        sendJsonRpcError(res, 503, -32000, 'Server is shutting down');
        return;
      }
      // Sessions still initialising count too: they join the map only once their initialize is answered.
      if (sessions.size + initializing >= options.maxSessions) {
        sendJsonRpcError(res, 503, -32000, `Too many sessions (max ${options.maxSessions}); retry later`, {
          'retry-after': '60',
        });
        return;
      }
      initializing++;
      claim.initializing = true;
      const server = options.createServer();
      const created: Session = {
        server,
        lastSeen: Date.now(),
        open: 0,
        transport: new NodeStreamableHTTPServerTransport({
          sessionIdGenerator: randomUUID,
          onsessioninitialized: (newId) => {
            sessions.set(newId, created);
            logger.info({ session: newId }, 'MCP session opened');
          },
        }),
      };
      created.transport.onclose = () => {
        const sid = created.transport.sessionId;
        if (sid) sessions.delete(sid);
      };
      await server.connect(created.transport);
      session = created;
    }
    const active = session;
    active.lastSeen = Date.now();
    active.open++;
    if (req.method === 'POST') postsInFlight++;
    res.on('close', () => {
      active.open--;
      active.lastSeen = Date.now();
      if (req.method === 'POST') postsInFlight--;
    });
    await active.transport.handleRequest(Object.assign(req, { auth }), res, body);
  };

  const handleMcp = async (req: IncomingMessage, res: ServerResponse) => {
    const claim = { initializing: false };
    try {
      await serveMcp(req, res, claim);
    } finally {
      if (claim.initializing) initializing--;
    }
  };

  const http = createHttpServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const host = hostnameOf(req.headers.host ?? '');
    if (!allowedHosts.has(host)) {
      sendJsonRpcError(res, 403, -32000, 'Forbidden: Host not allowed');
      return;
    }
    if (!originAllowed(req.headers.origin)) {
      sendJsonRpcError(res, 403, -32000, 'Forbidden: Origin not allowed');
      return;
    }
    if (url.pathname === '/healthz' && req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: stopping ? 'stopping' : 'ok', sessions: sessions.size }));
      return;
    }
    if (url.pathname !== '/mcp') {
      sendJsonRpcError(res, 404, -32000, 'Not found: the MCP endpoint is /mcp');
      return;
    }
    if (!authorized(req.headers.authorization)) {
      sendJsonRpcError(res, 401, -32000, 'Unauthorized: send Authorization: Bearer <token>', {
        'www-authenticate': 'Bearer realm="visier-admin-mcp"',
      });
      return;
    }
    handleMcp(req, res).catch((error: unknown) => {
      logger.error({ err: error }, 'HTTP request failed');
      if (!res.headersSent) sendJsonRpcError(res, 500, -32603, 'Internal error');
    });
  });

  const sweep = setInterval(
    () => {
      const cutoff = Date.now() - options.sessionIdleMs;
      for (const [id, s] of sessions) if (s.open === 0 && s.lastSeen < cutoff) void closeSession(id, 'idle');
    },
    Math.max(50, Math.min(options.sessionIdleMs / 2, 60_000)),
  );
  sweep.unref();

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.port, options.host, () => resolve());
  });
  const { port } = http.address() as AddressInfo;
  const shownHost = options.host.includes(':') ? `[${options.host}]` : options.host;

  return {
    url: `http://${shownHost}:${port}/mcp`,
    port,
    sessionCount: () => sessions.size,
    close: async () => {
      stopping = true;
      clearInterval(sweep);
      const closed = new Promise<void>((resolve) => http.close(() => resolve()));
      http.closeIdleConnections();
      const deadline = Date.now() + SHUTDOWN_GRACE_MS;
      while (postsInFlight > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 25));
      await Promise.all([...sessions.keys()].map((id) => closeSession(id, 'shutdown')));
      await modernEntry.close();
      http.closeAllConnections();
      await closed;
    },
  };
}
