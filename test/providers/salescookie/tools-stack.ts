// The real runtime on the embedded Sales Cookie sandbox (`--provider salescookie --sandbox --mode full`), with an
// SDK client connected in memory: what the tool tests drive, counting the sandbox's own request log.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CallToolResult, Client, type ElicitResult, InMemoryTransport } from '@modelcontextprotocol/client';
import pino from 'pino';
import { loadConfig } from '../../../src/config.js';
import { type Runtime, startRuntime } from '../../../src/runtime.js';
import type { SalescookieSandbox } from '../../../src/sandbox/salescookie/index.js';

export interface ToolStack {
  runtime: Runtime;
  client: Client;
  sandbox: SalescookieSandbox;
  call(name: string, args: Record<string, unknown>): Promise<CallToolResult>;
  /** Messages the client was asked to approve, in order. */
  elicited: { message: string; requestedSchema: unknown }[];
  /** Requests the sandbox received while `run` ran. */
  requestsDuring<T>(run: () => Promise<T>): Promise<{ value: T; requests: string[] }>;
  audit(): Record<string, unknown>[];
  close(): Promise<void>;
}

export async function startToolStack(
  options: { flags?: string[]; elicit?: (message: string) => ElicitResult } = {},
): Promise<ToolStack> {
  const auditLog = join(mkdtempSync(join(tmpdir(), 'vam-sc-')), 'audit.jsonl');
  const config = loadConfig(
    ['--provider', 'salescookie', '--sandbox', '--mode', 'full', '--audit-log', auditLog, ...(options.flags ?? [])],
    {},
  );
  const runtime = await startRuntime(config, pino({ level: 'silent' }));
  const sandbox = runtime.sandbox as SalescookieSandbox;
  const server = runtime.createServer();
  const client = new Client(
    { name: 'salescookie-tools-test', version: '1.0.0' },
    { capabilities: options.elicit ? { elicitation: { form: {} } } : {} },
  );
  const elicited: ToolStack['elicited'] = [];
  const answer = options.elicit;
  if (answer) {
    client.setRequestHandler('elicitation/create', async (request) => {
      const params = request.params as { message: string; requestedSchema: unknown };
      elicited.push(params);
      return answer(params.message);
    });
  }
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await Promise.all([server.connect(serverSide), client.connect(clientSide)]);
  // Listing first makes the client check every structuredContent against the advertised outputSchema.
  await client.listTools();
  return {
    runtime,
    client,
    sandbox,
    elicited,
    call: async (name, args) => (await client.callTool({ name, arguments: args })) as CallToolResult,
    requestsDuring: async (run) => {
      const from = sandbox.requests.length;
      const value = await run();
      return {
        value,
        requests: sandbox.requests.slice(from).map((r) => `${r.method} ${r.path.replace(/\/odata\/[^/]+/, '/odata')}`),
      };
    },
    audit: () =>
      readFileSync(auditLog, 'utf8')
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => JSON.parse(line) as Record<string, unknown>),
    close: async () => {
      await client.close();
      await server.close();
      await runtime.close();
    },
  };
}

export function textOf(result: CallToolResult): string {
  return result.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n');
}

/** Requests that could change data. */
export const writes = (requests: string[]) => requests.filter((r) => !r.startsWith('GET '));
