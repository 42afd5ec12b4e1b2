// The real runtime as the CLI starts it (`--provider sisense --sandbox`), its server reached through an SDK client
// connected in memory: what the Sisense tool tests drive. Nothing is mocked; the sandbox counts every request.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CallToolResult, Client, InMemoryTransport } from '@modelcontextprotocol/client';
import pino from 'pino';
import { expect } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import { type Runtime, startRuntime } from '../../../src/runtime.js';
import type { SisenseSandboxHandle } from '../../../src/sandbox/sisense/index.js';
import { CONFIRMATION_META_KEY } from '../../../src/server.js';

export interface SisenseStack {
  runtime: Runtime;
  sandbox: SisenseSandboxHandle;
  client: Client;
  audit: string;
  call(name: string, args: Record<string, unknown>): Promise<CallToolResult>;
  /** Calls, expects a confirmation request, and calls again with its token; returns both answers. */
  confirmed(
    name: string,
    args: Record<string, unknown>,
  ): Promise<{ first: CallToolResult; preview: ConfirmationPreview; second: CallToolResult }>;
  close(): Promise<void>;
}

export interface ConfirmationPreview {
  summary: string;
  targets: { id: string; name?: string; before?: string[]; after?: string[]; elevated?: string[]; missing?: boolean }[];
  privilegedGrants?: string[];
}

export async function startSisenseStack(flags: string[] = []): Promise<SisenseStack> {
  const audit = join(mkdtempSync(join(tmpdir(), 'vam-sisense-')), 'audit.jsonl');
  const config = loadConfig(
    ['--provider', 'sisense', '--sandbox', '--mode', 'full', '--audit-log', audit, ...flags],
    {},
  );
  const runtime = await startRuntime(config, pino({ level: 'silent' }));
  const server = runtime.createServer();
  const client = new Client({ name: 'sisense-tools-test', version: '1.0.0' }, { capabilities: {} });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await Promise.all([server.connect(serverSide), client.connect(clientSide)]);
  // Listing first makes the SDK client check every structuredContent against the advertised outputSchema.
  await client.listTools();
  const call = async (name: string, args: Record<string, unknown>) =>
    (await client.callTool({ name, arguments: args })) as CallToolResult;
  return {
    runtime,
    sandbox: runtime.sandbox as SisenseSandboxHandle,
    client,
    audit,
    call,
    confirmed: async (name, args) => {
      const first = await call(name, args);
      const meta = first._meta?.[CONFIRMATION_META_KEY] as
        | { confirmationToken: string; preview: ConfirmationPreview }
        | undefined;
      expect(meta, textOf(first)).toBeDefined();
      const second = await call(name, { ...args, confirmationToken: meta!.confirmationToken });
      return { first, preview: meta!.preview, second };
    },
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

/** `METHOD path[?query]` of every request the sandbox received since the last clear, in order. */
export function sent(sandbox: SisenseSandboxHandle): string[] {
  return sandbox.requests.map((r) => {
    const query = new URLSearchParams(r.query).toString();
    return `${r.method} ${r.path}${query ? `?${query}` : ''}`;
  });
}

/** Requests that could change data (every method but GET). */
export function changes(sandbox: SisenseSandboxHandle): string[] {
  return sent(sandbox).filter((r) => !r.startsWith('GET '));
}
