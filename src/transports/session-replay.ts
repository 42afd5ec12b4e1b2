import type { AuthInfo, JSONRPCMessage, WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/server';
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
