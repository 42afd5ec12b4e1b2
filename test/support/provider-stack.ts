// One provider served as the CLI serves it: the config from flags, the runtime with its embedded sandbox, a fresh
// McpServer, and an SDK client connected in memory. The parameterised suites (test/providers/suites/) run every
// provider case through this, so what they prove holds for the real wiring, not a test assembly of it.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import {
  type CallToolResult,
  Client,
  type ElicitResult,
  InMemoryTransport,
  type Tool,
} from '@modelcontextprotocol/client';
import pino from 'pino';
import { loadConfig } from '../../src/config.js';
import { verifyAuditLog } from '../../src/guards/index.js';
import { PROVIDERS } from '../../src/registry/index.js';
import { type Runtime, startRuntime } from '../../src/runtime.js';
import { CONFIRMATION_META_KEY } from '../../src/server.js';
import type { ProviderCase } from './cases/types.js';

export interface ElicitRequest {
  message: string;
  requestedSchema: unknown;
}

export interface ProviderStackOptions {
  /** CLI flags after `--provider <id> --sandbox --audit-log … --audit-key …` (mode defaults to full). */
  flags?: string[];
  /** When given, the client declares form elicitation and answers every request with this. */
  elicit?: (request: ElicitRequest) => ElicitResult;
}

export interface ProviderStack {
  runtime: Runtime;
  /** The provider's embedded sandbox handle, as its case reads it. */
  // biome-ignore lint/suspicious/noExplicitAny: each provider's sandbox handle has its own shape
  sandbox: any;
  client: Client;
  call(tool: string, args: Record<string, unknown>): Promise<CallToolResult>;
  listTools(): Promise<Tool[]>;
  /** Elicitation requests the client answered, in order. */
  elicited: ElicitRequest[];
  auditPath: string;
  auditLines(): Promise<Record<string, unknown>[]>;
  /** The raw audit log, for looking for what must never be in it. */
  auditText(): Promise<string>;
  /** `verify-audit` on the log with the server's signing key: whether it reads intact. */
  verifyAudit(): Promise<boolean>;
  /** Everything the server logged (what the CLI writes to stderr), at debug level and above. */
  logText(): string;
  close(): Promise<void>;
}

export async function startProviderStack(
  providerCase: Pick<ProviderCase, 'id'>,
  options: ProviderStackOptions = {},
): Promise<ProviderStack> {
  const dir = await mkdtemp(join(tmpdir(), `provider-${providerCase.id}-`));
  const auditPath = join(dir, 'audit.jsonl');
  const keyPath = join(dir, 'audit-key.pem');
  const logged: string[] = [];
  const logger = pino(
    { level: 'debug' },
    new Writable({
      write(chunk, _encoding, done) {
        logged.push(String(chunk));
        done();
      },
    }),
  );
  const argv = [
    '--provider',
    providerCase.id,
    '--sandbox',
    '--audit-log',
    auditPath,
    '--audit-key',
    keyPath,
    '--mode',
    'full',
    ...(options.flags ?? []),
  ];
  const runtime = await startRuntime(loadConfig(argv, {}), logger);
  const server = runtime.createServer();
  const client = new Client(
    { name: 'provider-suite-client', version: '1.0.0' },
    { capabilities: options.elicit ? { elicitation: { form: {} } } : {} },
  );
  const elicited: ElicitRequest[] = [];
  const answer = options.elicit;
  if (answer) {
    client.setRequestHandler('elicitation/create', async (request) => {
      const params = request.params as ElicitRequest;
      elicited.push({ message: params.message, requestedSchema: params.requestedSchema });
      return answer(params);
    });
  }
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await Promise.all([server.connect(serverSide), client.connect(clientSide)]);
  const auditText = async () => readFile(auditPath, 'utf8').catch(() => '');
  return {
    runtime,
    sandbox: runtime.sandbox,
    client,
    call: async (tool, args) => (await client.callTool({ name: tool, arguments: args })) as CallToolResult,
    listTools: async () => (await client.listTools()).tools,
    elicited,
    auditPath,
    auditLines: async () =>
      (await auditText())
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as Record<string, unknown>),
    auditText,
    verifyAudit: async () => (await verifyAuditLog(auditPath, { signingKeyFile: keyPath })).ok,
    logText: () => logged.join(''),
    close: async () => {
      await client.close();
      await server.close();
      await runtime.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Runs `body` on a fresh stack (fresh sandbox, guard state and audit log) and closes it whatever happens. */
export async function withProviderStack(
  providerCase: Pick<ProviderCase, 'id'>,
  options: ProviderStackOptions,
  body: (stack: ProviderStack) => Promise<void>,
): Promise<void> {
  const stack = await startProviderStack(providerCase, options);
  try {
    await body(stack);
  } finally {
    await stack.close();
  }
}

export function textOf(result: CallToolResult): string {
  return result.content.map((part) => (part.type === 'text' ? part.text : '')).join('\n');
}

/** The confirmation token a guarded change answers with when the client cannot be asked; undefined if none. */
export function confirmationTokenOf(result: CallToolResult): string | undefined {
  const meta = result._meta?.[CONFIRMATION_META_KEY] as { confirmationToken?: string } | undefined;
  return meta?.confirmationToken;
}

/** The provider's catalogue as its definitions classify it: the source the suites compare tools/list with. */
export function catalogueOf(providerCase: Pick<ProviderCase, 'id'>) {
  return PROVIDERS[providerCase.id].provider.tools.map((tool) => ({
    name: tool.name,
    classification: tool.classification,
  }));
}
