import { PassThrough } from 'node:stream';
import {
  isJSONRPCRequest,
  type JSONRPCMessage,
  type McpServer,
  STDIO_DEFAULT_MAX_BUFFER_SIZE,
  type Transport,
} from '@modelcontextprotocol/server';
import { StdioServerTransport, serveStdio as serveBothEras } from '@modelcontextprotocol/server/stdio';
import type pino from 'pino';
import { onStdoutGone } from '../closed-output.js';
import { counted } from '../grammar.js';
import { checkMessage, errorResponse, frame } from './jsonrpc-shape.js';
import { answeringSchemaFailures } from './schema-failures.js';

/** How long an exiting server waits for answers still being worked on. */
const SHUTDOWN_GRACE_MS = 10_000;
/** How long closing the connection and the provider may take after that before the process exits anyway. */
const CLOSE_MS = 5_000;

/**
 * stdout belongs to JSON-RPC alone: anything a dependency prints with console.log goes to stderr instead.
 * Call before anything else can print.
 */
export function keepStdoutForProtocol(): void {
  console.log = console.error;
  console.info = console.error;
  console.debug = console.error;
}

/** Requests of one JSON-RPC batch still unanswered, and the answers gathered so far. */
interface OpenBatch {
  waiting: Set<string | number>;
  answers: JSONRPCMessage[];
}

/** Everything the line filter and the transport share about one stdio connection. */
interface Wire {
  /** Requests read but not yet answered: what an exiting server waits for. */
  pending: Set<string | number>;
  /** The version `initialize` settled on, reported by the SDK through `Transport.setProtocolVersion`. */
  version?: string;
  batches: OpenBatch[];
  write(value: unknown): void;
}

/**
 * The SDK's stdio transport, counting the requests read but not yet answered, learning the negotiated version,
 * and holding the answers to a batch's requests until the whole batch can be answered in one array.
 */
function connectionTransport(input: PassThrough, wire: Wire): Transport {
  const inner = new StdioServerTransport(input, process.stdout);
  return {
    start: () => inner.start(),
    close: () => inner.close(),
    setProtocolVersion: (version: string) => {
      wire.version = version;
    },
    send: async (message: JSONRPCMessage) => {
      const id = !('method' in message) && 'id' in message ? message.id : undefined;
      if (id !== undefined) wire.pending.delete(id);
      const batch = id === undefined ? undefined : wire.batches.find((b) => b.waiting.has(id));
      if (!batch || id === undefined) return inner.send(message);
      batch.waiting.delete(id);
      batch.answers.push(message);
      if (batch.waiting.size > 0) return;
      wire.batches.splice(wire.batches.indexOf(batch), 1);
      wire.write(batch.answers);
    },
    get onmessage() {
      return inner.onmessage;
    },
    set onmessage(receive) {
      inner.onmessage = (message: JSONRPCMessage) => {
        if ('method' in message && 'id' in message) wire.pending.add(message.id);
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
 * Reads stdin line by line and answers, itself, every line the SDK would drop in silence: text that is not
 * JSON (-32700), a value that is no JSON-RPC message (-32600), a batch where the negotiated version has none
 * (-32600, id null). Every other line goes on to the
 * SDK; a batch's elements go on one by one, and their answers leave together (see {@link connectionTransport}).
 */
function lineFilter(input: PassThrough, wire: Wire): (chunk: Buffer) => void {
  let buffered = '';
  const forward = (message: unknown) => input.write(`${JSON.stringify(message)}\n`);
  const serveLine = (line: string) => {
    if (line.trim() === '') return;
    const framed = frame(line, undefined, wire.version);
    if (framed.kind === 'refused') return wire.write(framed.error);
    if (framed.kind === 'message') return forward(framed.message);
    const batch: OpenBatch = { waiting: new Set(), answers: [] };
    const accepted: JSONRPCMessage[] = [];
    for (const element of framed.elements) {
      const checked = checkMessage(element);
      if (!checked.ok) batch.answers.push(checked.error);
      else if (isJSONRPCRequest(checked.message) && checked.message.method === 'initialize') {
        batch.answers.push(
          errorResponse(checked.message.id, -32600, 'Invalid Request: initialize must not be batched'),
        );
      } else {
        accepted.push(checked.message);
        if (isJSONRPCRequest(checked.message)) batch.waiting.add(checked.message.id);
      }
    }
    if (batch.waiting.size > 0) wire.batches.push(batch);
    else if (batch.answers.length > 0) wire.write(batch.answers);
    for (const message of accepted) forward(message);
  };
  return (chunk) => {
    buffered += chunk.toString('utf8');
    if (buffered.length > STDIO_DEFAULT_MAX_BUFFER_SIZE) {
      buffered = '';
      wire.write(
        errorResponse(
          null,
          -32600,
          `Invalid Request: a line longer than ${counted(STDIO_DEFAULT_MAX_BUFFER_SIZE, 'byte')}`,
        ),
      );
      return;
    }
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) serveLine(line.replace(/\r$/, ''));
  };
}

/**
 * Serves one MCP connection over stdin/stdout, in whichever era the client opens it (a 2025 `initialize`, or
 * a 2026-07-28 request or `server/discover`), and exits when the client goes away (stdin ends or stdout's reader
 * closes) or on SIGINT/SIGTERM (a second one exits at once), closed stderr or not. The SDK's transport stops
 * at stdin's end and drops requests still being answered; it reads a copy of stdin that ends only once those
 * answers are out, so a client that writes its last request and closes stdin still gets the answer. Every line
 * gets an answer, a malformed one included (see {@link lineFilter}).
 */
export async function serveStdio(
  createServer: () => McpServer,
  logger: pino.Logger,
  cleanup: () => Promise<void>,
): Promise<void> {
  const wire: Wire = {
    pending: new Set(),
    batches: [],
    write: (value) => process.stdout.write(`${JSON.stringify(value)}\n`),
  };
  const { pending } = wire;
  const input = new PassThrough();
  process.stdin.on('data', lineFilter(input, wire));
  let closing = false;
  const handle = serveBothEras(answeringSchemaFailures(createServer), {
    transport: connectionTransport(input, wire),
    onerror: (error) => logger.warn({ err: error }, 'MCP message refused or failed'),
  });
  // Exiting depends on nothing being written: stdout and stderr may both be closed pipes by now (see
  // closed-output.ts), and a second signal, or a close that never settles, still ends the process.
  const shutdown = (why: string) => {
    if (closing) {
      if (why === 'SIGINT' || why === 'SIGTERM') process.exit(0);
      return;
    }
    closing = true;
    setTimeout(() => process.exit(0), SHUTDOWN_GRACE_MS + CLOSE_MS).unref();
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
    logger.info({ why, pending: pending.size }, 'stdio server stopping');
  };
  onStdoutGone(() => shutdown('stdout closed'));
  process.stdin.on('end', () => shutdown('stdin ended'));
  process.stdin.on('close', () => shutdown('stdin closed'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  logger.info('stdio server ready');
}
