#!/usr/bin/env node
import pino from 'pino';
import { COMMANDS, commandOf } from './commands.js';
import { ConfigError, loadConfig } from './config.js';
import { EXIT } from './exit-codes.js';
import { startRuntime } from './runtime.js';
import { keepStdoutForProtocol, serveStdio } from './transports/stdio.js';

// Before anything can print: in stdio mode stdout carries JSON-RPC only.
keepStdoutForProtocol();

const SANDBOX_NOTICE =
  'visier-admin-mcp: serving the built-in SANDBOX tenant (demo data, not Visier): --sandbox was given or no Visier credentials are set';

/** How to connect, for `npm start`: the URL, an Inspector command and a client config snippet. */
function httpBanner(url: string, sandbox: boolean, mode: string): string {
  const snippet = JSON.stringify({ mcpServers: { visier: { type: 'http', url } } });
  return [
    `visier-admin-mcp: Streamable HTTP at ${url}${sandbox ? ' (sandbox tenant: demo data)' : ''}`,
    `  Mode: ${mode}${mode === 'full' ? '' : ' (--mode user-writes or --mode full allows changes, each still guarded)'}`,
    `  Inspector: npx @modelcontextprotocol/inspector --cli ${url} --method tools/list`,
    `  Client config: ${snippet}`,
  ].join('\n');
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
  if (config.sandbox) process.stderr.write(`${SANDBOX_NOTICE}\n`);
  const logger = pino({ level: config.logLevel, name: 'visier-admin-mcp' }, pino.destination(2));
  const runtime = await startRuntime(config, logger);
  if (!config.http) {
    await serveStdio(runtime.createServer, logger, runtime.close);
    return undefined;
  }
  // Loaded only in HTTP mode: stdio servers are started often by desktop clients, and start-up time shows.
  const { startHttp } = await import('./transports/http.js');
  const http = await startHttp({
    host: config.host,
    port: config.port,
    ...(config.httpToken ? { token: config.httpToken } : {}),
    ...(config.allowedHosts ? { allowedHosts: config.allowedHosts } : {}),
    ...(config.allowedOrigins ? { allowedOrigins: config.allowedOrigins } : {}),
    sessionIdleMs: config.sessionIdleSeconds * 1000,
    maxSessions: config.maxSessions,
    logger,
    createServer: runtime.createServer,
    onRefusedToolCall: runtime.rejectCall,
  }).catch(async (error: unknown) => {
    await runtime.close();
    throw error;
  });
  process.stderr.write(`${httpBanner(http.url, config.sandbox, config.mode)}\n`);
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
    // Start-up failures are configuration or reachability problems: say which, without a stack trace.
    process.stderr.write(`visier-admin-mcp: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(EXIT.runtime);
  },
);
