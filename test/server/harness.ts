import { PassThrough } from 'node:stream';
import type { CallToolResult, Client, ElicitResult } from '@modelcontextprotocol/client';
import type { Mode } from '../../src/guards/guard.js';
import { type SandboxHandle, startSandbox } from '../../src/sandbox/index.js';
import { connectStack } from '../support/mcp-stack.js';
import { isChange } from '../support/visier-requests.js';

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
function approve(requested: { properties: Record<string, { title?: string }> }): ElicitResult {
  const content: NonNullable<ElicitResult['content']> = { confirm: true };
  const typedTitle = requested.properties.typed?.title;
  if (typedTitle !== undefined) content.typed = typedTitle.slice(typedTitle.indexOf(': ') + 2);
  return { action: 'accept', content };
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const sandbox = await startSandbox({ rateLimit: false, users: options.users ?? 250 });
  const audit: string[] = [];
  const auditStream = new PassThrough();
  auditStream.on('data', (chunk: Buffer) => audit.push(...chunk.toString('utf8').split('\n').filter(Boolean)));
  const elicitations: string[] = [];
  const stack = await connectStack(sandbox, {
    client: { name: 'contract-test', version: '1.0.0' },
    visier: { retry: { maxAttempts: 1 } },
    guard: {
      mode: options.mode ?? 'full',
      confirmSecret: 'contract-test-secret-0123456789',
      audit: { stream: auditStream },
    },
    server: {
      ...(options.maxResultChars === undefined ? {} : { maxResultChars: options.maxResultChars }),
      ...(options.reportDir === undefined ? {} : { reportDir: options.reportDir }),
    },
    ...(options.elicit
      ? {
          elicit: async ({ message, requestedSchema }) => {
            elicitations.push(message);
            return approve(requestedSchema as { properties: Record<string, { title?: string }> });
          },
        }
      : {}),
  });
  return {
    sandbox,
    client: stack.client,
    audit,
    elicitations,
    call: stack.call,
    close: async () => {
      await stack.close();
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
    (r) => isChange(r) && !r.path.includes('visierSecureToken') && !r.path.includes('oauth2'),
  );
}
