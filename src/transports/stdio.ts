import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import type pino from 'pino';

/** How long an exiting server waits for answers still being worked on. */
const SHUTDOWN_GRACE_MS = 10_000;

/**
 * stdout belongs to JSON-RPC alone: anything a dependency prints with console.log goes to stderr instead.
 * Call before anything else can print.
 */
export function keepStdoutForProtocol(): void {
  console.log = console.error;
  console.info = console.error;
  console.debug = console.error;
}

/**
 * Serves one MCP session over stdin/stdout and exits when the client goes away: the SDK does not watch
 * stdin's end, and desktop clients do not always send a signal, so orphaned servers would pile up.
 */
export async function serveStdio(server: McpServer, logger: pino.Logger, cleanup: () => Promise<void>): Promise<void> {
  const transport = new StdioServerTransport();
  // Requests read but not yet answered: a client that writes its last request and closes stdin still gets
  // the answer before the process exits.
  const pending = new Set<string | number>();
  let closing = false;
  const shutdown = (why: string) => {
    if (closing) return;
    closing = true;
    logger.info({ why, pending: pending.size }, 'stdio server stopping');
    void (async () => {
      try {
        const deadline = Date.now() + SHUTDOWN_GRACE_MS;
        while (pending.size > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
        await server.close();
        await cleanup();
      } catch (error) {
        logger.error({ err: error }, 'error while stopping');
      }
      process.exit(0);
    })();
  };
  process.stdin.on('end', () => shutdown('stdin ended'));
  process.stdin.on('close', () => shutdown('stdin closed'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  await server.connect(transport);
  const receive = transport.onmessage;
  transport.onmessage = (message: JSONRPCMessage) => {
    if ('method' in message && 'id' in message) pending.add(message.id);
    receive?.(message);
  };
  const send = transport.send.bind(transport);
  transport.send = async (message: JSONRPCMessage) => {
    await send(message);
    if (!('method' in message) && 'id' in message && message.id !== undefined) pending.delete(message.id);
  };
  logger.info('stdio server ready');
}
