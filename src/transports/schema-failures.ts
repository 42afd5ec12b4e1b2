import type { JSONRPCMessage, McpServer, StandardSchemaV1, Transport } from '@modelcontextprotocol/server';
import { describeIssues } from './jsonrpc-shape.js';

const INTERNAL_ERROR = -32603;
const INVALID_PARAMS = -32602;

/** The Zod issue list the SDK's dispatch puts in an error message, when that is what the message is. */
function issueList(message: string): StandardSchemaV1.Issue[] | undefined {
  if (!message.startsWith('[')) return;
  try {
    const parsed: unknown = JSON.parse(message);
    const issues = Array.isArray(parsed) && parsed.length > 0 ? parsed : [];
    const wellFormed = issues.every(
      (issue) =>
        typeof issue === 'object' &&
        issue !== null &&
        Array.isArray(issue.path) &&
        typeof issue.message === 'string' &&
        typeof issue.code === 'string',
    );
    return issues.length > 0 && wellFormed ? (issues as StandardSchemaV1.Issue[]) : undefined;
  } catch {
    return;
  }
}

function clarified(message: JSONRPCMessage): JSONRPCMessage {
  if (!('error' in message) || message.error.code !== INTERNAL_ERROR) return message;
  const issues = issueList(message.error.message);
  if (!issues) return message;
  return { ...message, error: { code: INVALID_PARAMS, message: `Invalid params: ${describeIssues(issues)}` } };
}

/**
 * Servers from `createServer` whose schema failures are answered as invalid params. The SDK v2 dispatch checks a
 * spec request's params against the spec schema and, when they break it, throws a plain Error whose message is
 * the Zod issue list; errors without a code become -32603, so a client that leaves out `protocolVersion`, a URI,
 * a prompt name, a log level or sends a numeric cursor is told the server failed, and is shown a schema dump.
 * Every transport a server connects to rewrites exactly those answers to -32602 naming each field and rule.
 */
export function answeringSchemaFailures(createServer: () => McpServer): () => McpServer {
  return () => {
    const server = createServer();
    const connect = server.connect.bind(server);
    server.connect = (transport: Transport) => {
      const send = transport.send.bind(transport);
      transport.send = (message, options) => send(clarified(message), options);
      return connect(transport);
    };
    return server;
  };
}
