import type { McpServer } from '@modelcontextprotocol/server';
import type { Extra } from './server-context.js';

/** A tools/call request as it arrived, before any schema: every field may be missing or of any type. */
export interface RawCallRequest {
  params?: { name?: unknown; arguments?: unknown };
}
export type RawCallHandler = (request: RawCallRequest, extra: Extra) => Promise<unknown>;

/**
 * Puts `wrap` in front of McpServer's handler of `method`, ahead of the SDK's own request parsing: `wrap` sees the
 * request as it arrived and hands it on (changed or not) to `next`, and may amend what comes back. Call after
 * registering what installs that handler (tools, completable templates and prompts).
 */
export function aheadOfRequestParsing(
  server: McpServer,
  method: 'tools/call' | 'completion/complete',
  wrap: (request: RawCallRequest, extra: Extra, next: RawCallHandler) => Promise<unknown>,
): void {
  // The SDK has no public hook ahead of its request parsing: the map is Protocol's own registry of raw handlers,
  // each already wrapped by the SDK's parsing and result checks. Replacing the entry, not calling
  // setRequestHandler, keeps that wrapping single and sees the request as it arrived.
  const handlers = (server.server as unknown as { _requestHandlers?: Map<string, RawCallHandler> })._requestHandlers;
  const next = handlers?.get(method);
  if (handlers === undefined || next === undefined) {
    throw new Error(`${method} has no handler yet: register what serves it first`);
  }
  handlers.set(method, (request, extra) => wrap(request, extra, next));
}

/** aheadOfRequestParsing for tools/call, which every guarded call goes through. */
export const aheadOfToolsCallParsing = (
  server: McpServer,
  wrap: (request: RawCallRequest, extra: Extra, next: RawCallHandler) => Promise<unknown>,
) => aheadOfRequestParsing(server, 'tools/call', wrap);
