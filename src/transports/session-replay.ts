import type {
  AuthInfo,
  JSONRPCMessage,
  RequestId,
  WebStandardStreamableHTTPServerTransport,
} from '@modelcontextprotocol/server';
import { isJSONRPCNotification, isJSONRPCRequest, isJSONRPCResponse } from '@modelcontextprotocol/server';
import type { SessionRecord } from '../shared-state/sessions.js';

// A 2025-era session another replica opened, served here: the SDK keeps what initialize said (the client's
// capabilities, its version) inside the server and the transport, with no public way to set it, so the recorded
// handshake is sent through the transport as the client sent it, and the answers are dropped (the client had them).

const REPLAY_URL = 'http://session-replay.invalid/mcp';
const POST_HEADERS = { accept: 'application/json, text/event-stream', 'content-type': 'application/json' };

async function post(
  transport: WebStandardStreamableHTTPServerTransport,
  message: JSONRPCMessage,
  auth: AuthInfo,
  headers: Record<string, string> = {},
): Promise<void> {
  const answer = await transport.handleRequest(
    new Request(REPLAY_URL, { method: 'POST', headers: { ...POST_HEADERS, ...headers } }),
    { parsedBody: message, authInfo: auth },
  );
  // Read to the end: the initialize answer's stream closes once the server has answered it.
  const text = await answer.text();
  if (!answer.ok)
    throw new Error(
      `replaying ${'method' in message ? message.method : 'a message'} failed (${answer.status}): ${text}`,
    );
}

/**
 * Makes a fresh transport (whose session id generator answers `id`) and its connected server the session `id`:
 * replays the recorded initialize, then notifications/initialized. Rejects when the server refuses either.
 */
export async function replayHandshake(
  transport: WebStandardStreamableHTTPServerTransport,
  id: string,
  record: SessionRecord,
  auth: AuthInfo,
): Promise<void> {
  await post(transport, { jsonrpc: '2.0', id: 0, method: 'initialize', params: record.initialize }, auth);
  await post(transport, { jsonrpc: '2.0', method: 'notifications/initialized' }, auth, {
    'mcp-session-id': id,
    ...(record.protocolVersion === undefined ? {} : { 'mcp-protocol-version': record.protocolVersion }),
  });
}

/** The request a `notifications/cancelled` names, when `message` is one. */
export function cancelledId(message: JSONRPCMessage): RequestId | undefined {
  if (!isJSONRPCNotification(message) || message.method !== 'notifications/cancelled') return undefined;
  const id = (message.params as { requestId?: unknown } | undefined)?.requestId;
  return typeof id === 'string' || typeof id === 'number' ? id : undefined;
}

/**
 * Server-to-client request ids made unique across replicas: every copy of a session numbers its requests from 0,
 * so the client's answer to "0" would fit two copies' elicitations. Each copy sends `<tag>:<id>` and takes the
 * answer back under its own id; an answer it did not ask for is another copy's.
 */
export class OutgoingRequests {
  /** Wire id → the server's own id, for requests the client has not answered. */
  private readonly waiting = new Map<string, RequestId>();

  constructor(private readonly tag: string) {}

  /** `message` as it leaves: a request or a cancellation of one under its wire id. */
  relabel(message: JSONRPCMessage): JSONRPCMessage {
    if (isJSONRPCRequest(message)) {
      const wire = `${this.tag}:${message.id}`;
      this.waiting.set(wire, message.id);
      return { ...message, id: wire };
    }
    const cancelled = cancelledId(message);
    if (cancelled === undefined) return message;
    const wire = `${this.tag}:${cancelled}`;
    this.waiting.delete(wire);
    return { ...message, params: { ...(message as { params: object }).params, requestId: wire } } as JSONRPCMessage;
  }

  /** The client's answer under the server's own id when this copy asked, once; undefined otherwise. */
  claim(message: JSONRPCMessage): JSONRPCMessage | undefined {
    if (!isJSONRPCResponse(message) || message.id === undefined) return undefined;
    const own = this.waiting.get(String(message.id));
    if (own === undefined) return undefined;
    this.waiting.delete(String(message.id));
    return { ...message, id: own };
  }
}
