import { PassThrough } from 'node:stream';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { type CallToolResult, ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import type { Mode } from '../../src/guards/guard.js';
import { createGuard } from '../../src/guards/index.js';
import { type SandboxHandle, startSandbox } from '../../src/sandbox/index.js';
import { createServer } from '../../src/server.js';
import { VisierClient } from '../../src/visier/client.js';

// The real parts wired as the CLI wires them: sandbox over HTTP, Visier client, guard, server, SDK Client.

export interface HarnessOptions {
  mode?: Mode;
  /** Declare form elicitation and approve every request (ticking approve and typing what is asked). */
  elicit?: boolean;
  users?: number;
  maxResultChars?: number;
  reportDir?: string;
}

export interface Harness {
  sandbox: SandboxHandle;
  client: Client;
  audit: string[];
  elicitations: string[];
  call(name: string, args: Record<string, unknown>): Promise<CallToolResult>;
  close(): Promise<void>;
}

/** Answers an approval form as a human who reads it and says yes. */
function approve(requested: { properties: Record<string, { title?: string }> }) {
  const content: Record<string, unknown> = { confirm: true };
  const typedTitle = requested.properties.typed?.title;
  if (typedTitle !== undefined) content.typed = typedTitle.slice(typedTitle.indexOf(': ') + 2);
  return { action: 'accept' as const, content };
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const sandbox = await startSandbox({ rateLimit: false, users: options.users ?? 250 });
  const { apiKey, username, password } = sandbox.credentials;
  const visier = new VisierClient({
    host: sandbox.url,
    apiKey,
    auth: { kind: 'asid', username, password },
    tenantCode: sandbox.tenants.primary,
    rateLimit: false,
    retry: { maxAttempts: 1 },
  });
  const audit: string[] = [];
  const auditStream = new PassThrough();
  auditStream.on('data', (chunk: Buffer) => audit.push(...chunk.toString('utf8').split('\n').filter(Boolean)));
  const guard = createGuard({
    mode: options.mode ?? 'full',
    tenants: [sandbox.tenants.primary, sandbox.tenants.secondary],
    defaultTenant: sandbox.tenants.primary,
    confirm: 'auto',
    confirmSecret: 'contract-test-secret-0123456789',
    audit: { stream: auditStream },
  });
  const server = createServer({
    visier,
    guard,
    sandbox: true,
    defaultTenant: sandbox.tenants.primary,
    ...(options.maxResultChars === undefined ? {} : { maxResultChars: options.maxResultChars }),
    ...(options.reportDir === undefined ? {} : { reportDir: options.reportDir }),
  });
  const client = new Client(
    { name: 'contract-test', version: '1.0.0' },
    { capabilities: options.elicit ? { elicitation: { form: {} } } : {} },
  );
  const elicitations: string[] = [];
  if (options.elicit) {
    client.setRequestHandler(ElicitRequestSchema, async (request) => {
      elicitations.push(request.params.message);
      const params = request.params as { requestedSchema: { properties: Record<string, { title?: string }> } };
      return approve(params.requestedSchema);
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
    audit,
    elicitations,
    call: async (name, args) => (await client.callTool({ name, arguments: args })) as CallToolResult,
    close: async () => {
      await client.close();
      await server.close();
      await visier.close();
      await sandbox.close();
    },
  };
}

export const SANDBOX_LINE = '[sandbox tenant: demo data]';

/** The text of a result's single text block. */
export function textOf(result: CallToolResult): string {
  const [first] = result.content;
  if (first?.type !== 'text') throw new Error('expected a text block');
  return first.text;
}

/** Methods the sandbox saw that change state. */
export function mutations(sandbox: SandboxHandle) {
  return sandbox.requests.filter(
    (r) => r.method !== 'GET' && !r.path.includes('visierSecureToken') && !r.path.includes('oauth2'),
  );
}
