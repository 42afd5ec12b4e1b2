import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { loadConfig } from '../../src/config.js';
import { type Runtime, startRuntime } from '../../src/runtime.js';
import { type HttpHandle, type HttpOptions, startHttp } from '../../src/transports/http.js';

// The HTTP entry point in-process, built from the same config and runtime the CLI uses.

export const silent = pino({ level: 'silent' });

export async function startRuntimeForTest(flags: string[] = []): Promise<Runtime> {
  const audit = join(mkdtempSync(join(tmpdir(), 'vam-http-')), 'audit.jsonl');
  return startRuntime(loadConfig(['--sandbox', '--audit-log', audit, ...flags], {}), silent);
}

export function startHttpFor(runtime: Runtime, options: Partial<HttpOptions> = {}): Promise<HttpHandle> {
  return startHttp({
    host: '127.0.0.1',
    port: 0,
    sessionIdleMs: 60_000,
    maxSessions: 20,
    logger: silent,
    createServer: runtime.createServer,
    onRefusedToolCall: runtime.rejectCall,
    ...options,
  });
}

export const INIT = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
};

export const MCP_HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
