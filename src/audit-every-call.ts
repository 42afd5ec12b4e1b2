import type { McpServer } from '@modelcontextprotocol/server';
import type { Extra } from './server-context.js';

interface CallRequest {
  params?: { name?: unknown; arguments?: unknown };
}
type RawHandler = (request: CallRequest, extra: Extra) => Promise<unknown>;

/**
 * McpServer answers a call to an unknown tool, or with arguments its input schema refuses, by itself, before
 * any tool callback runs. Wraps its tools/call handler so that such a call is also handed to `refused` (to be
 * audited) while the answer stays exactly the SDK's (a result or a thrown protocol error). Returns the mark
 * every tool callback sets on its `extra` to say the guard saw the call. Call after registering the tools
 * named in `tools`.
 */
export function auditCallsTheSdkAnswers(
  server: McpServer,
  tools: ReadonlySet<string>,
  refused: (tool: string, args: Record<string, unknown>, extra: Extra, reason: string) => void,
): (extra: Extra) => void {
  // The SDK has no public way to decorate an installed handler; the map is Protocol's own registry of them,
  // holding each handler already wrapped by the SDK's result checks. Replacing the entry, not calling
  // setRequestHandler, keeps that wrapping single.
  const handlers = (server.server as unknown as { _requestHandlers?: Map<string, RawHandler> })._requestHandlers;
  const sdk = handlers?.get('tools/call');
  if (handlers === undefined || sdk === undefined) {
    throw new Error('tools/call has no handler yet: register the tools first');
  }
  const reached = new WeakSet<Extra>();
  const audit = (request: CallRequest, extra: Extra) => {
    if (reached.has(extra)) return;
    const name = String(request.params?.name ?? '');
    const raw = request.params?.arguments;
    const args = raw !== null && typeof raw === 'object' ? (raw as Record<string, unknown>) : {};
    refused(name, args, extra, tools.has(name) ? 'invalid-arguments' : 'unknown-tool');
  };
  handlers.set('tools/call', async (request, extra) => {
    try {
      const result = await sdk(request, extra);
      audit(request, extra);
      return result;
    } catch (error) {
      audit(request, extra);
      throw error;
    }
  });
  return (extra) => reached.add(extra);
}
