import { PassThrough } from 'node:stream';
import type { JSONRPCMessage, McpServer, Transport } from '@modelcontextprotocol/server';
import { StdioServerTransport, serveStdio as serveBothEras } from '@modelcontextprotocol/server/stdio';
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

/** The SDK's stdio transport, counting the requests read but not yet answered. */
function countingTransport(input: PassThrough, pending: Set<string | number>): Transport {
  const inner = new StdioServerTransport(input, process.stdout);
  return {
    start: () => inner.start(),
    close: () => inner.close(),
    send: async (message: JSONRPCMessage) => {
      await inner.send(message);
      if (!('method' in message) && 'id' in message && message.id !== undefined) pending.delete(message.id);
    },
    get onmessage() {
      return inner.onmessage;
    },
    set onmessage(receive) {
      inner.onmessage = (message: JSONRPCMessage) => {
        if ('method' in message && 'id' in message) pending.add(message.id);
        receive?.(message);
      };
    },
    get onclose() {
      return inner.onclose;
    },
    set onclose(handler) {
      inner.onclose = handler;
    },
    get onerror() {
      return inner.onerror;
    },
    set onerror(handler) {
      inner.onerror = handler;
    },
  };
}

/**
 * Serves one MCP connection over stdin/stdout, in whichever era the client opens it (a 2025 `initialize`, or
 * a 2026-07-28 request or `server/discover`), and exits when the client goes away. The SDK's transport stops
 * at stdin's end and drops requests still being answered; it reads a copy of stdin that ends only once those
 * answers are out, so a client that writes its last request and closes stdin still gets the answer.
 */
export async function serveStdio(
  createServer: () => McpServer,
  logger: pino.Logger,
  cleanup: () => Promise<void>,
): Promise<void> {
  const pending = new Set<string | number>();
  const input = new PassThrough();
  process.stdin.pipe(input, { end: false });
  let closing = false;
  const handle = serveBothEras(createServer, {
    transport: countingTransport(input, pending),
    onerror: (error) => logger.warn({ err: error }, 'MCP message refused or failed'),
  });
  const shutdown = (why: string) => {
    if (closing) return;
    closing = true;
    logger.info({ why, pending: pending.size }, 'stdio server stopping');
    void (async () => {
      try {
        const deadline = Date.now() + SHUTDOWN_GRACE_MS;
        while (pending.size > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
        await handle.close();
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
  logger.info('stdio server ready');
}
