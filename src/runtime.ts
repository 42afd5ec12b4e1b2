import type { McpServer } from '@modelcontextprotocol/server';
import type pino from 'pino';
import type { ApprovalsPage } from './approvals/index.js';
import type { UnguardedCall } from './audit-every-call.js';
import type { Person } from './auth/person.js';
import { type Config, pageSignIn, webConfirmed } from './config.js';
import type { GuardOptions } from './guards/guard.js';
import { createAuditAnchor, createGuard } from './guards/index.js';
import { ChangeJournal } from './journal/journal.js';
import { PROVIDERS } from './registry/index.js';
import { createServer } from './server.js';
import { RedisStore } from './shared-state/redis-store.js';
import type { SharedSessions } from './shared-state/sessions.js';
import { privilegedPolicy } from './tools/visier/privileged.js';

/** Everything one process serves from: the provider's client (or its embedded sandbox) and the guard. */
export interface Runtime {
  /** A new McpServer: stdio makes one per connection, Streamable HTTP one per 2025 session or 2026-07-28 request. */
  createServer: () => McpServer;
  /** Audits a tools/call a transport refused before any server saw it (see HttpOptions.onRefusedToolCall). */
  rejectCall: (call: UnguardedCall, principal: string, person?: Person) => void;
  /** The embedded sandbox's handle when one runs (the provider's own type: faults, snapshots, requests). */
  // biome-ignore lint/suspicious/noExplicitAny: each provider's sandbox has a handle of its own
  sandbox?: any;
  defaultTenant: string;
  tenants: string[];
  /** The approvals page, when it runs: its one-time link goes to stderr; with sign-in, the main HTTP server serves `handle`. */
  approvals?: Pick<ApprovalsPage, 'link' | 'origin' | 'handle'>;
  /** With `--redis-url`: resolves when Redis answers, rejects with why not. */
  ready?: () => Promise<void>;
  /** With `--redis-url`: 2025-era HTTP sessions every replica can serve. */
  sharedSessions?: SharedSessions;
  close(): Promise<void>;
}

export async function startRuntime(config: Config, logger: pino.Logger): Promise<Runtime> {
  const entry = PROVIDERS[config.provider];
  const shared = config.redisUrl === undefined ? undefined : await RedisStore.connect(config.redisUrl);
  const sharedSessions = await shared?.sessions().catch(async (error: unknown) => {
    await shared.close();
    throw error;
  });
  const started = await entry.start(config, logger, shared).catch(async (error: unknown) => {
    await sharedSessions?.close();
    await shared?.close();
    throw error;
  });
  const { tenants, defaultTenant, sandbox } = started;
  // The page runs when a class is confirmed on it, or when asked for by port (then `auto` may use it).
  const approvals =
    webConfirmed(config) || config.approvalsPort !== undefined
      ? // Loaded only when it runs: stdio servers start often, and start-up time shows.
        await import('./approvals/index.js')
          .then(async ({ startApprovalsPage, canOpenBrowser }) => {
            const { stderrAnnouncer } = await import('./approvals/announce.js');
            const announce = stderrAnnouncer({
              open: !config.noOpen && canOpenBrowser(process.env, process.platform),
              platform: process.platform,
              write: (line) => process.stderr.write(line),
              logger,
            });
            return startApprovalsPage({
              port: config.approvalsPort ?? 0,
              logger,
              announce,
              ...(shared === undefined ? {} : { shared }),
              ...(pageSignIn(config)
                ? {
                    signIn: {
                      issuer: config.oauthIssuer,
                      clientId: config.oauthClientId,
                      publicUrl: config.publicUrl,
                      stateSecret: config.confirmSecret,
                      ...(config.oauthAudience === undefined ? {} : { audience: config.oauthAudience }),
                      ...(config.oauthClientSecret === undefined ? {} : { clientSecret: config.oauthClientSecret }),
                    },
                  }
                : {}),
            });
          })
          .catch(async (error: unknown) => {
            await started.close();
            await sharedSessions?.close();
            await shared?.close();
            throw error;
          })
      : undefined;
  const anchor = config.auditAnchor ? createAuditAnchor(config.auditAnchor, config.auditLog, logger) : undefined;
  const guardOptions: GuardOptions = {
    mode: config.mode,
    ...(config.tenantModes ? { tenantModes: config.tenantModes } : {}),
    tenants,
    defaultTenant,
    scope: { term: entry.provider.scopeTerm, projects: entry.provider.scopeArgs.project !== undefined },
    confirm: config.confirm,
    confirmSecret: config.confirmSecret,
    ...(shared ? { sharedState: shared } : {}),
    elicitationTimeoutMs: config.elicitationTimeoutSeconds * 1000,
    ...(approvals ? { approvals: approvals.desk } : {}),
    ...(config.approvers === undefined ? {} : { approvers: config.approvers }),
    approvalTimeoutMs: config.approvalTimeoutSeconds * 1000,
    caps: {
      maxItemsPerCall: config.maxItemsPerCall,
      maxChangesPerSession: config.maxChangesPerSession,
      maxChangesPerHour: config.maxChangesPerHour,
    },
    audit: { path: config.auditLog, keyFile: config.auditKey, logger, ...(anchor ? { anchor } : {}) },
    journal: new ChangeJournal(config.journal),
  };
  const guard = createGuard(guardOptions);
  return {
    createServer: () =>
      createServer({
        serving: entry,
        api: started.api,
        liveApi: started.liveApi,
        guard,
        sandbox: config.sandbox,
        maxResultChars: config.maxResultChars,
        elicitationTimeoutMs: config.elicitationTimeoutSeconds * 1000,
        defaultTenant,
        logger,
        conformanceFixtures: config.conformanceFixtures,
        ...(config.reportDir === undefined ? {} : { reportDir: config.reportDir }),
        ...(config.privilegedPermissions === undefined
          ? {}
          : { privileged: privilegedPolicy(config.privilegedPermissions) }),
      }),
    rejectCall: ({ tool, args, reason, requestId }, principal, person) =>
      guard.reject(
        tool,
        args,
        { principal, ...(person === undefined ? {} : { person }), ...(requestId === undefined ? {} : { requestId }) },
        reason,
      ),
    ...(sandbox ? { sandbox } : {}),
    defaultTenant,
    tenants,
    ...(approvals ? { approvals } : {}),
    ...(shared ? { ready: () => shared.ping() } : {}),
    ...(sharedSessions ? { sharedSessions } : {}),
    close: async () => {
      await approvals?.close();
      await anchor?.close();
      await started.close();
      await sharedSessions?.close();
      await shared?.close();
    },
  };
}
