import {
  isJSONRPCNotification,
  isJSONRPCRequest,
  isJSONRPCResponse,
  type JSONRPCMessage,
  type RequestId,
} from '@modelcontextprotocol/server';

// Requests between a client and the several copies of its 2025-era session (one per replica serving it): which
// copy an answer or a cancellation belongs to.

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
