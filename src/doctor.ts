import { existsSync } from 'node:fs';
import pino from 'pino';
import { signInFlowOf } from './approvals/index.js';
import { configuredResource, type ProtectedResource } from './auth/protected-resource.js';
import {
  type Config,
  ConfigError,
  credentialVariables,
  loadConfig,
  OPTIONS,
  type OptionKey,
  pageSignIn,
  sandboxReason,
  webConfirmed,
} from './config.js';
import { reachHost } from './doctor-reach.js';
import { EXIT } from './exit-codes.js';
import { counted } from './grammar.js';
import { keyId, readSigningPublicKey } from './guards/audit-key.js';
import { modeOf } from './guards/modes.js';
import { VisierApiError } from './providers/http/errors.js';
import { ASID_TOKEN_PATH, OAUTH2_TOKEN_PATH } from './providers/visier/auth.js';
import { VisierClient } from './providers/visier/client.js';
import { PROVIDERS } from './registry/index.js';
import type { StartedProvider } from './registry/started.js';
import { allowedTenants, visierConfig } from './registry/visier.js';
import { type SandboxHandle, startSandbox } from './sandbox/index.js';
import { RedisStore, redactedUrl } from './shared-state/redis-store.js';

/** What doctor prints: one line per check (`ok` or `FAIL` and why), then the policy the server would enforce. */
class Report {
  failures = 0;
  check(ok: boolean, name: string, detail: string): void {
    if (!ok) this.failures++;
    process.stdout.write(`${ok ? 'ok  ' : 'FAIL'}  ${name}: ${detail}\n`);
  }
  info(name: string, detail: string): void {
    process.stdout.write(`      ${name}: ${detail}\n`);
  }
}

const TOKEN_PATHS: ReadonlySet<string> = new Set([ASID_TOKEN_PATH, OAUTH2_TOKEN_PATH]);

/**
 * Why Visier refused, from its answer: a refused sign-in (token endpoint) points at the user's credentials, a
 * refused data call whose answer names the tenant asked for at the tenant setting, any other refused data call
 * at the API key. Visier's own message and rci are quoted; no credential is.
 */
function signInFailure(error: unknown, config: Config, tenant: string | undefined): string {
  if (!(error instanceof VisierApiError)) return (error as Error).message;
  const said = `Visier answered ${error.status === undefined ? error.kind : `HTTP ${error.status}`}: ${error.message}`;
  if (error.status !== 401 && error.status !== 403) return said;
  if (TOKEN_PATHS.has(error.path)) {
    const oauth = config.clientId === undefined ? '' : ', VISIER_CLIENT_ID and VISIER_CLIENT_SECRET';
    return `sign-in refused (${said}); check VISIER_USERNAME, VISIER_PASSWORD${oauth}`;
  }
  if (tenant !== undefined && said.toLowerCase().includes(tenant.toLowerCase())) {
    const setting = config.tenants === undefined ? 'VISIER_TENANT_CODE' : 'VISIER_TENANT_CODE and --tenants';
    return `signed in, but tenant ${tenant} was refused (${said}); check ${setting}: the tenant code as Visier spells it, one this user may reach`;
  }
  return `signed in, but the API call was refused (${said}); check VISIER_API_KEY and the user's API access`;
}

/** Visier's X-RateLimit-* headers as a person reads them; a window with nothing left fails. */
function headroom(headers: Record<string, string> | undefined): { ok: boolean; detail: string } {
  if (headers === undefined) return { ok: true, detail: 'Visier sent no X-RateLimit-* headers on the call' };
  const windows = (['minute', 'hour'] as const).flatMap((window) => {
    const remaining = headers[`x-ratelimit-remaining-${window}`];
    const limit = headers[`x-ratelimit-limit-${window}`];
    return remaining === undefined ? [] : [{ window, remaining: Number(remaining), limit }];
  });
  const detail = windows.map((w) => `${w.remaining} of ${w.limit ?? '?'} calls left this ${w.window}`).join(', ');
  return { ok: windows.every((w) => w.remaining > 0), detail: detail || 'no remaining-calls header' };
}

/** Reaches the host, signs in with one cheap read (a page of one user) and reads the rate-limit headroom. */
async function checkVisier(config: Config, sandbox: SandboxHandle | undefined, report: Report): Promise<void> {
  const logger = pino({ level: 'silent' });
  const target = visierConfig(config, sandbox, logger);
  const reach = await reachHost(new URL(target.host));
  report.check(reach.ok, 'reach Visier', reach.ok ? reach.detail : reach.reason);
  if (!reach.ok) {
    report.check(false, 'sign in', 'not tried: the host cannot be reached');
    return;
  }
  const client = new VisierClient(target);
  const tenant = allowedTenants(config, sandbox)?.defaultTenant;
  try {
    await client.listUsers({ limit: 1 }, tenant === undefined ? {} : { tenantCode: tenant });
    report.check(
      true,
      'sign in',
      `${target.auth.kind === 'oauth2' ? 'OAuth2 password grant' : 'ASID token'}, read a user list`,
    );
    const room = headroom(client.stats.rateLimitHeaders);
    report.check(room.ok, 'rate-limit headroom', room.detail);
  } catch (error) {
    report.check(false, 'sign in', signInFailure(error, config, tenant));
  } finally {
    await client.close();
  }
}

/**
 * Any other system: starts it as the server would (its client, or its embedded sandbox), reaches its host and
 * makes its one cheap authenticated read. The system's own message is quoted on failure; no credential is.
 */
async function checkProvider(
  config: Config,
  report: Report,
): Promise<{ tenants: string[]; defaultTenant: string } | undefined> {
  const entry = PROVIDERS[config.provider];
  const { title } = entry.provider;
  let started: StartedProvider;
  try {
    started = await entry.start(config, pino({ level: 'silent' }));
  } catch (error) {
    report.check(false, `start ${title}`, (error as Error).message);
    return undefined;
  }
  try {
    const reach = await reachHost(new URL(started.host));
    report.check(reach.ok, `reach ${title}`, reach.ok ? reach.detail : reach.reason);
    if (!reach.ok) {
      report.check(false, 'sign in', 'not tried: the host cannot be reached');
      return started;
    }
    try {
      report.check(true, 'sign in', await started.probe());
    } catch (error) {
      const said =
        error instanceof VisierApiError ? `${error.system} answered: ${error.message}` : (error as Error).message;
      report.check(false, 'sign in', `${said}; check ${credentialVariables(config.provider).join(', ')}`);
    }
    report.info('call rate', `${title} publishes no limit; a 429's Retry-After is honoured`);
    return started;
  } finally {
    await started.close();
  }
}

/** The audit key's public half and id, derived from the key file; never creates a key. */
function auditKeyLine(config: Config): { ok: boolean; detail: string } {
  if (!existsSync(config.auditKey)) {
    return { ok: true, detail: `${config.auditKey} does not exist yet; the server creates it at first start` };
  }
  const key = readSigningPublicKey(config.auditKey);
  if (key === undefined) return { ok: false, detail: `${config.auditKey} is not an Ed25519 private key (PEM)` };
  const spki = key.export({ type: 'spki', format: 'der' }).toString('base64');
  return { ok: true, detail: `${config.auditKey}: key id ${keyId(key)}, public key (SPKI, base64) ${spki}` };
}

const CHANNEL_WORDS = {
  auto: 'auto (a form when the client offers one, else the approvals page when it runs, else a token)',
  elicitation: 'elicitation only',
  web: 'the approvals page only',
} as const;

/** The confirmation policy in words, per class when the classes differ, with the time each channel allows. */
function confirmationPolicyText(config: Config): string {
  const { confirm } = config;
  const policy =
    typeof confirm === 'string'
      ? CHANNEL_WORDS[confirm]
      : Object.entries(confirm)
          .map(([cls, channel]) => `${cls}: ${CHANNEL_WORDS[channel]}`)
          .join('; ');
  const page = webConfirmed(config) || config.approvalsPort !== undefined;
  return `${policy}, ${config.elicitationTimeoutSeconds} s to answer a form${page ? `, ${config.approvalTimeoutSeconds} s for a click on the approvals page` : ''}`;
}

function printPolicy(
  config: Config,
  allowed: { tenants: string[]; defaultTenant: string } | undefined,
  report: Report,
): void {
  if (allowed === undefined) return;
  const term = PROVIDERS[config.provider].provider.scopeTerm;
  report.info(
    `mode per ${term}`,
    allowed.tenants.map((tenant) => `${tenant} ${modeOf(tenant, config.mode, config.tenantModes)}`).join(', '),
  );
  report.info(`${term} allowlist`, `${allowed.tenants.join(', ')} (default ${allowed.defaultTenant})`);
  report.info('confirmation', confirmationPolicyText(config));
  report.info(
    'caps and budgets',
    `${counted(config.maxItemsPerCall, 'person', 'people')} per call, ${counted(config.maxChangesPerSession, 'change')} per caller, ${counted(config.maxChangesPerHour, 'change')} per hour server-wide`,
  );
  if (config.provider === 'visier') {
    const rate =
      config.rateLimit === false ? 'off' : `${config.rateLimit.perMinute}/min, ${config.rateLimit.perHour}/h`;
    report.info('Visier call rate', rate);
  }
  report.info('audit log', `${config.auditLog}${existsSync(config.auditLog) ? '' : ' (created at first start)'}`);
  const key = auditKeyLine(config);
  report.check(key.ok, 'audit key', key.detail);
  if (config.provider !== 'visier') return;
  report.info(
    'privileged permissions',
    config.privilegedPermissions === undefined
      ? 'administrative ones: all or administrative capabilities, or an Admin/Administrator/Full Access/Superuser name'
      : `exactly these ids or names: ${config.privilegedPermissions.join(', ')}`,
  );
}

/** Whether the flag or variable of `key` was given at all (doctor says "set", never the value). */
function given(key: OptionKey, argv: readonly string[], env: NodeJS.ProcessEnv): boolean {
  const spec: { flag?: string; env?: string } = OPTIONS[key];
  const flagged = spec.flag !== undefined && argv.some((arg) => arg === spec.flag || arg.startsWith(`${spec.flag}=`));
  return flagged || (spec.env !== undefined && Boolean(env[spec.env]));
}

/** Settings only Streamable HTTP serves: given any, doctor checks the configuration as `--http` would run it. */
const HTTP_ONLY: readonly OptionKey[] = ['oauthIssuer', 'publicUrl', 'oauthAudience', 'oauthClientId'];

/** The approvers policy in words: per tenant (`*`: every other), the people each class needs. */
function approversText(policy: NonNullable<Config['approvers']>): string {
  return Object.entries(policy)
    .map(([tenant, counts]) => {
      const classes = Object.entries(counts).map(([cls, n]) => `${cls} ${n}`);
      return `${tenant === '*' ? 'every tenant' : tenant}: ${classes.join(', ') || 'none'}`;
    })
    .join('; ');
}

/** How the server would serve and share state: transport, callers, approvers, sign-in, Redis; no secret's value. */
function printServing(config: Config, secretGiven: boolean, report: Report): void {
  const mcp = config.publicUrl === undefined ? undefined : `${config.publicUrl.replace(/\/$/, '')}/mcp`;
  report.info(
    'transport',
    config.http ? `Streamable HTTP on ${config.host}:${config.port}${mcp ? `, reached at ${mcp}` : ''}` : 'stdio',
  );
  if (config.http) {
    report.info(
      'callers',
      config.oauthIssuer !== undefined
        ? `OAuth access tokens of ${config.oauthIssuer}, aud ${config.oauthAudience ?? mcp}`
        : config.httpToken !== undefined
          ? 'one static bearer token (VISIER_MCP_HTTP_TOKEN set)'
          : 'loopback, no token',
    );
  }
  report.info('approvers', config.approvers === undefined ? 'none asked for' : approversText(config.approvers));
  if (pageSignIn(config)) {
    const secret =
      config.oauthClientSecret === undefined ? 'a public client, PKCE only' : 'VISIER_MCP_OAUTH_CLIENT_SECRET set';
    report.info('approvals sign-in', `client ${config.oauthClientId} (${secret})`);
  }
  report.info(
    'shared state',
    config.redisUrl === undefined
      ? 'none: this process alone (no --redis-url)'
      : `Redis at ${redactedUrl(config.redisUrl)}`,
  );
  report.info(
    'confirmation secret',
    secretGiven
      ? 'VISIER_MCP_CONFIRM_SECRET set'
      : 'random per process (tokens survive neither a restart nor another replica)',
  );
}

/** Redis as a replica reaches it at start (RedisStore.connect), then PING and its version. */
async function checkRedis(url: string, report: Report): Promise<void> {
  let store: RedisStore;
  try {
    store = await RedisStore.connect(url);
  } catch (error) {
    report.check(false, 'Redis', (error as Error).message);
    return;
  }
  try {
    await store.ping();
    report.check(true, 'Redis', `${redactedUrl(url)} answered PING; Redis ${await store.serverVersion()}`);
  } catch (error) {
    report.check(false, 'Redis', (error as Error).message);
  } finally {
    await store.close();
  }
}

/**
 * The issuer as the server reads it before listening (configuredResource: discovery, the SDK's metadata checks),
 * its JWKS as a token's check reads it, and the resource metadata the server would serve.
 */
async function checkIssuer(config: Config, report: Report): Promise<void> {
  let resource: ProtectedResource;
  try {
    resource = (await configuredResource(config)) as ProtectedResource;
  } catch (error) {
    report.check(false, 'issuer', (error as Error).message);
    report.check(false, 'issuer keys', 'not tried: the issuer could not be read');
    return;
  }
  report.check(true, 'issuer', `${config.oauthIssuer}: metadata read`);
  try {
    const keys = await resource.readKeys();
    report.check(
      keys > 0,
      'issuer keys',
      keys > 0 ? `${counted(keys, 'key')} in its JWKS` : 'its JWKS holds no key: no token could be verified',
    );
  } catch (error) {
    report.check(false, 'issuer keys', `its JWKS could not be read (${(error as Error).message})`);
  }
  const served = resource.metadataResponse(new Request(resource.resourceMetadataUrl));
  const document = (await served?.json()) as
    | { resource?: string; authorization_servers?: string[]; scopes_supported?: string[] }
    | undefined;
  report.info(
    'resource metadata',
    `${resource.resourceMetadataUrl}: resource ${document?.resource}, authorization servers ${document?.authorization_servers?.join(', ')}, scopes ${document?.scopes_supported?.join(' ')}`,
  );
}

/** The approvals page's sign-in as its first sign-in reads the issuer (PageSignIn), and what to register. */
async function checkSignIn(config: Config, report: Report): Promise<void> {
  if (!pageSignIn(config)) return;
  const flow = signInFlowOf({
    issuer: config.oauthIssuer,
    clientId: config.oauthClientId,
    publicUrl: config.publicUrl,
    stateSecret: config.confirmSecret,
    ...(config.oauthAudience === undefined ? {} : { audience: config.oauthAudience }),
    ...(config.oauthClientSecret === undefined ? {} : { clientSecret: config.oauthClientSecret }),
  });
  try {
    const { authorizationEndpoint, pkceS256, redirectUri } = await flow.check();
    report.check(
      pkceS256,
      'approvals sign-in',
      pkceS256
        ? `people sign in at ${authorizationEndpoint}; register ${redirectUri} as client ${config.oauthClientId}'s redirect URI`
        : `the issuer does not offer PKCE with S256 (code_challenge_methods_supported), which every sign-in uses`,
    );
  } catch (error) {
    report.check(false, 'approvals sign-in', (error as Error).message);
  }
}

/**
 * `doctor [flags]`: loads the configuration as the server does (same flags and variables; `--http` implied by an
 * OAuth setting), prints how it would serve (transport, callers, approvers, sign-in, Redis), checks Redis (connect,
 * PING, version), the issuer (discovery, JWKS, the resource metadata it would serve), the approvals sign-in and
 * Visier (DNS, TCP, TLS, sign-in, rate-limit headroom), and prints the effective guard policy, on stdout, one line each.
 * With `--sandbox` (or no credentials) the checks run against an in-process sandbox. No secret is printed.
 * Returns EXIT.ok, EXIT.usage for a configuration error, EXIT.runtime when any check failed.
 */
export async function doctorCommand(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const report = new Report();
  const asHttp = !argv.includes('--http') && HTTP_ONLY.some((key) => given(key, argv, env));
  let config: Config;
  try {
    config = loadConfig(asHttp ? ['--http', ...argv] : argv, env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    report.check(false, 'configuration', error.message);
    return EXIT.usage;
  }
  const { title } = PROVIDERS[config.provider].provider;
  report.check(
    true,
    'configuration',
    config.sandbox
      ? `SANDBOX (demo data, not ${title}): ${sandboxReason(config)}`
      : config.provider === 'visier'
        ? `Visier at ${config.visierHost}`
        : title,
  );
  if (asHttp) report.info('checked as', '--http (the OAuth settings given serve Streamable HTTP only)');
  printServing(config, given('confirmSecret', argv, env), report);
  if (config.redisUrl !== undefined) await checkRedis(config.redisUrl, report);
  if (config.oauthIssuer !== undefined) await checkIssuer(config, report);
  await checkSignIn(config, report);
  if (config.provider !== 'visier') {
    printPolicy(config, await checkProvider(config, report), report);
  } else {
    const sandbox = config.sandbox ? await startSandbox({ rateLimit: config.rateLimit }) : undefined;
    try {
      await checkVisier(config, sandbox, report);
      printPolicy(config, allowedTenants(config, sandbox), report);
    } finally {
      await sandbox?.close();
    }
  }
  process.stdout.write(report.failures === 0 ? 'all checks passed\n' : `${counted(report.failures, 'check')} failed\n`);
  return report.failures === 0 ? EXIT.ok : EXIT.runtime;
}
