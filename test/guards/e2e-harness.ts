import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CallToolResult, Client, ClientCapabilities } from '@modelcontextprotocol/client';
import pino from 'pino';
import { afterAll, beforeAll, expect } from 'vitest';
import type { ImpactPreview } from '../../src/contract/tool.js';
import type { GuardOptions } from '../../src/guards/guard.js';
import { type SandboxHandle, startSandbox } from '../../src/sandbox/index.js';
import { CONFIRMATION_META_KEY } from '../../src/server.js';
import { connectStack, type ElicitHandler, type StackOptions } from '../support/mcp-stack.js';
import { isChange } from '../support/visier-requests.js';

export type { ElicitHandler } from '../support/mcp-stack.js';

export const CONFIRM_SECRET = 'e2e-guard-secret-0123456789abcdef';

const SANDBOX_OPTIONS = { rateLimit: false, users: 40, seed: 11 } as const;

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

export type E2EOptions = {
  guard?: Partial<GuardOptions>;
  elicit?: ElicitHandler;
  /** What the client declares instead of the default (form elicitation exactly when `elicit` is given). */
  capabilities?: ClientCapabilities;
  server?: StackOptions['server'];
  sandbox?: SandboxHandle;
  auditDir?: string;
  authInfo?: StackOptions['authInfo'];
};

/** One sandbox, one guarded server and one SDK client connected to it, as a desktop client would be. */
export async function startE2E(options: E2EOptions = {}): Promise<E2E> {
  const sandbox = options.sandbox ?? (await startSandbox(SANDBOX_OPTIONS));
  const ownsSandbox = options.sandbox === undefined;
  const dir = options.auditDir ?? (await mkdtemp(join(tmpdir(), 'guard-e2e-')));
  const auditPath = join(dir, 'audit.jsonl');
  const elicited: E2E['elicited'] = [];
  const answer = options.elicit;
  const stack = await connectStack(sandbox, {
    client: { name: 'guard-e2e-client', version: '3.1.4' },
    visier: { retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 }, logger: pino({ level: 'silent' }) },
    guard: {
      confirmSecret: CONFIRM_SECRET,
      elicitationTimeoutMs: 5_000,
      audit: { path: auditPath },
      ...options.guard,
    },
    ...(options.capabilities ? { capabilities: options.capabilities } : {}),
    ...(options.server ? { server: options.server } : {}),
    ...(options.authInfo ? { authInfo: options.authInfo } : {}),
    ...(answer
      ? {
          elicit: async (params, signal) => {
            elicited.push({ message: params.message, requestedSchema: params.requestedSchema });
            return answer(params, signal);
          },
        }
      : {}),
  });
  return {
    sandbox,
    client: stack.client,
    auditPath,
    elicited,
    call: stack.call,
    auditLines: async () =>
      (await readFile(auditPath, 'utf8'))
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as Record<string, unknown>),
    close: async () => {
      await stack.close();
      if (ownsSandbox) await sandbox.close();
      if (options.auditDir === undefined) await rm(dir, { recursive: true, force: true });
    },
  };
}

export interface E2ESuite {
  readonly sandbox: SandboxHandle;
  /** Runs `body` against a fresh server on the file's sandbox, whose request log starts empty. */
  withE2E(options: E2EOptions, body: (e2e: E2E) => Promise<void>): Promise<void>;
}

/**
 * One sandbox shared by the tests of the calling file, started before them and closed after; each test brings
 * up its own server, so guard state (sessions, caps, tokens) never leaks between tests while tenant data may.
 */
export function e2eSuite(): E2ESuite {
  let sandbox: SandboxHandle | undefined;
  beforeAll(async () => {
    sandbox = await startSandbox(SANDBOX_OPTIONS);
  });
  afterAll(() => sandbox?.close());
  const suite: E2ESuite = {
    get sandbox() {
      if (sandbox === undefined) throw new Error('the suite sandbox is only there while its tests run');
      return sandbox;
    },
    async withE2E(options, body) {
      const e2e = await startE2E({ sandbox: suite.sandbox, ...options });
      try {
        suite.sandbox.clearRequests();
        await body(e2e);
      } finally {
        await e2e.close();
      }
    },
  };
  return suite;
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
  return dataRequests(sandbox).filter(isChange);
}

/** A preview as a client without elicitation receives it, with the Visier requests it cost. */
export interface Issued {
  token: string;
  preview: ImpactPreview;
  /** Visier requests the preview cost (sign-in excluded), with the tenant each addressed. */
  reads: { path: string; tenant: string | undefined }[];
}

/**
 * The first call of the token flow: the preview and a token come back; fails the test when the call changed
 * anything or asked for no confirmation.
 */
export async function previewCall(
  sandbox: SandboxHandle,
  call: (name: string, args: Record<string, unknown>) => Promise<CallToolResult>,
  tool: string,
  args: Record<string, unknown>,
): Promise<Issued> {
  sandbox.clearRequests();
  const first = await call(tool, args);
  const meta = first._meta?.[CONFIRMATION_META_KEY] as { preview: ImpactPreview; confirmationToken: string };
  expect(meta, textOf(first)).toBeDefined();
  expect(changeRequests(sandbox)).toEqual([]);
  return {
    token: meta.confirmationToken,
    preview: meta.preview,
    reads: dataRequests(sandbox).map((r) => ({ path: r.path, tenant: r.tenant })),
  };
}
