import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type NodeMcpRequestHandler, toNodeHandler, toWebRequest } from '@modelcontextprotocol/node';
import {
  type AuthInfo,
  createMcpHandler,
  type InitializeRequest,
  isInitializeRequest,
  isJSONRPCRequest,
  isJSONRPCResponse,
  isLegacyRequest,
  type JSONRPCMessage,
  type McpServer,
  type RequestId,
  WebStandardStreamableHTTPServerTransport,
} from '@modelcontextprotocol/server';
import type pino from 'pino';
import { describeCall, type UnguardedCall } from '../audit-every-call.js';
import type { Person } from '../auth/person.js';
import type { ProtectedResource } from '../auth/protected-resource.js';
import { atLeast } from '../auth/scopes.js';
import { counted } from '../grammar.js';
import type { Mode } from '../guards/guard.js';
import { portInUse } from '../port-in-use.js';
import { PERSON_KEY, PRINCIPAL_KEY, SCOPE_MODE_KEY } from '../server-context.js';
import { storeDigest } from '../shared-state/digest.js';
import type { SessionRecord, SessionSignal, SharedSessions } from '../shared-state/sessions.js';
import { StoreUnavailableError } from '../shared-state/store.js';
import { frame, invalidInitialize } from './jsonrpc-shape.js';
import { isLoopback, LOOPBACK_HOSTS } from './loopback.js';
import { cancelledId, OutgoingRequests } from './outgoing-requests.js';
import { answeringSchemaFailures } from './schema-failures.js';
import { replayHandshake } from './session-replay.js';
import { defaultMaxPerPerson, type Room, roomFor } from './session-room.js';

export interface HttpOptions {
  host: string;
  port: number;
  /** Bearer token clients must send; required when binding a non-loopback address, unless `oauth` is given. */
  token?: string;
  /**
   * Serve /mcp as an OAuth 2.1 protected resource: every request needs an access token of the issuer for this
   * resource, the caller is the person it names, and the discovery documents are served. Not with `token`.
   */
  oauth?: ProtectedResource;
  /** Host names accepted besides loopback and the bind address (DNS-rebinding protection). */
  allowedHosts?: string[];
  /** Browser origins accepted besides loopback ones; requests without Origin are not from browsers. */
  allowedOrigins?: string[];
  /**
   * Sessions idle this long are closed. Idle: no request under way, and no request received and no message
   * sent (on any stream, the GET stream included) for this long.
   */
  sessionIdleMs: number;
  /**
   * Sessions at most on this replica. At this cap or her own (`maxSessionsPerPerson`), a newcomer closes her own
   * least recently active session with no request under way; with none, she is refused (503 with Retry-After),
   * never given another person's place (src/transports/session-room.ts).
   */
  maxSessions: number;
  /** Sessions at most of one person an OAuth token named. Default: a tenth of `maxSessions`, rounded up. */
  maxSessionsPerPerson?: number;
  /** Default 1 MiB. */
  maxBodyBytes?: number;
  /**
   * The approvals page, when approvers sign in (src/approvals/): served at `/approvals` and under it, past the
   * Host check but not the MCP Origin allowlist (the page checks its own origin) nor the bearer (it signs people in).
   */
  approvalsPage?: (req: IncomingMessage, res: ServerResponse) => void;
  logger: pino.Logger;
  /**
   * A fresh server per 2025-era session (McpServer holds one client's state) and per 2026-07-28 request
   * (that era is stateless).
   */
  createServer: () => McpServer;
  /**
   * A tools/call this transport answered with an HTTP error before any server saw it (the 2026-07-28 route's
   * header checks): handed over so that it leaves an audit line like every other call. `principal` is the caller,
   * `person` the one its OAuth token named.
   */
  onRefusedToolCall?: (call: UnguardedCall, principal: string, person?: Person) => void;
  /**
   * Whether this replica can serve: resolves when what replicas share answers, rejects with why not.
   * `/healthz/ready` answers 503 with the reason then; `/healthz` (liveness) stays 200 and says it too.
   */
  ready?: () => Promise<void>;
  /**
   * 2025-era sessions shared by the replicas (`--redis-url`): recorded when opened, served by any replica (it
   * replays the recorded handshake into a copy of its own), ended everywhere by DELETE; a client's answer to a
   * request another replica's copy sent is handed to that copy. Without it, a session lives in the process that
   * opened it.
   */
  sharedSessions?: SharedSessions;
  /** Milliseconds since the epoch; tests move it to make sessions idle. Default Date.now. */
  now?: () => number;
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
  transport: WebStandardStreamableHTTPServerTransport;
  /** The transport served to Node's request and response. */
  serve: (req: IncomingMessage, res: ServerResponse, body: unknown) => Promise<void>;
  server: McpServer;
  /** When a request last arrived or ended, or a message last left: what idleness is measured from. */
  lastActive: number;
  /** Requests being answered (the GET stream is no request); a session is never closed while one is. */
  busy: number;
  /** The protocol version its initialize settled on, reported by the SDK through `setProtocolVersion`. */
  version?: string;
  /**
   * Who opened it (a digest of the principal) and the mode their token's scopes granted: no other caller, and no
   * narrower token, may use it.
   */
  owner: SessionRecord['owner'];
  /** The client's requests this copy is answering: a cancellation naming one of them is this copy's to deliver. */
  running: Set<RequestId>;
  /** With shared sessions: this copy's requests to the client, under ids no other copy uses. */
  outgoing?: OutgoingRequests;
  /** With shared sessions: stops listening to what other replicas hand this session. */
  unlisten?: () => Promise<void>;
}

const DEFAULT_MAX_BODY = 1024 * 1024;
const SHUTDOWN_GRACE_MS = 10_000;
const HEALTH_CACHE_MS = 1_000;

/**
 * CORS for the Origins the server accepts (a browser client such as the Inspector's web UI): the request headers
 * of both eras (2026-07-28 adds Mcp-Method and Mcp-Name), and the session id readable by the page.
 */
const PREFLIGHT_HEADERS = {
  'access-control-allow-methods': 'GET, POST, DELETE, OPTIONS',
  'access-control-allow-headers':
    'Authorization, Content-Type, Accept, Mcp-Session-Id, MCP-Protocol-Version, Last-Event-ID, Mcp-Method, Mcp-Name',
  'access-control-max-age': '600',
};
const EXPOSED_HEADERS = 'Mcp-Session-Id, MCP-Protocol-Version, WWW-Authenticate';

/** Call only once the Origin is accepted: the answer names it, and varies with it. */
function allowCrossOrigin(req: IncomingMessage, res: ServerResponse): void {
  res.setHeader('vary', 'Origin');
  const { origin } = req.headers;
  if (origin === undefined) return;
  res.setHeader('access-control-allow-origin', origin);
  res.setHeader('access-control-expose-headers', EXPOSED_HEADERS);
}

function hostnameOf(hostHeader: string): string {
  try {
    return new URL(`http://${hostHeader}`).hostname;
  } catch {
    return '';
  }
}

function sendJson(res: ServerResponse, status: number, payload: unknown, headers = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(payload));
}

function sendJsonRpcError(res: ServerResponse, status: number, code: number, message: string, headers = {}): void {
  sendJson(res, status, { jsonrpc: '2.0', error: { code, message }, id: null }, headers);
}

/** Writes an answer the SDK's web-standard helpers built (challenges, discovery documents). */
async function sendWebResponse(res: ServerResponse, response: Response): Promise<void> {
  res.writeHead(response.status, Object.fromEntries(response.headers));
  res.end(Buffer.from(await response.arrayBuffer()));
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

/**
 * `serve` with the status line and headers sent as soon as they are written: Node holds them back until the first
 * body bytes, and a GET stream's first bytes may come a keep-alive later, while the client waits for the headers
 * to count the stream as open (and reports an abort if it closes before).
 */
function headersAtOnce(serve: NodeMcpRequestHandler) {
  return (req: IncomingMessage, res: ServerResponse, body: unknown) => {
    const writeHead = res.writeHead.bind(res) as (...args: unknown[]) => ServerResponse;
    Object.assign(res, {
      writeHead: (...args: unknown[]) => {
        const written = writeHead(...args);
        res.flushHeaders();
        return written;
      },
    });
    return serve(req, res, body);
  };
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

const principalOfAuth = (auth: AuthInfo) => String(auth.extra?.[PRINCIPAL_KEY]);
const scopeModeOfAuth = (auth: AuthInfo) => auth.extra?.[SCOPE_MODE_KEY] as Mode | undefined;

/** A session's owner as sessions keep it: the principal as a digest, so a shared record names nobody in clear. */
function ownerOf(auth: AuthInfo): SessionRecord['owner'] {
  const scopeMode = scopeModeOfAuth(auth);
  return { principal: storeDigest(principalOfAuth(auth)), ...(scopeMode === undefined ? {} : { scopeMode }) };
}

/** Why a newcomer got no session here: the 503's message and Retry-After. */
type NoRoom = Extract<Room, { kind: 'refused' }>;

const messagesOf = (body: unknown): JSONRPCMessage[] => (Array.isArray(body) ? body : [body]) as JSONRPCMessage[];

/** Messages a session copy may not hold the other end of: answers to its requests and cancellations of the client's. */
const handedOver = (message: JSONRPCMessage) => isJSONRPCResponse(message) || cancelledId(message) !== undefined;

export async function startHttp(options: HttpOptions): Promise<HttpHandle> {
  if (options.token !== undefined && options.oauth !== undefined) {
    throw new Error(
      'VISIER_MCP_HTTP_TOKEN and --oauth-issuer: choose one; with an issuer every caller is a person with their own token, and a shared bearer would name nobody',
    );
  }
  if (!isLoopback(options.host) && !options.token && !options.oauth) {
    throw new Error(
      `VISIER_MCP_HTTP_TOKEN: required when binding ${options.host}, a non-loopback address; set a bearer token, give --oauth-issuer, or bind 127.0.0.1`,
    );
  }
  const { logger } = options;
  const now = options.now ?? Date.now;
  const maxBody = options.maxBodyBytes ?? DEFAULT_MAX_BODY;
  const allowedHosts = new Set([...LOOPBACK_HOSTS, hostnameOf(options.host), ...(options.allowedHosts ?? [])]);
  const allowedOrigins = new Set(options.allowedOrigins ?? []);
  const tokenDigest = options.token ? digest(options.token) : undefined;
  const staticAuth = callerAuth(options.token);
  const sessions = new Map<string, Session>();
  const shared = options.sharedSessions;
  const idleMs = options.sessionIdleMs;
  // 2026-07-28 requests carry their version and capabilities in each request: the SDK's entry serves them
  // statelessly, one server per request. Everything else (the 2025 handshake and sessions, which elicitation
  // needs) stays on the session map below; `legacy: 'reject'` keeps the two routes from overlapping.
  const createServer = answeringSchemaFailures(options.createServer);
  const modernEntry = createMcpHandler(createServer, {
    legacy: 'reject',
    maxRequestBodySize: maxBody,
    onerror: (error) => logger.warn({ err: error }, 'MCP request refused or failed'),
  });
  const serveModern = toNodeHandler(modernEntry);
  /** Hands a tools/call the 2026-07-28 route refused before dispatch to the audit. */
  const reportRefusedCall = (body: unknown, auth: AuthInfo) => {
    if (options.onRefusedToolCall === undefined || typeof body !== 'object' || body === null) return;
    if ((body as { method?: unknown }).method !== 'tools/call') return;
    const call = describeCall(body, new Set());
    const person = auth.extra?.[PERSON_KEY] as Person | undefined;
    options.onRefusedToolCall({ ...call, reason: 'transport-refused' }, principalOfAuth(auth), person);
  };
  /** MCP POSTs being answered: what a graceful shutdown waits for (GET streams never end on their own). */
  let postsInFlight = 0;
  let stopping = false;
  /**
   * Whether the shared store answers, asked at most once a second however often probes come (each answer is a
   * round trip to the store). Undefined without a store: there is nothing to reach. Why it does not answer goes
   * to the log only: the answer is unauthenticated, and the store's error text names hosts and ports.
   */
  let lastHealth: { at: number; store: Promise<{ reachable: boolean; reason?: string } | undefined> } | undefined;
  const health = () => {
    if (lastHealth !== undefined && now() - lastHealth.at < HEALTH_CACHE_MS) return lastHealth.store;
    const store = (async () => {
      if (options.ready === undefined) return undefined;
      try {
        await options.ready();
        return { reachable: true };
      } catch (error) {
        logger.warn({ err: error }, 'health check: the shared store did not answer');
        return { reachable: false, reason: 'redis: down' };
      }
    })();
    lastHealth = { at: now(), store };
    return store;
  };

  const originAllowed = (origin: string | undefined) => {
    if (origin === undefined) return true;
    if (allowedOrigins.has(origin)) return true;
    try {
      return LOOPBACK_HOSTS.has(new URL(origin).hostname);
    } catch {
      return false;
    }
  };

  const staticAuthorized = (header: string | undefined) => {
    if (!tokenDigest) return true;
    const match = /^Bearer (.+)$/.exec(header ?? '');
    // Digests have equal length, so the comparison is constant-time whatever the client sent.
    return match?.[1] !== undefined && timingSafeEqual(digest(match[1]), tokenDigest);
  };

  /** The caller of a request: the verified OAuth token's, or the static bearer's (already checked) or loopback's. */
  const authenticate = async (header: string | undefined): Promise<AuthInfo | Response> =>
    options.oauth === undefined ? staticAuth : options.oauth.authenticate(header);

  /**
   * Whether a request may use a session: the same caller that opened it, with a token whose scopes grant at least
   * the mode the session was opened with (its tools/list answered for that mode).
   */
  const ownedBy = (owner: SessionRecord['owner'], auth: AuthInfo) => {
    if (owner.principal !== storeDigest(principalOfAuth(auth))) return false;
    const opened = owner.scopeMode;
    const mode = scopeModeOfAuth(auth);
    return opened === undefined || (mode !== undefined && atLeast(mode, opened));
  };

  const closeSession = async (id: string, why: string) => {
    const session = sessions.get(id);
    if (!session) return;
    sessions.delete(id);
    logger.info({ session: id, why }, 'closing MCP session');
    await session.unlisten?.();
    await session.transport.close().catch(() => {});
    await session.server.close().catch(() => {});
  };

  /** Sessions still initialising, by the digest of their principal: they join the map only once answered. */
  const initializing = new Map<string, number>();
  const startInitializing = (principal: string) => {
    initializing.set(principal, (initializing.get(principal) ?? 0) + 1);
  };
  const endInitializing = (principal: string) => {
    const left = (initializing.get(principal) ?? 1) - 1;
    if (left > 0) initializing.set(principal, left);
    else initializing.delete(principal);
  };
  const roomRules = {
    maxSessions: options.maxSessions,
    maxPerPerson: options.maxSessionsPerPerson ?? defaultMaxPerPerson(options.maxSessions),
    idleMs,
  };

  const reapIdle = () => {
    const cutoff = now() - options.sessionIdleMs;
    for (const [id, s] of sessions) if (s.busy === 0 && s.lastActive <= cutoff) void closeSession(id, 'idle');
  };

  /**
   * Room for a session of `auth`'s caller (whose principal digest is `principal`), closing an idle one of hers
   * when she is at a cap; the refusal to send when there is none.
   */
  const makeRoom = (principal: string, auth: AuthInfo): NoRoom | undefined => {
    reapIdle();
    const held = [...sessions].map(([id, s]) => ({
      id,
      principal: s.owner.principal,
      busy: s.busy,
      lastActive: s.lastActive,
    }));
    const room = roomFor(
      { principal, person: auth.extra?.[PERSON_KEY] !== undefined },
      held,
      { own: initializing.get(principal) ?? 0, total: [...initializing.values()].reduce((a, b) => a + b, 0) },
      roomRules,
      now(),
    );
    if (room.kind === 'refused') return room;
    if (room.kind === 'evict')
      void closeSession(room.id, "the caller's least recently active, making room for her new session");
    return undefined;
  };

  /** A session's copy on this replica, new or resumed: `id` is the session's id, `owner` whose it is. */
  const openSession = async (id: string, owner: SessionRecord['owner']): Promise<Session> => {
    const server = createServer();
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: () => id,
      onsessioninitialized: () => {
        sessions.set(id, created);
        logger.info({ session: id }, 'MCP session opened');
      },
    });
    const created: Session = {
      server,
      transport,
      serve: headersAtOnce(
        toNodeHandler(
          { fetch: (request, handling) => transport.handleRequest(request, handling) },
          { maxRequestBodySize: maxBody },
        ),
      ),
      lastActive: now(),
      busy: 0,
      owner,
      running: new Set(),
      ...(shared ? { outgoing: new OutgoingRequests(randomUUID().slice(0, 8)) } : {}),
    };
    transport.onclose = () => {
      if (sessions.get(id) === created) sessions.delete(id);
      void created.unlisten?.();
    };
    // Transport.setProtocolVersion is the SDK's hook for the version initialize settled on; the web-standard
    // transport leaves it out.
    Object.assign(transport, {
      setProtocolVersion: (version: string) => {
        created.version = version;
      },
    });
    const send = transport.send.bind(transport);
    transport.send = (message, sendOptions) => {
      created.lastActive = now();
      return send(created.outgoing ? created.outgoing.relabel(message) : message, sendOptions);
    };
    if (shared) created.unlisten = await shared.listen(id, (signal) => onSignal(id, created, signal));
    await server.connect(transport);
    return created;
  };

  /**
   * Hands `message` (an answer to a request to the client, or a cancellation of the client's) to this copy when it
   * is this copy's; false when it is not (another replica's, or nobody's).
   */
  const deliver = (session: Session, message: JSONRPCMessage): boolean => {
    const answer = session.outgoing?.claim(message);
    if (answer !== undefined) {
      session.transport.onmessage?.(answer);
      return true;
    }
    const cancelled = cancelledId(message);
    if (cancelled === undefined || !session.running.has(cancelled)) return false;
    session.transport.onmessage?.(message);
    // A cancelled request gets no answer, so the SDK never ends the stream it was posted on.
    session.transport.closeSSEStream(cancelled);
    return true;
  };

  const onSignal = (id: string, session: Session, signal: SessionSignal) => {
    if (signal.kind === 'ended') {
      if (sessions.get(id) === session) void closeSession(id, 'ended by DELETE on another replica');
      return;
    }
    // Published to every replica holding a copy: the one that asked takes it, once; the others let it pass.
    if (!deliver(session, signal.message)) logger.debug({ session: id }, 'a handed-over message was not for this copy');
  };

  /** Copies resumed from the shared store and not yet serving: a second request for one waits for the first. */
  const resuming = new Map<string, Promise<Session | NoRoom>>();

  /**
   * This replica's copy of shared session `id` for the caller of `auth`: resumed from its record (the recorded
   * handshake replayed), 'forbidden' when the caller does not own it, the refusal at a session cap, undefined when
   * the store knows no such session. Rejects with `StoreUnavailableError` when the store does not answer.
   */
  const sharedCopy = async (id: string, auth: AuthInfo): Promise<Session | 'forbidden' | NoRoom | undefined> => {
    const record = await (shared as SharedSessions).use(id, idleMs, now());
    if (record === undefined) return undefined;
    if (!ownedBy(record.owner, auth)) return 'forbidden';
    const pending = resuming.get(id);
    if (pending) return pending;
    const resumed = (async () => {
      const noRoom = makeRoom(record.owner.principal, auth);
      if (noRoom !== undefined) return noRoom;
      startInitializing(record.owner.principal);
      try {
        const copy = await openSession(id, record.owner);
        try {
          await replayHandshake(copy.transport, id, record, auth);
        } catch (error) {
          await closeSession(id, 'its recorded handshake was refused');
          throw error;
        }
        logger.info({ session: id }, 'MCP session resumed from the shared store');
        return copy;
      } finally {
        endInitializing(record.owner.principal);
      }
    })().finally(() => resuming.delete(id));
    resuming.set(id, resumed);
    return resumed;
  };

  /**
   * `session` (this replica's copy of `id`) while the store still knows it, its lifetime renewed; closed and
   * undefined once it does not (ended by DELETE elsewhere, or idled out on every replica). A store that does not
   * answer leaves the copy serving: what guards decide fails closed on its own.
   */
  const stillShared = async (id: string, session: Session): Promise<Session | undefined> => {
    try {
      if ((await (shared as SharedSessions).use(id, idleMs, now())) !== undefined) return session;
    } catch (error) {
      if (!(error instanceof StoreUnavailableError)) throw error;
      logger.warn({ err: error, session: id }, 'the shared session store did not answer; serving the copy held here');
      return session;
    }
    await closeSession(id, 'no longer in the shared store');
    return undefined;
  };

  /**
   * Runs `step`; when the shared store does not answer, answers 503 saying so (never 404, which would send every
   * client to initialize again while nothing is lost) and resolves 'answered'.
   */
  const answeringStoreDown = async <T>(res: ServerResponse, step: () => Promise<T>): Promise<T | 'answered'> => {
    try {
      return await step();
    } catch (error) {
      if (!(error instanceof StoreUnavailableError)) throw error;
      logger.warn({ err: error }, 'the shared session store did not answer');
      sendJsonRpcError(
        res,
        503,
        -32000,
        `Service unavailable (store-unavailable): the replicas' shared session store did not answer (${error.message}); retry, the session is kept`,
        { 'retry-after': '5' },
      );
      return 'answered';
    }
  };

  const sendForbidden = (res: ServerResponse) =>
    sendJsonRpcError(
      res,
      403,
      -32000,
      'Forbidden: this session belongs to another person, or was opened with wider scopes than this token has; initialize a session of your own',
    );

  const sendNoRoom = (res: ServerResponse, noRoom: NoRoom) =>
    sendJsonRpcError(res, 503, -32000, noRoom.message, { 'retry-after': String(noRoom.retryAfterSeconds) });

  /** Keeps the shared records of sessions in use here alive: the store forgets a session no replica uses. */
  const keepShared = () => {
    if (!shared) return;
    const cutoff = now() - idleMs;
    const inUse = [...sessions].filter(([, s]) => s.busy > 0 || s.lastActive > cutoff).map(([id]) => id);
    shared
      .keep(inUse, idleMs)
      .catch((error: unknown) => logger.warn({ err: error }, 'could not renew shared sessions'));
  };

  const serveMcp = async (
    req: IncomingMessage,
    res: ServerResponse,
    auth: AuthInfo,
    claim: { initializing?: string },
  ) => {
    const sessionId = req.headers['mcp-session-id'];
    const id = typeof sessionId === 'string' ? sessionId : undefined;
    let body: unknown;
    if (req.method === 'POST') {
      try {
        body = JSON.parse(await readBody(req, maxBody));
      } catch (error) {
        if (error instanceof BodyTooLarge) {
          sendJsonRpcError(res, 413, -32600, `Request body larger than ${counted(maxBody, 'byte')}`, {
            connection: 'close',
          });
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
      if (res.statusCode >= 400) reportRefusedCall(body, auth);
      return;
    }
    let session = id === undefined ? undefined : sessions.get(id);
    if (id !== undefined && session && shared) session = await stillShared(id, session);
    if (id !== undefined && !session && shared) {
      const found = await answeringStoreDown(res, () => sharedCopy(id, auth));
      if (found === 'answered') return;
      if (found === 'forbidden') {
        sendForbidden(res);
        return;
      }
      if (found !== undefined && 'kind' in found) {
        sendNoRoom(res, found);
        return;
      }
      session = found;
    }
    if (id !== undefined && !session) {
      sendJsonRpcError(
        res,
        404,
        -32001,
        shared
          ? 'Session not found (it ended or idled out); initialize a new one'
          : 'Session not found here (it ended, idled out, or another replica holds it: give the replicas --redis-url, or route by Mcp-Session-Id); initialize a new one',
      );
      return;
    }
    if (session && !ownedBy(session.owner, auth)) {
      sendForbidden(res);
      return;
    }
    if (session && req.method === 'POST') {
      // The SDK's session transport answers an empty batch with 202, a batch on any version, and a non-message
      // with -32700; JSON-RPC and the negotiated version say otherwise.
      const framed = frame(undefined, body, session.version);
      if (framed.kind === 'refused') {
        sendJson(res, 400, framed.error);
        return;
      }
    }
    let opened: { id: string; params: InitializeRequest['params'] } | undefined;
    if (!session) {
      const badInitialize = req.method === 'POST' ? invalidInitialize(body) : undefined;
      if (badInitialize) {
        sendJson(res, 400, badInitialize);
        return;
      }
      if (req.method !== 'POST' || !isInitializeRequest(body)) {
        sendJsonRpcError(res, 400, -32000, 'Bad request: no session id, and not an initialize request');
        return;
      }
      if (stopping) {
        sendJsonRpcError(res, 503, -32000, 'Server is shutting down');
        return;
      }
      const owner = ownerOf(auth);
      const noRoom = makeRoom(owner.principal, auth);
      if (noRoom !== undefined) {
        sendNoRoom(res, noRoom);
        return;
      }
      startInitializing(owner.principal);
      claim.initializing = owner.principal;
      opened = { id: randomUUID(), params: body.params };
      const { id: newId, params } = opened;
      const created = await answeringStoreDown(res, async () => {
        // Recorded before the client has the id: a session any replica may be asked for is one they all know.
        await shared?.save(newId, { owner, initialize: params, created: now(), lastActive: now() }, idleMs);
        return openSession(newId, owner);
      });
      if (created === 'answered') return;
      session = created;
    }
    const active = session;
    const servedId = id ?? (opened?.id as string);
    if (shared && req.method === 'POST') {
      const messages = messagesOf(body);
      const rest = messages.filter((message) => !handedOver(message));
      if (rest.length < messages.length) {
        const handed = await answeringStoreDown(res, async () => {
          for (const message of messages.filter(handedOver))
            if (!deliver(active, message)) await shared.publish(servedId, { kind: 'message', message });
        });
        if (handed === 'answered') return;
        active.lastActive = now();
        if (rest.length === 0) {
          res.writeHead(202).end();
          return;
        }
        body = Array.isArray(body) ? rest : rest[0];
      }
    }
    if (shared && req.method === 'DELETE') {
      if ((await answeringStoreDown(res, () => shared.remove(servedId))) === 'answered') return;
      // This copy ends with the DELETE below; the others are told to end theirs (and, told or not, no longer
      // find the session in the store).
      await active.unlisten?.();
      await shared
        .publish(servedId, { kind: 'ended' })
        .catch((error: unknown) => logger.warn({ err: error }, 'could not tell the other replicas a session ended'));
    }
    const answering = req.method !== 'GET';
    const requestIds =
      req.method === 'POST'
        ? messagesOf(body)
            .filter(isJSONRPCRequest)
            .map((m) => m.id)
        : [];
    active.lastActive = now();
    if (answering) active.busy++;
    for (const requestId of requestIds) active.running.add(requestId);
    if (req.method === 'POST') postsInFlight++;
    res.on('close', () => {
      if (answering) active.busy--;
      for (const requestId of requestIds) active.running.delete(requestId);
      active.lastActive = now();
      if (req.method === 'POST') postsInFlight--;
    });
    await active.serve(Object.assign(req, { auth }), res, body);
    if (shared && opened !== undefined && active.version !== undefined) {
      await shared
        .settle(opened.id, active.version)
        .catch((error: unknown) => logger.warn({ err: error }, "could not record the session's protocol version"));
    }
    // A cancelled request gets no answer (MCP cancellation), so the SDK never ends the stream it was posted on:
    // end it here, or the session stays busy for good (never reaped, never making room at the cap). With shared
    // sessions, `deliver` did.
    const cancelled = shared ? undefined : cancelledId(body as JSONRPCMessage);
    if (cancelled !== undefined) active.transport.closeSSEStream(cancelled);
  };

  const handleMcp = async (req: IncomingMessage, res: ServerResponse, auth: AuthInfo) => {
    const claim: { initializing?: string } = {};
    try {
      await serveMcp(req, res, auth, claim);
    } finally {
      if (claim.initializing !== undefined) endInitializing(claim.initializing);
    }
  };

  const http = createHttpServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const host = hostnameOf(req.headers.host ?? '');
    if (!allowedHosts.has(host)) {
      sendJsonRpcError(res, 403, -32000, 'Forbidden: Host not allowed');
      return;
    }
    if (options.approvalsPage && (url.pathname === '/approvals' || url.pathname.startsWith('/approvals/'))) {
      options.approvalsPage(req, res);
      return;
    }
    if (!originAllowed(req.headers.origin)) {
      sendJsonRpcError(res, 403, -32000, 'Forbidden: Origin not allowed');
      return;
    }
    allowCrossOrigin(req, res);
    const discovery = options.oauth?.metadataResponse(
      new Request(new URL(url.pathname, options.oauth.resource), { method: req.method ?? 'GET' }),
    );
    if (discovery !== undefined) {
      void sendWebResponse(res, discovery);
      return;
    }
    if (req.method === 'OPTIONS' && url.pathname === '/mcp') {
      // A browser's preflight carries no credentials, so it is answered before authorization.
      res.writeHead(204, PREFLIGHT_HEADERS);
      res.end();
      return;
    }
    if ((url.pathname === '/healthz' || url.pathname === '/healthz/ready') && req.method === 'GET') {
      void health().then((store) => {
        const ready = !stopping && store?.reachable !== false;
        res.writeHead(url.pathname === '/healthz' || ready ? 200 : 503, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            status: stopping ? 'stopping' : 'ok',
            ready,
            sessions: sessions.size,
            ...(store === undefined ? {} : { store }),
          }),
        );
      });
      return;
    }
    if (url.pathname !== '/mcp') {
      sendJsonRpcError(res, 404, -32000, 'Not found: the MCP endpoint is /mcp');
      return;
    }
    if (options.oauth === undefined && !staticAuthorized(req.headers.authorization)) {
      sendJsonRpcError(res, 401, -32000, 'Unauthorized: send Authorization: Bearer <token>', {
        'www-authenticate': 'Bearer realm="visier-admin-mcp"',
      });
      return;
    }
    authenticate(req.headers.authorization)
      .then(async (auth) => {
        if (auth instanceof Response) {
          await sendWebResponse(res, auth);
          return;
        }
        await handleMcp(req, res, auth);
      })
      .catch((error: unknown) => {
        logger.error({ err: error }, 'HTTP request failed');
        if (!res.headersSent) sendJsonRpcError(res, 500, -32603, 'Internal error');
      });
  });

  const sweep = setInterval(
    () => {
      reapIdle();
      keepShared();
    },
    Math.max(50, Math.min(options.sessionIdleMs / 2, 60_000)),
  );
  sweep.unref();

  await new Promise<void>((resolve, reject) => {
    http.once('error', (error: NodeJS.ErrnoException) => {
      clearInterval(sweep);
      reject(error.code === 'EADDRINUSE' ? new Error(portInUse(options.port, options.host)) : error);
    });
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
