import type { McpServer } from '@modelcontextprotocol/server';
import { aheadOfToolsCallParsing } from './raw-tools-call.js';
import type { Extra } from './server-context.js';

/** What an audit line can say about a call the SDK answered without any tool's guard. */
export interface UnguardedCall {
  /** The tool name as sent, or, when it is not a string, what was sent instead (e.g. `(number)`). */
  tool: string;
  /** The arguments as sent; anything but an object is kept under `(arguments)`. */
  args: Record<string, unknown>;
  /**
   * unknown-tool, invalid-arguments (the tool's input schema refused them), invalid-request (malformed params)
   * or transport-refused (the HTTP layer answered it with an error before any server saw it).
   */
  reason: 'unknown-tool' | 'invalid-arguments' | 'invalid-request' | 'transport-refused';
  /** The JSON-RPC id, when the request carried a usable one. */
  requestId?: string | number;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

const typeName = (value: unknown) => (value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value);

/** Reads a tools/call request as it arrived, before any schema: every field may be missing or of any type. */
export function describeCall(request: unknown, tools: ReadonlySet<string>): UnguardedCall {
  const params = isObject(request) ? request.params : undefined;
  const name = isObject(params) ? params.name : undefined;
  const args = isObject(params) ? params.arguments : undefined;
  const wellFormed = typeof name === 'string' && (args === undefined || isObject(args));
  const id = isObject(request) ? request.id : undefined;
  return {
    ...(typeof id === 'string' || typeof id === 'number' ? { requestId: id } : {}),
    tool: typeof name === 'string' ? name : `(${name === undefined ? 'no name' : typeName(name)})`,
    args: isObject(args) ? args : args === undefined ? {} : { '(arguments)': args },
    reason: !wellFormed ? 'invalid-request' : tools.has(name) ? 'invalid-arguments' : 'unknown-tool',
  };
}

/**
 * McpServer answers a call to an unknown tool, with arguments its input schema refuses, or with params that
 * are not a tools/call at all (name not a string, arguments not an object, no params), by itself, before any
 * tool callback runs. Wraps its raw tools/call handler, ahead of the SDK's own request parsing, so that every
 * such call is also handed to `refused` (to be audited) while the answer, result or error, stays exactly the
 * SDK's. Returns the mark every tool callback sets on its `extra` to say the guard saw the call. Call after
 * registering the tools named in `tools`.
 */
export function auditCallsTheSdkAnswers(
  server: McpServer,
  tools: ReadonlySet<string>,
  refused: (call: UnguardedCall, extra: Extra) => void,
): (extra: Extra) => void {
  const reached = new WeakSet<Extra>();
  aheadOfToolsCallParsing(server, async (request, extra, next) => {
    try {
      return await next(request, extra);
    } finally {
      if (!reached.has(extra)) refused(describeCall(request, tools), extra);
    }
  });
  return (extra) => reached.add(extra);
}
