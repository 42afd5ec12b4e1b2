import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { CallToolRequestSchema, type ServerResult } from '@modelcontextprotocol/sdk/types.js';
import type { Extra } from './server-context.js';

type RawHandler = (request: unknown, extra: Extra) => Promise<ServerResult>;

/**
 * McpServer answers a call to an unknown tool, or with arguments its input schema refuses, by itself, before
 * any tool callback runs. Wraps its tools/call handler so that such a call is also handed to `refused` (to be
 * audited) while the answer stays exactly the SDK's. Returns the mark every tool callback sets on its `extra`
 * to say the guard saw the call. Call after registering the tools named in `tools`.
 */
export function auditCallsTheSdkAnswers(
  server: McpServer,
  tools: ReadonlySet<string>,
  refused: (tool: string, args: Record<string, unknown>, extra: Extra, reason: string) => void,
): (extra: Extra) => void {
  // SDK 1.x has no public getter for an installed handler; the map is Protocol's own registry of them.
  const handlers = (server.server as unknown as { _requestHandlers?: Map<string, RawHandler> })._requestHandlers;
  const sdk = handlers?.get(CallToolRequestSchema.shape.method.value);
  if (sdk === undefined) throw new Error('tools/call has no handler yet: register the tools first');
  const reached = new WeakSet<Extra>();
  server.server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
    const result = await sdk(request, extra);
    if (!reached.has(extra)) {
      const { name, arguments: args = {} } = request.params;
      refused(name, args, extra, tools.has(name) ? 'invalid-arguments' : 'unknown-tool');
    }
    return result;
  });
  return (extra) => reached.add(extra);
}
