import { createSocket, type Socket } from 'node:dgram';
import { hostname } from 'node:os';
import { basename } from 'node:path';
import type pino from 'pino';
import type { Checkpoint } from './audit-checkpoint.js';

// Checkpoints sent off the machine, to a sink the operator names: whoever rewrites the log locally cannot
// also rewrite what the sink received, so `verify-audit --checkpoint` with the sink's last one exposes cut
// lines that a restored local checkpoint would hide. Sending never delays or fails a call.

/** One checkpoint as the sink receives it: the signed (lines, head, sig) and where it comes from. */
export interface AnchoredCheckpoint extends Checkpoint {
  type: 'visier-admin-mcp/audit-checkpoint';
  /** The log's file name (not its path) and the machine, to tell several servers apart. */
  log: string;
  host: string;
  /** Id of the signing key (keyId of `publicKey`). */
  key: string;
  /** The signing key's public half, SPKI DER in base64, so a log can be verified with the anchor alone. */
  publicKey: string;
  time: string;
}

export interface AuditAnchor {
  /** Queues `checkpoint`; returns at once. */
  send(checkpoint: Checkpoint & { key: string; publicKey: string }): void;
  /** Checkpoints sent, and sends that failed (each also logged), since start. */
  readonly stats: { sent: number; failed: number };
  /** Waits (at most `timeoutMs`) for the send under way, then stops. */
  close(): Promise<void>;
}

const TIMEOUT_MS = 5000;
// RFC 5424 PRI: facility 13 (log audit) * 8 + severity 5 (notice).
const SYSLOG_PRI = 13 * 8 + 5;

type Transport = (checkpoint: AnchoredCheckpoint) => Promise<void>;

function webhook(url: URL): Transport {
  return async (checkpoint) => {
    // Loaded on the first send, not at start-up: a server without an anchor never pays for undici.
    const { request } = await import('undici');
    const response = await request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(checkpoint),
      headersTimeout: TIMEOUT_MS,
      bodyTimeout: TIMEOUT_MS,
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    await response.body.dump();
    if (response.statusCode >= 300) throw new Error(`HTTP ${response.statusCode}`);
  };
}

function syslog(url: URL): { transport: Transport; socket: Socket } {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const socket = createSocket(host.includes(':') ? 'udp6' : 'udp4');
  // A datagram socket must not keep a stdio server alive once its client has gone.
  socket.unref();
  const port = Number(url.port || 514);
  const transport: Transport = (checkpoint) => {
    const message = `<${SYSLOG_PRI}>1 ${checkpoint.time} ${checkpoint.host} visier-admin-mcp ${process.pid} checkpoint - ${JSON.stringify(checkpoint)}`;
    return new Promise((resolve, reject) =>
      socket.send(message, port, host, (error) => (error ? reject(error) : resolve())),
    );
  };
  return { transport, socket };
}

/** The sink's address without credentials or query, fit for a log line. */
function describe(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname === '/' ? '' : url.pathname}`;
}

/**
 * An anchor for `url`: `http(s)://...` (POST of an AnchoredCheckpoint as JSON, undici, 5 s timeout, a non-2xx
 * answer counts as failed) or `syslog://host[:port]` (one RFC 5424 message over UDP, default port 514).
 * Checkpoints are cumulative, so while one is being sent only the newest waiting one is kept: a slow sink
 * gets fewer checkpoints, never an older one after a newer.
 */
export function createAuditAnchor(rawUrl: string, log: string, logger?: pino.Logger): AuditAnchor {
  const url = new URL(rawUrl);
  const sink = url.protocol === 'syslog:' ? syslog(url) : { transport: webhook(url), socket: undefined };
  const stats = { sent: 0, failed: 0 };
  const where = { log: basename(log), host: hostname() };
  let waiting: AnchoredCheckpoint | undefined;
  let running: Promise<void> | undefined;

  const pump = async () => {
    while (waiting !== undefined) {
      const next = waiting;
      waiting = undefined;
      try {
        await sink.transport(next);
        stats.sent++;
      } catch (error) {
        stats.failed++;
        logger?.warn(
          { anchor: describe(url), failures: stats.failed, lines: next.lines, err: (error as Error).message },
          'audit checkpoint not delivered to the anchor',
        );
      }
    }
    running = undefined;
  };

  return {
    stats,
    send(checkpoint) {
      waiting = {
        type: 'visier-admin-mcp/audit-checkpoint',
        ...where,
        ...checkpoint,
        time: new Date().toISOString(),
      };
      running ??= pump();
    },
    async close() {
      if (running !== undefined) {
        await Promise.race([running, new Promise((resolve) => setTimeout(resolve, TIMEOUT_MS).unref())]);
      }
      sink.socket?.close();
    },
  };
}
