import { z } from 'zod';
import { type AnyToolDefinition, defineTool, type ImpactPreview, type ToolContext } from '../../src/contract/tool.js';
import type { CallerInfo, ElicitAnswer, ElicitFormSchema, GuardOptions } from '../../src/guards/guard.js';
import { createGuard } from '../../src/guards/index.js';

export const SECRET = 'guard-test-secret-0123456789';
const COUNTS = { succeeded: z.number(), failed: z.number() };

/** A tiny directory the previews read, so a test can change who a userId names between steps. */
export interface Directory {
  names: Record<string, string>;
}

export interface Harness {
  ran: { tool: string; args: Record<string, unknown> }[];
  previews: string[];
  audit: Record<string, unknown>[];
  directory: Directory;
  clock: { t: number };
  guard: ReturnType<typeof createGuard>;
  tools: ReturnType<typeof tools>;
}

function preview(directory: Directory, ids: string[], summary: string): ImpactPreview {
  return {
    summary,
    targets: ids.map((id) => ({ kind: 'user', id, name: directory.names[id], before: ['Viewer'], after: [] })),
    fingerprint: ids.map((id) => `${id}=${directory.names[id] ?? '?'}`).join(','),
  };
}

export function tools(h: Pick<Harness, 'ran' | 'previews' | 'directory'>) {
  const record = (tool: string) => async (args: Record<string, unknown>) => {
    h.ran.push({ tool, args });
    return { text: `${tool} ok`, structured: { succeeded: 1, failed: 0 } };
  };
  return {
    read: defineTool({
      name: 'get_user',
      title: 'Get user',
      description: 'Get a user.',
      classification: 'read',
      inputSchema: { userId: z.string() },
      outputSchema: COUNTS,
      handler: record('get_user'),
    }),
    write: defineTool({
      name: 'bulk_update_users',
      title: 'Update users',
      description: 'Update users.',
      classification: 'write',
      inputSchema: { users: z.array(z.object({ userId: z.string(), password: z.string().optional() })) },
      outputSchema: COUNTS,
      handler: record('bulk_update_users'),
      itemCount: (args) => args.users.length,
      preview: async (args) => {
        h.previews.push('bulk_update_users');
        return preview(
          h.directory,
          args.users.map((u) => u.userId),
          `Update ${args.users.length} users`,
        );
      },
    }),
    access: defineTool({
      name: 'assign_permissions_to_users',
      title: 'Assign permissions',
      description: 'Assign permissions.',
      classification: 'access',
      inputSchema: {
        permissionId: z.string(),
        userIds: z.array(z.string()),
        targetTenants: z.array(z.string()).optional(),
      },
      outputSchema: COUNTS,
      handler: record('assign_permissions_to_users'),
      itemCount: (args) => args.userIds.length,
      tenantsInArgs: (args) => args.targetTenants ?? [],
      preview: async (args) => {
        h.previews.push('assign_permissions_to_users');
        return preview(h.directory, args.userIds, `Grant '${args.permissionId}' to ${args.userIds.length} users`);
      },
    }),
    destructive: defineTool({
      name: 'delete_user',
      title: 'Delete user',
      description: 'Delete a user.',
      classification: 'destructive',
      inputSchema: { userId: z.string() },
      outputSchema: COUNTS,
      handler: record('delete_user'),
      preview: async (args) => {
        h.previews.push('delete_user');
        return preview(h.directory, [args.userId], `Delete user ${args.userId}`);
      },
    }),
    bulkDelete: defineTool({
      name: 'bulk_delete_users',
      title: 'Delete users',
      description: 'Delete users.',
      classification: 'destructive',
      inputSchema: { userIds: z.array(z.string()) },
      outputSchema: COUNTS,
      handler: record('bulk_delete_users'),
      itemCount: (args) => args.userIds.length,
      preview: async (args) => {
        h.previews.push('bulk_delete_users');
        return preview(h.directory, args.userIds, `Delete ${args.userIds.length} users`);
      },
    }),
  };
}

export function harness(overrides: Partial<GuardOptions> = {}): Harness {
  const h = {
    ran: [],
    previews: [],
    audit: [],
    directory: { names: { u1: 'jdoe', u2: 'asmith', u3: 'bwong' } },
    clock: { t: Date.UTC(2026, 0, 1) },
  } as unknown as Harness;
  const stream = {
    write: (chunk: string) => {
      h.audit.push(JSON.parse(chunk) as Record<string, unknown>);
      return true;
    },
  } as unknown as NodeJS.WritableStream;
  h.guard = createGuard({
    mode: 'full',
    tenants: ['T1', 'T2'],
    defaultTenant: 'T1',
    confirm: 'auto',
    confirmSecret: SECRET,
    audit: { stream },
    now: () => h.clock.t,
    ...overrides,
  });
  h.tools = tools(h);
  return h;
}

/** A call's context acting in `scope` (the tenant and project the guards check). */
export function ctx(scope: ToolContext['scope'] = {}): ToolContext {
  return {
    scope,
    call: {},
    fence: (lines: string[]) => lines.join('\n'),
    maxResultChars: 20_000,
    signal: new AbortController().signal,
    progress: () => {},
  } as unknown as ToolContext;
}

/** A client that answers every elicitation the same way, and remembers what it was asked. */
export function answering(answer: ElicitAnswer | (() => Promise<ElicitAnswer>)) {
  const asked: { message: string; schema: ElicitFormSchema }[] = [];
  const caller: CallerInfo = {
    clientName: 'test-client',
    clientVersion: '1.0.0',
    sessionId: 'sess-1',
    elicit: async (message, schema) => {
      asked.push({ message, schema });
      return typeof answer === 'function' ? answer() : answer;
    },
  };
  return { caller, asked };
}

export const NO_ELICITATION: CallerInfo = { clientName: 'plain-client', clientVersion: '2.0', sessionId: 'sess-2' };

/** A copy of a tool with some parts replaced (a failing handler, a missing preview). */
export function variant(def: AnyToolDefinition, patch: Partial<AnyToolDefinition>): AnyToolDefinition {
  return { ...def, ...patch };
}
