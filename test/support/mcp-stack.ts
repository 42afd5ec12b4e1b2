// The real parts wired as the CLI wires them, over a running sandbox: Visier client, guard, server, and an
// SDK v2 Client connected in memory, on 2025-11-25 (the era it opens with unless told to negotiate). The server
// and guard test harnesses differ only in what they pass here.
import {
  type AuthInfo,
  type CallToolResult,
  Client,
  type ClientCapabilities,
  type ElicitResult,
  InMemoryTransport,
} from '@modelcontextprotocol/client';
import type { GuardOptions } from '../../src/guards/guard.js';
import { createGuard } from '../../src/guards/index.js';
import { VisierClient } from '../../src/providers/visier/client.js';
import type { VisierClientConfig } from '../../src/providers/visier/config.js';
import type { SandboxHandle } from '../../src/sandbox/index.js';
import { createServer, type ServerDeps } from '../../src/server.js';
import { ManualClock } from './manual-clock.js';

/** Answers an elicitation; `signal` aborts when the server withdraws it (notifications/cancelled). */
export type ElicitHandler = (
  params: { message: string; requestedSchema: unknown },
  signal: AbortSignal,
) => Promise<ElicitResult>;

export interface StackOptions {
  client: { name: string; version: string };
  /**
   * Over an ASID login to the sandbox's primary tenant, with rate limiting off and retry waits on a clock of its
   * own that moves at once (no real time), unless `clock` is given.
   */
  visier?: Pick<VisierClientConfig, 'retry' | 'logger' | 'clock'>;
  /** Everything but the tenants, which are the sandbox's two with the primary as default; mode defaults to full. */
  guard: Omit<GuardOptions, 'mode' | 'tenants' | 'defaultTenant' | 'confirm'> & Partial<GuardOptions>;
  server?: Partial<
    Pick<
      ServerDeps,
      'maxResultChars' | 'reportDir' | 'tools' | 'logger' | 'sandbox' | 'ticker' | 'elicitationTimeoutMs'
    >
  >;
  /** What the server sees of the client: a cache in front of it, or a watcher of what tools send. */
  wrapVisier?: (client: VisierClient) => Pick<ServerDeps, 'api' | 'liveApi'>;
  /** When given, the client declares form elicitation and answers with this. */
  elicit?: ElicitHandler;
  /** What the client declares instead of the default (form elicitation exactly when `elicit` is given). */
  capabilities?: ClientCapabilities;
  /**
   * What an authenticating transport hands the server with every message (`extra[PRINCIPAL_KEY]`, `[PERSON_KEY]`),
   * as Streamable HTTP does after validating a bearer token; in memory, nobody is named unless given here.
   */
  authInfo?: AuthInfo;
}

export interface Stack {
  client: Client;
  call(name: string, args: Record<string, unknown>): Promise<CallToolResult>;
  /** Closes client, server and Visier client; the sandbox is the caller's. */
  close(): Promise<void>;
}

export async function connectStack(sandbox: SandboxHandle, options: StackOptions): Promise<Stack> {
  const { apiKey, username, password } = sandbox.credentials;
  const visier = new VisierClient({
    host: sandbox.url,
    apiKey,
    auth: { kind: 'asid', username, password },
    tenantCode: sandbox.tenants.primary,
    rateLimit: false,
    clock: new ManualClock({ instant: true }),
    ...options.visier,
  });
  const guard = createGuard({
    mode: 'full',
    tenants: [sandbox.tenants.primary, sandbox.tenants.secondary],
    defaultTenant: sandbox.tenants.primary,
    confirm: 'auto',
    ...options.guard,
  });
  const server = createServer({
    ...(options.wrapVisier ? options.wrapVisier(visier) : { api: visier }),
    guard,
    sandbox: true,
    defaultTenant: sandbox.tenants.primary,
    ...options.server,
  });
  const client = new Client(options.client, {
    capabilities: options.capabilities ?? (options.elicit ? { elicitation: { form: {} } } : {}),
  });
  const answer = options.elicit;
  if (answer) {
    client.setRequestHandler('elicitation/create', (request, ctx) =>
      answer(request.params as { message: string; requestedSchema: unknown }, ctx.mcpReq.signal),
    );
  }
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  const authInfo = options.authInfo;
  if (authInfo !== undefined) {
    const send = clientSide.send.bind(clientSide);
    clientSide.send = (message, sendOptions) => send(message, { ...sendOptions, authInfo });
  }
  await Promise.all([server.connect(serverSide), client.connect(clientSide)]);
  // Listing first makes the SDK Client check every structuredContent against the advertised outputSchema
  // (no extra fields), as a strict client does.
  await client.listTools();
  return {
    client,
    call: async (name, args) => (await client.callTool({ name, arguments: args })) as CallToolResult,
    close: async () => {
      await client.close();
      await server.close();
      await visier.close();
    },
  };
}
