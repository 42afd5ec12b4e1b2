import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer, type IncomingMessage, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SandboxHandle } from '../../src/sandbox/index.js';
import { CLI, ROOT } from '../e2e/build.js';

// Replicas as an operator runs them: `dist/cli.js --http` child processes, all pointed at one Visier (the
// sandbox) and one Redis, behind a round-robin proxy on loopback.

export interface Replica {
  /** Its own /mcp URL, to reach this replica alone. */
  url: string;
  child: ChildProcess;
  stderr: () => string;
  /** Its audit log. */
  audit: string;
}

/** The confirmation secret every replica is given (a flag in `flags` wins). */
export const REPLICAS_CONFIRM_SECRET = 'replicas-share-this-secret-0123456789';

/**
 * Starts one replica serving `sandbox` as its Visier tenant; `flags` are added to the command line, `env` to its
 * environment (secrets that have no flag).
 */
export async function startReplica(
  sandbox: SandboxHandle,
  flags: string[],
  env: Record<string, string> = {},
): Promise<Replica> {
  const audit = join(mkdtempSync(join(tmpdir(), 'vam-replica-')), 'audit.jsonl');
  const { apiKey, username, password } = sandbox.credentials;
  const child = spawn(process.execPath, [CLI, '--http', '--port', '0', '--audit-log', audit, ...flags], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: {
      PATH: process.env.PATH ?? '',
      VISIER_HOST: sandbox.url,
      VISIER_API_KEY: apiKey,
      VISIER_USERNAME: username,
      VISIER_PASSWORD: password,
      VISIER_TENANT_CODE: sandbox.tenants.primary,
      VISIER_MCP_LOG_LEVEL: 'warn',
      // One secret for every replica, as --redis-url requires.
      VISIER_MCP_CONFIRM_SECRET: REPLICAS_CONFIRM_SECRET,
      ...env,
    },
  });
  let stderr = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`replica exited (${code}): ${stderr}`)));
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
      // With --public-url the banner's first line names the public URL (the proxy's), and the next the replica's own.
      const banner = /Streamable HTTP at (http:\/\/127\.0\.0\.1:\d+\/mcp).*\n(?: {2}Listening on (\S+))?/.exec(stderr);
      if (banner !== null) resolve((banner[2] ?? banner[1]) as string);
    });
  });
  child.removeAllListeners('exit');
  return { url, child, stderr: () => stderr, audit };
}

/** Ends a replica: SIGKILL, as a crashed pod, unless told otherwise. */
export function stopReplica(replica: Replica, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  const { child } = replica;
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}

export interface Proxy {
  /** The proxy's /mcp URL. */
  url: string;
  /** How many requests each backend was sent, in backend order. */
  sent: number[];
  /** The backend the last request went to. */
  last(): number;
  /** Every request in arrival order: its method and the backend it went to. */
  history: { method: string; backend: number }[];
  /** Stops sending to a backend, as a load balancer does once its health check fails. */
  drop(index: number): void;
  close(): Promise<void>;
}

/** How a test's proxy listens and routes, beyond plain round robin. */
export interface ProxyOptions {
  /** Listen on this port (the replicas' public URL names it); 0 when absent. */
  port?: number;
  /**
   * Sends a request to this backend when it answers a number: a test choosing the replica a step lands on, as a
   * load balancer may by chance. Round robin when undefined.
   */
  pick?: (request: IncomingMessage) => number | undefined;
  /**
   * Passes the Host header on unchanged, as a load balancer in front of a public URL does (the replicas then
   * answer only to the proxy's host); else each backend sees its own.
   */
  keepHost?: boolean;
}

/** A round-robin load balancer: each request goes to the next backend, whole (streams included). */
export async function startProxy(backends: string[], options: ProxyOptions = {}): Promise<Proxy> {
  const sent = backends.map(() => 0);
  const history: Proxy['history'] = [];
  const dropped = new Set<number>();
  let next = 0;
  let last = -1;
  const server: Server = createServer((req, res) => {
    let index = options.pick?.(req) ?? next++ % backends.length;
    while (dropped.has(index)) index = next++ % backends.length;
    last = index;
    sent[index] = (sent[index] ?? 0) + 1;
    history.push({ method: req.method ?? '', backend: index });
    const target = new URL(req.url ?? '/', backends[index]);
    const upstream = request(
      target,
      { method: req.method, headers: { ...req.headers, host: options.keepHost ? req.headers.host : target.host } },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    sent,
    history,
    last: () => last,
    drop: (index) => {
      dropped.add(index);
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
