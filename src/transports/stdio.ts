import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type pino from 'pino';

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
  let closing = false;
  const shutdown = (why: string) => {
    if (closing) return;
    closing = true;
    logger.info({ why }, 'stdio server stopping');
    void (async () => {
      try {
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
  logger.info('stdio server ready');
}
