import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { type CallToolResult, ElicitRequestSchema, type ElicitResult } from '@modelcontextprotocol/sdk/types.js';
import pino from 'pino';
import type { GuardOptions } from '../../src/guards/guard.js';
import { createGuard } from '../../src/guards/index.js';
import type { SandboxHandle } from '../../src/sandbox/handle.js';
import { startSandbox } from '../../src/sandbox/index.js';
import { createServer } from '../../src/server.js';
import { VisierClient } from '../../src/visier/client.js';

export const CONFIRM_SECRET = 'e2e-guard-secret-0123456789abcdef';

export type ElicitHandler = (params: { message: string; requestedSchema: unknown }) => Promise<ElicitResult>;

export interface E2E {
  sandbox: SandboxHandle;
  client: Client;
  auditPath: string;
  /** Elicitation requests the client received. */
  elicited: { message: string; requestedSchema: unknown }[];
  call(name: string, args: Record<string, unknown>): Promise<CallToolResult>;
  auditLines(): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

/** One sandbox, one guarded server and one SDK client connected to it, as a desktop client would be. */
export async function startE2E(
  options: { guard?: Partial<GuardOptions>; elicit?: ElicitHandler; sandbox?: SandboxHandle; auditDir?: string } = {},
): Promise<E2E> {
  const sandbox = options.sandbox ?? (await startSandbox({ rateLimit: false, users: 40, seed: 11 }));
  const ownsSandbox = options.sandbox === undefined;
  const dir = options.auditDir ?? (await mkdtemp(join(tmpdir(), 'guard-e2e-')));
  const auditPath = join(dir, 'audit.jsonl');
  const visier = new VisierClient({
    host: sandbox.url,
    apiKey: sandbox.credentials.apiKey,
    auth: { kind: 'asid', username: sandbox.credentials.username, password: sandbox.credentials.password },
    tenantCode: sandbox.tenants.primary,
    rateLimit: false,
    retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 },
    logger: pino({ level: 'silent' }),
  });
  const guard = createGuard({
    mode: 'full',
    tenants: [sandbox.tenants.primary, sandbox.tenants.secondary],
    defaultTenant: sandbox.tenants.primary,
    confirm: 'auto',
    confirmSecret: CONFIRM_SECRET,
    elicitationTimeoutMs: 5_000,
    audit: { path: auditPath },
    ...options.guard,
  });
  const server = createServer({ visier, guard, sandbox: true, defaultTenant: sandbox.tenants.primary });
  const elicited: E2E['elicited'] = [];
  const client = new Client(
    { name: 'guard-e2e-client', version: '3.1.4' },
    { capabilities: options.elicit ? { elicitation: { form: {} } } : {} },
  );
  if (options.elicit) {
    const answer = options.elicit;
    client.setRequestHandler(ElicitRequestSchema, async (request) => {
      const params = request.params as { message: string; requestedSchema: unknown };
      elicited.push({ message: params.message, requestedSchema: params.requestedSchema });
      return answer(params);
    });
  }
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await Promise.all([server.connect(serverSide), client.connect(clientSide)]);
  // Listing first makes the SDK Client check every structuredContent against the advertised outputSchema
  // (no extra fields), as a strict client does.
  await client.listTools();
  return {
    sandbox,
    client,
    auditPath,
    elicited,
    call: async (name, args) => (await client.callTool({ name, arguments: args })) as CallToolResult,
    auditLines: async () =>
      (await readFile(auditPath, 'utf8'))
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as Record<string, unknown>),
    close: async () => {
      await client.close();
      await server.close();
      if (ownsSandbox) await sandbox.close();
      if (options.auditDir === undefined) await rm(dir, { recursive: true, force: true });
    },
  };
}

export function textOf(result: CallToolResult): string {
  return result.content.map((part) => (part.type === 'text' ? part.text : '')).join('\n');
}

const AUTH_PATHS = new Set(['/v1/admin/visierSecureToken', '/v1/auth/oauth2/token']);

/** Requests that read or change tenant data (sign-in excluded). */
export function dataRequests(sandbox: SandboxHandle) {
  return sandbox.requests.filter((r) => !AUTH_PATHS.has(r.path));
}

/** Requests that would change tenant data. */
export function changeRequests(sandbox: SandboxHandle) {
  return dataRequests(sandbox).filter((r) => r.method !== 'GET');
}
