import { Writable } from 'node:stream';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { type CallToolResult, ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import type { Guard, Mode } from '../../src/guards/guard.js';
import { createGuard } from '../../src/guards/index.js';
import type { VisierApi } from '../../src/providers/visier/api.js';
import { withReadCache } from '../../src/providers/visier/cache.js';
import { VisierClient } from '../../src/providers/visier/client.js';
import type { VisierClientConfig } from '../../src/providers/visier/config.js';
import type { FaultSpec, SandboxHandle } from '../../src/sandbox/index.js';
import { startSandbox } from '../../src/sandbox/index.js';
import { createServer } from '../../src/server.js';

// The real parts wired as the CLI wires them, with the knobs the figures turn: sandbox latency and faults,
// the read cache, and (for the guard-overhead baseline only) a guard that lets everything through.

export interface StackOptions {
  users?: number;
  faults?: FaultSpec;
  /** Read cache TTL; 0 is no cache. */
  cacheTtlMs?: number;
  /** Directory snapshot TTL; the CLI's default (5 minutes) unless given. */
  snapshotTtlMs?: number;
  retry?: { maxAttempts?: number; baseDelayMs?: number; maxDelayMs?: number };
  maxResultChars?: number;
  auditPath?: string;
  /** Guard mode; `full` by default so that every tool can be exercised. */
  mode?: Mode;
  /**
   * Visier's default limits on both sides, as against a real tenant: the sandbox's 100 calls a minute and 6,000 an
   * hour, and the client's limiter that waits for a free slot. Off by default, so other figures time the code.
   */
  visierLimits?: boolean;
}

export interface Stack {
  sandbox: SandboxHandle;
  client: VisierClient;
  visier: VisierApi;
  guard: Guard;
  /** A fresh server on this stack's client; `guard` swaps the stack's guard for another (the guard figure). */
  newServer: (guard?: Guard) => ReturnType<typeof createServer>;
  close(): Promise<void>;
}

/** A guard with no checks, no confirmation and no audit: what the server costs without the guard layer. */
export const passThroughGuard: Guard = {
  lists: () => true,
  call: async (def, args, ctx) => ({ kind: 'result', output: await def.handler(args, ctx) }),
  reject: () => {},
  viewCall: () => undefined,
};

const discard = () =>
  new Writable({
    write(_chunk, _encoding, done) {
      done();
    },
  });

/** A client signed in to the sandbox's primary tenant with its API user; `extra` adds to or overrides that. */
export function sandboxClient(sandbox: SandboxHandle, extra: Partial<VisierClientConfig> = {}): VisierClient {
  const { apiKey, username, password } = sandbox.credentials;
  return new VisierClient({
    host: sandbox.url,
    apiKey,
    auth: { kind: 'asid', username, password },
    tenantCode: sandbox.tenants.primary,
    ...extra,
  });
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const sandbox = await startSandbox({
    ...(options.visierLimits ? {} : { rateLimit: false }),
    users: options.users ?? 1000,
    faults: options.faults ?? {},
  });
  const client = sandboxClient(sandbox, {
    ...(options.visierLimits ? {} : { rateLimit: false as const }),
    ...(options.retry ? { retry: options.retry } : {}),
  });
  const visier = withReadCache(client, {
    ttlMs: options.cacheTtlMs ?? 0,
    snapshotTtlMs: options.snapshotTtlMs ?? 300_000,
  });
  const guard = createGuard({
    mode: options.mode ?? 'full',
    tenants: [sandbox.tenants.primary, sandbox.tenants.secondary],
    defaultTenant: sandbox.tenants.primary,
    confirm: 'auto',
    confirmSecret: 'bench-confirmation-secret-0123456789',
    caps: { maxItemsPerCall: 100_000, maxChangesPerSession: 10_000_000, maxChangesPerHour: 10_000_000 },
    audit: options.auditPath ? { path: options.auditPath } : { stream: discard() },
  });
  const newServer = (override?: Guard) =>
    createServer({
      api: visier,
      liveApi: visier.live,
      guard: override ?? guard,
      sandbox: true,
      defaultTenant: sandbox.tenants.primary,
      ...(options.maxResultChars ? { maxResultChars: options.maxResultChars } : {}),
    });
  return {
    sandbox,
    client,
    visier,
    guard,
    newServer,
    close: async () => {
      await client.close();
      await sandbox.close();
    },
  };
}

/** Answers every approval form as a human who reads it and says yes. */
export function approveEverything(client: Client): void {
  client.setRequestHandler(ElicitRequestSchema, async (request) => {
    const params = request.params as { requestedSchema?: { properties?: Record<string, { title?: string }> } };
    const content: Record<string, unknown> = { confirm: true };
    const typedTitle = params.requestedSchema?.properties?.typed?.title;
    if (typedTitle !== undefined) content.typed = typedTitle.slice(typedTitle.indexOf(': ') + 2);
    return { action: 'accept', content };
  });
}

export async function connectClient(transport: Transport, name = 'bench'): Promise<Client> {
  const client = new Client({ name, version: '1.0.0' }, { capabilities: { elicitation: { form: {} } } });
  approveEverything(client);
  await client.connect(transport);
  return client;
}

/** An SDK Client talking to a fresh server of the stack over the in-memory transport. */
export async function inMemoryClient(
  stack: Stack,
  guard?: Guard,
): Promise<{ client: Client; close: () => Promise<void> }> {
  const server = stack.newServer(guard);
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  const client = await connectClient(clientSide);
  return {
    client,
    close: async () => {
      await client.close();
      await server.close();
    },
  };
}

export async function callTool(client: Client, name: string, args: Record<string, unknown>): Promise<CallToolResult> {
  const result = (await client.callTool({ name, arguments: args }, undefined, { timeout: 600_000 })) as CallToolResult;
  if (result.isError) {
    const first = result.content[0];
    throw new Error(`${name} failed: ${first?.type === 'text' ? first.text : 'no text'}`);
  }
  return result;
}

export function textOf(result: CallToolResult): string {
  return result.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n');
}

/** Requests the sandbox answered that were not token requests. */
export function dataRequests(sandbox: SandboxHandle): number {
  return sandbox.requests.filter((r) => !r.path.includes('visierSecureToken') && !r.path.includes('/oauth2/')).length;
}
