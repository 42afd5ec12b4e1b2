#!/usr/bin/env node
import { hostname } from 'node:os';
import pino from 'pino';
import { tolerateClosedOutput } from './closed-output.js';
import { COMMANDS, commandOf } from './commands.js';
import { type Config, ConfigError, loadConfig, sandboxReason } from './config.js';
import { EXIT } from './exit-codes.js';
import { portInUse } from './port-in-use.js';
import { startRuntime } from './runtime.js';
import { keepStdoutForProtocol, serveStdio } from './transports/stdio.js';

// Before anything can print: in stdio mode stdout carries JSON-RPC only, and a reader that goes away ends
// nothing with a stack trace.
keepStdoutForProtocol();
tolerateClosedOutput();

/** Bind addresses meaning every interface: a client connects to this machine's name or address instead. */
const WILDCARD_HOSTS: ReadonlySet<string> = new Set(['0.0.0.0', '::', '[::]']);
/** What a client sends where the server wants a bearer token; the token itself is never printed. */
const BEARER_PLACEHOLDER = 'Bearer $VISIER_MCP_HTTP_TOKEN';

/**
 * How to connect, for `npm start`: the URL, an Inspector command and a client config that work as printed
 * (the Authorization header when a token is required, a host name clients can reach), and which clients take
 * that config.
 */
function httpBanner(boundUrl: string, config: Config): string {
  const url = new URL(boundUrl);
  const wildcard = WILDCARD_HOSTS.has(config.host);
  if (wildcard) url.hostname = hostname();
  // Behind a proxy or load balancer the public URL is the one clients can reach; the bound one may be a pod's.
  const reach = config.publicUrl === undefined ? url : new URL(`${config.publicUrl.replace(/\/$/, '')}/mcp`);
  const header = config.httpToken === undefined ? undefined : BEARER_PLACEHOLDER;
  const entry = { type: 'http', url: reach.href, ...(header ? { headers: { Authorization: header } } : {}) };
  const { mode } = config;
  return [
    `visier-admin-mcp: Streamable HTTP at ${reach.href}${config.sandbox ? ' (sandbox tenant: demo data)' : ''}`,
    ...(reach === url ? [] : [`  Listening on ${boundUrl} (the public URL's proxy forwards to it)`]),
    ...(wildcard && reach === url
      ? [
          `  Bound to ${config.host} (every interface): ${hostname()} is accepted; add any other name or address clients use to --allowed-hosts`,
        ]
      : []),
    `  Mode: ${mode}${mode === 'full' ? '' : ' (--mode user-writes or --mode full allows changes, each still guarded)'}`,
    ...(config.oauthIssuer === undefined
      ? []
      : [
          `  OAuth: access tokens of ${config.oauthIssuer} for ${config.publicUrl?.replace(/\/$/, '')}/mcp; each token's scopes narrow the mode (visier-admin:read, :write, :admin)`,
        ]),
    `  Inspector: npx @modelcontextprotocol/inspector --cli ${reach.href} --method tools/list${header ? ` --header "Authorization: ${header}"` : ''}`,
    `  Client config (VS Code, Cursor and other clients taking type http; Claude Desktop's config file takes stdio servers only): ${JSON.stringify({ mcpServers: { visier: entry } })}`,
    ...(header
      ? [
          '  In the client config, put the token in place of $VISIER_MCP_HTTP_TOKEN; the Inspector reads it from your shell.',
        ]
      : []),
  ].join('\n');
}

/** The OAuth protected resource when an issuer is configured: its metadata is discovered before listening. */
async function protectedResourceOf(config: Config) {
  if (config.oauthIssuer === undefined) return undefined;
  const { configuredResource } = await import('./auth/protected-resource.js');
  return configuredResource(config);
}

async function main(argv: string[]): Promise<number | undefined> {
  const command = commandOf(argv);
  if (command !== undefined) return COMMANDS[command].run(command === argv[0] ? argv.slice(1) : argv);
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig(argv, process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`visier-admin-mcp: ${error.message}\n`);
      return EXIT.usage;
    }
    throw error;
  }
  // Demo data must never pass for a tenant's: said on stderr in every transport, stdio included.
  if (config.sandbox) {
    process.stderr.write(
      `visier-admin-mcp: serving the built-in SANDBOX tenant (demo data, not Visier): ${sandboxReason(config)}\n`,
    );
  }
  // Synchronous: an asynchronous destination flushes at exit and, its reader gone, retries that forever.
  const logger = pino({ level: config.logLevel, name: 'visier-admin-mcp' }, pino.destination({ dest: 2, sync: true }));
  const runtime = await startRuntime(config, logger);
  if (!config.http) {
    await serveStdio(runtime.createServer, logger, runtime.close);
    return undefined;
  }
  // Loaded only in HTTP mode: stdio servers are started often by desktop clients, and start-up time shows.
  const { startHttp } = await import('./transports/http.js');
  const oauth = await protectedResourceOf(config).catch(async (error: unknown) => {
    await runtime.close();
    throw error;
  });
  // Bound to every interface, the machine's own name is how clients reach it: the banner prints it, so accept it.
  // The public URL is how clients and approvers reach it behind a proxy: accept its name too.
  const extraHosts = [
    ...(config.allowedHosts ?? []),
    ...(WILDCARD_HOSTS.has(config.host) ? [hostname()] : []),
    ...(config.publicUrl === undefined ? [] : [new URL(config.publicUrl).hostname]),
  ];
  const http = await startHttp({
    host: config.host,
    port: config.port,
    ...(config.httpToken ? { token: config.httpToken } : {}),
    ...(oauth === undefined ? {} : { oauth }),
    ...(extraHosts.length > 0 ? { allowedHosts: extraHosts } : {}),
    ...(config.allowedOrigins ? { allowedOrigins: config.allowedOrigins } : {}),
    ...(runtime.approvals?.handle ? { approvalsPage: runtime.approvals.handle } : {}),
    sessionIdleMs: config.sessionIdleSeconds * 1000,
    maxSessions: config.maxSessions,
    logger,
    createServer: runtime.createServer,
    onRefusedToolCall: runtime.rejectCall,
    ...(runtime.ready ? { ready: runtime.ready } : {}),
    ...(runtime.sharedSessions ? { sharedSessions: runtime.sharedSessions } : {}),
  }).catch(async (error: unknown) => {
    await runtime.close();
    throw error;
  });
  process.stderr.write(`${httpBanner(http.url, config)}\n`);
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    void http
      .close()
      .then(runtime.close)
      .finally(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  return undefined;
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== undefined) process.exit(code);
  },
  (error: unknown) => {
    // Start-up failures are configuration or reachability problems: say which, without a stack trace. A port in
    // use gets the flag that fixes it, whichever listener (the sandbox command's included) found it taken.
    const failed = error as NodeJS.ErrnoException & { address?: string; port?: number };
    const text =
      failed.code === 'EADDRINUSE' && failed.port !== undefined
        ? portInUse(failed.port, failed.address ?? '')
        : error instanceof Error
          ? error.message
          : String(error);
    process.stderr.write(`visier-admin-mcp: ${text}\n`);
    process.exit(EXIT.runtime);
  },
);
