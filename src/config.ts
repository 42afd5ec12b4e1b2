import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { COMMANDS } from './commands.js';
import { approversPolicy, approversSummary } from './guards/approvers.js';
import { DEFAULT_CAPS } from './guards/caps.js';
import {
  CONFIRM_CHANNELS as CHANNELS,
  type ConfirmPolicy as Channel,
  CONFIRMED_CLASSES,
  type ConfirmedClass,
  policyFor,
} from './guards/guard.js';
import { isPlaceholder, PLACEHOLDER_RULE } from './placeholders.js';
import { isLoopback } from './transports/loopback.js';

// All configuration in one schema: every flag, its environment variable and its rule, so a bad value stops
// start-up with a message naming the flag or variable that carried it. Flags win over the environment.

type Kind = 'boolean' | 'string';

interface OptionSpec {
  flag?: string;
  env?: string;
  kind: Kind;
  /** One line for `--help` and the docs table. */
  help: string;
  /** The default in words, where it is worked out at start-up rather than a value of the schema. */
  computed?: string;
}

export const OPTIONS = {
  provider: {
    flag: '--provider',
    env: 'VISIER_MCP_PROVIDER',
    kind: 'string',
    help: 'The system served: visier, sisense (Sisense for Cloud Data Teams) or salescookie',
  },
  sandbox: {
    flag: '--sandbox',
    env: 'VISIER_SANDBOX',
    kind: 'boolean',
    help: 'Serve the built-in demo tenant',
    computed: 'on without Visier credentials',
  },
  mode: { flag: '--mode', env: 'VISIER_MCP_MODE', kind: 'string', help: 'read-only, user-writes or full' },
  tenants: {
    flag: '--tenants',
    env: 'VISIER_MCP_TENANTS',
    kind: 'string',
    help: 'Comma-separated tenant allowlist',
    computed: 'VISIER_TENANT_CODE',
  },
  tenantModes: {
    flag: '--tenant-modes',
    env: 'VISIER_MCP_TENANT_MODES',
    kind: 'string',
    help: 'JSON file mapping tenant codes to modes',
  },
  http: { flag: '--http', kind: 'boolean', help: 'Serve Streamable HTTP at /mcp instead of stdio', computed: 'stdio' },
  port: { flag: '--port', env: 'VISIER_MCP_PORT', kind: 'string', help: 'HTTP port (0 picks a free one)' },
  host: { flag: '--host', env: 'VISIER_MCP_HOST', kind: 'string', help: 'HTTP bind address' },
  httpToken: {
    env: 'VISIER_MCP_HTTP_TOKEN',
    kind: 'string',
    help: 'Bearer token HTTP clients must send; required off loopback',
  },
  oauthIssuer: {
    flag: '--oauth-issuer',
    env: 'VISIER_MCP_OAUTH_ISSUER',
    kind: 'string',
    help: 'OAuth 2.1 issuer whose access tokens HTTP accepts (each caller a person; needs --public-url)',
  },
  publicUrl: {
    flag: '--public-url',
    env: 'VISIER_MCP_PUBLIC_URL',
    kind: 'string',
    help: 'The URL clients reach this server at (e.g. https://mcp.example.com); the OAuth resource is <public-url>/mcp',
  },
  oauthAudience: {
    flag: '--oauth-audience',
    env: 'VISIER_MCP_OAUTH_AUDIENCE',
    kind: 'string',
    help: "What access tokens' aud must contain",
    computed: 'the resource URL, <public-url>/mcp',
  },
  allowedHosts: {
    flag: '--allowed-hosts',
    env: 'VISIER_MCP_ALLOWED_HOSTS',
    kind: 'string',
    help: 'Extra Host names HTTP accepts (comma-separated)',
  },
  allowedOrigins: {
    flag: '--allowed-origins',
    env: 'VISIER_MCP_ALLOWED_ORIGINS',
    kind: 'string',
    help: 'Browser Origins HTTP accepts (comma-separated)',
  },
  sessionIdleSeconds: {
    flag: '--session-idle-seconds',
    env: 'VISIER_MCP_SESSION_IDLE_SECONDS',
    kind: 'string',
    help: 'Close HTTP sessions idle this long',
  },
  maxSessions: {
    flag: '--max-sessions',
    env: 'VISIER_MCP_MAX_SESSIONS',
    kind: 'string',
    help: 'Concurrent HTTP sessions at most',
  },
  auditLog: {
    flag: '--audit-log',
    env: 'VISIER_MCP_AUDIT_LOG',
    kind: 'string',
    help: 'Audit log file (JSON lines)',
    computed: '$XDG_STATE_HOME/visier-admin-mcp/audit.jsonl, audit-sandbox.jsonl for the sandbox',
  },
  auditKey: {
    flag: '--audit-key',
    env: 'VISIER_MCP_AUDIT_KEY',
    kind: 'string',
    help: 'Ed25519 private key (PEM) that signs every audit line and the checkpoints',
    computed: '$XDG_STATE_HOME/visier-admin-mcp/audit-key.pem',
  },
  journal: {
    flag: '--journal',
    env: 'VISIER_MCP_JOURNAL',
    kind: 'string',
    help: 'Change journal file (JSON lines): the prior state of every change, for list_recent_changes and undo_change',
    computed: 'journal.jsonl beside the audit log, journal-sandbox.jsonl for the sandbox',
  },
  auditAnchor: {
    flag: '--audit-anchor',
    env: 'VISIER_MCP_AUDIT_ANCHOR',
    kind: 'string',
    help: 'Also send each audit checkpoint to an http(s) webhook or syslog://host:port',
  },
  confirm: {
    flag: '--confirm',
    env: 'VISIER_MCP_CONFIRM',
    kind: 'string',
    help: 'auto, elicitation or web (the approvals page), or per class, e.g. access=web,destructive=web,write=auto',
  },
  approvers: {
    flag: '--approvers',
    env: 'VISIER_MCP_APPROVERS',
    kind: 'string',
    help: 'Distinct people who must approve on the approvals page, per class (write, access, privileged, destructive), optionally per tenant, e.g. access=1,privileged=2 or acme:access=2;*:access=1; a class needing 1+ is confirmed on the page, more than 1 needs sign-in (--oauth-client-id)',
  },
  oauthClientId: {
    flag: '--oauth-client-id',
    env: 'VISIER_MCP_OAUTH_CLIENT_ID',
    kind: 'string',
    help: 'OpenID Connect client id of the approvals page: with --oauth-issuer and --public-url, approvers sign in at <public-url>/approvals/',
  },
  oauthClientSecret: {
    env: 'VISIER_MCP_OAUTH_CLIENT_SECRET',
    kind: 'string',
    help: "The approvals page client's secret (none: a public client, PKCE only)",
  },
  approvalsPort: {
    flag: '--approvals-port',
    env: 'VISIER_MCP_APPROVALS_PORT',
    kind: 'string',
    help: 'Serve the approvals page on 127.0.0.1 at this port (started anyway when a class is confirmed by web)',
    computed: 'a free port, when the page runs',
  },
  noOpen: {
    flag: '--no-open',
    env: 'VISIER_MCP_NO_OPEN',
    kind: 'boolean',
    help: "Do not open the approvals page's link in a browser at start-up",
  },
  approvalTimeoutSeconds: {
    flag: '--approval-timeout-seconds',
    env: 'VISIER_MCP_APPROVAL_TIMEOUT_SECONDS',
    kind: 'string',
    help: 'How long a change waits for a click on the approvals page before it is refused',
  },
  elicitationTimeoutSeconds: {
    flag: '--elicitation-timeout-seconds',
    env: 'VISIER_MCP_ELICITATION_TIMEOUT_SECONDS',
    kind: 'string',
    help: 'How long a person has to answer an approval form',
  },
  confirmSecret: {
    flag: '--confirm-secret',
    env: 'VISIER_MCP_CONFIRM_SECRET',
    kind: 'string',
    help: 'HMAC key for confirmation tokens (16+ chars); required with --redis-url, the same on every replica',
    computed: 'random per process',
  },
  conformanceFixtures: {
    flag: '--conformance-fixtures',
    env: 'VISIER_MCP_CONFORMANCE_FIXTURES',
    kind: 'boolean',
    help: "Test only, sandbox only: also serve the MCP conformance suite's test_* fixtures",
  },
  reportDir: {
    flag: '--report-dir',
    env: 'VISIER_MCP_REPORT_DIR',
    kind: 'string',
    help: 'Directory get_report may save XLSX files in',
  },
  maxResultChars: {
    flag: '--max-result-chars',
    env: 'VISIER_MCP_MAX_RESULT_CHARS',
    kind: 'string',
    help: 'Text size cap of one tool result',
  },
  privilegedPermissions: {
    flag: '--privileged-permissions',
    env: 'VISIER_MCP_PRIVILEGED_PERMISSIONS',
    kind: 'string',
    help: 'Permission ids or names previews flag as privileged (comma-separated)',
  },
  maxItemsPerCall: {
    flag: '--max-items-per-call',
    env: 'VISIER_MCP_MAX_ITEMS_PER_CALL',
    kind: 'string',
    help: 'Users or groups one call may touch',
  },
  maxChangesPerSession: {
    flag: '--max-changes-per-session',
    env: 'VISIER_MCP_MAX_CHANGES_PER_SESSION',
    kind: 'string',
    help: 'Changes one caller may make, all its sessions together',
  },
  maxChangesPerHour: {
    flag: '--max-changes-per-hour',
    env: 'VISIER_MCP_MAX_CHANGES_PER_HOUR',
    kind: 'string',
    help: 'Changes the server may make per rolling hour',
  },
  rateLimit: {
    flag: '--rate-limit',
    env: 'VISIER_RATE_LIMIT',
    kind: 'string',
    help: "Visier calls per minute/hour, e.g. 100/6000 (Visier's), or off",
  },
  redisUrl: {
    flag: '--redis-url',
    env: 'VISIER_MCP_REDIS_URL',
    kind: 'string',
    help: 'Redis shared by replicas: spent tokens and approvals, Visier rate budget (redis:// or rediss://)',
  },
  cacheTtlSeconds: {
    flag: '--cache-ttl-seconds',
    env: 'VISIER_MCP_CACHE_TTL_SECONDS',
    kind: 'string',
    help: 'Reuse Visier reads this long; any write clears them (0: off)',
  },
  directoryTtlSeconds: {
    flag: '--directory-ttl-seconds',
    env: 'VISIER_MCP_DIRECTORY_TTL_SECONDS',
    kind: 'string',
    help: 'Reuse a directory snapshot (find_users, answers) this long; any write clears it (0: read live each time)',
  },
  logLevel: { flag: '--log-level', env: 'VISIER_MCP_LOG_LEVEL', kind: 'string', help: 'pino level (stderr)' },
  visierHost: { env: 'VISIER_HOST', kind: 'string', help: 'Visier API base URL' },
  apiKey: { env: 'VISIER_API_KEY', kind: 'string', help: 'Visier API key' },
  username: { env: 'VISIER_USERNAME', kind: 'string', help: 'Visier API user' },
  password: { env: 'VISIER_PASSWORD', kind: 'string', help: "Visier API user's password" },
  clientId: { env: 'VISIER_CLIENT_ID', kind: 'string', help: 'OAuth2 client id (password grant)' },
  clientSecret: { env: 'VISIER_CLIENT_SECRET', kind: 'string', help: 'OAuth2 client secret' },
  tenantCode: { env: 'VISIER_TENANT_CODE', kind: 'string', help: 'Default tenant code' },
  projectId: { env: 'VISIER_PROJECT_ID', kind: 'string', help: 'Default Visier project id' },
  sisenseHost: {
    env: 'SISENSE_HOST',
    kind: 'string',
    help: 'Sisense for Cloud Data Teams API host (default https://api.periscopedata.com)',
  },
  sisenseSites: {
    env: 'SISENSE_PARTNER_AUTH',
    kind: 'string',
    help: 'Comma-separated SITE:API_KEY pairs, one per Sisense site (the first is the default)',
  },
  salescookieHost: {
    env: 'SALESCOOKIE_HOST',
    kind: 'string',
    help: 'Sales Cookie base URL up to /app (default https://salescookie.com/app)',
  },
  salescookieApiKey: { env: 'SALESCOOKIE_API_KEY', kind: 'string', help: "A Sales Cookie full admin's API key" },
  salescookieWorkspace: {
    env: 'SALESCOOKIE_WORKSPACE',
    kind: 'string',
    help: 'Name of the Sales Cookie workspace the key belongs to, for the allowlist and the audit',
    computed: 'salescookie',
  },
} as const satisfies Record<string, OptionSpec>;

type Key = keyof typeof OPTIONS;

const MODES = ['read-only', 'user-writes', 'full'] as const;
const bool = z
  .union([z.boolean(), z.enum(['1', 'true', 'yes', '0', 'false', 'no', ''])])
  .transform((v) => v === true || v === '1' || v === 'true' || v === 'yes');
const int = (min: number, max: number) =>
  z.string().regex(/^\d+$/, 'must be a whole number').transform(Number).pipe(z.number().int().min(min).max(max));
const list = z
  .string()
  .transform((v) =>
    v
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  )
  .pipe(z.array(z.string().min(1).max(256)).min(1, 'must name at least one'));
const secret = z.string().min(1);
const rateLimit = z
  .string()
  .regex(/^(off|\d+\/\d+)$/, 'must be PER_MINUTE/PER_HOUR (e.g. 100/6000) or off')
  .transform((v) => {
    if (v === 'off') return false as const;
    const [perMinute, perHour] = v.split('/').map(Number) as [number, number];
    return { perMinute, perHour };
  })
  .refine((v) => v === false || (v.perMinute > 0 && v.perHour > 0), 'both limits must be above 0');

/**
 * `auto`, `elicitation` or `web` for every class, or `CLASS=CHANNEL` pairs (`access=web,destructive=web,write=auto`);
 * a class left out is `auto`. Each class at most once.
 */
const confirmPolicies = z.string().transform((value, ctx): Channel | Record<ConfirmedClass, Channel> => {
  const isChannel = (v: string): v is Channel => (CHANNELS as readonly string[]).includes(v);
  if (isChannel(value)) return value;
  const policies: Record<ConfirmedClass, Channel> = { write: 'auto', access: 'auto', destructive: 'auto' };
  const seen = new Set<string>();
  for (const pair of value.split(',').map((p) => p.trim())) {
    const [name = '', channel = '', ...extra] = pair.split('=');
    const known = (CONFIRMED_CLASSES as readonly string[]).includes(name);
    if (!known || !isChannel(channel) || extra.length > 0 || seen.has(name)) {
      ctx.addIssue({
        code: 'custom',
        message: `must be ${CHANNELS.join(', ')}, or CLASS=CHANNEL pairs with CLASS one of ${CONFIRMED_CLASSES.join(', ')}, each once (e.g. access=web,destructive=web,write=auto); '${pair}' is not`,
      });
      return z.NEVER;
    }
    seen.add(name);
    policies[name as ConfirmedClass] = channel;
  }
  return policies;
});

/** An API base URL; without its scheme (a bare host name) it names no protocol, so say which one. */
const apiUrl = z.url({
  protocol: /^https?$/,
  error: 'must be a URL starting with https:// (http:// only for a local look-alike), e.g. https://host.example.com',
});

export const PROVIDER_IDS = ['visier', 'sisense', 'salescookie'] as const;
export type ProviderId = (typeof PROVIDER_IDS)[number];

/** `SITE:KEY` pairs: the site slug and its API key, as Sisense's `HTTP-X-PARTNER-AUTH` header carries them. */
const siteKeys = z
  .string()
  .transform((v) =>
    v
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  )
  .pipe(
    z
      .array(z.string().regex(/^[^:\s,]+:[^\s,]+$/, 'each entry must be SITE:API_KEY'))
      .min(1, 'must name at least one SITE:API_KEY'),
  )
  .transform((pairs) =>
    pairs.map((pair) => {
      const at = pair.indexOf(':');
      return { site: pair.slice(0, at), apiKey: pair.slice(at + 1) };
    }),
  );

const schema = z.strictObject({
  provider: z.enum(PROVIDER_IDS).default('visier'),
  sandbox: bool.default(false),
  mode: z.enum(MODES).default('read-only'),
  tenants: list.optional(),
  tenantModes: z.string().min(1).optional(),
  http: bool.default(false),
  port: int(0, 65535).default(3333),
  host: z.string().min(1).default('127.0.0.1'),
  httpToken: z.string().min(16, 'must be at least 16 characters').optional(),
  oauthIssuer: apiUrl.optional(),
  publicUrl: apiUrl.optional(),
  oauthAudience: z.string().min(1).max(2048).optional(),
  allowedHosts: list.optional(),
  allowedOrigins: list.optional(),
  sessionIdleSeconds: int(1, 86_400).default(1800),
  maxSessions: int(1, 10_000).default(100),
  auditLog: z.string().min(1).optional(),
  auditKey: z.string().min(1).optional(),
  journal: z.string().min(1).optional(),
  auditAnchor: z
    .url({ protocol: /^(https?|syslog)$/, error: 'must be an http(s) URL or syslog://host:port' })
    .optional(),
  confirm: confirmPolicies.prefault('auto'),
  approvers: approversPolicy.optional(),
  oauthClientId: z.string().min(1).max(256).optional(),
  oauthClientSecret: secret.optional(),
  approvalsPort: int(0, 65535).optional(),
  noOpen: bool.default(false),
  approvalTimeoutSeconds: int(10, 86_400).default(300),
  elicitationTimeoutSeconds: int(10, 3600).default(120),
  confirmSecret: z.string().min(16, 'must be at least 16 characters').optional(),
  conformanceFixtures: bool.default(false),
  reportDir: z.string().min(1).optional(),
  maxResultChars: int(1000, 1_000_000).default(20_000),
  privilegedPermissions: list.optional(),
  maxItemsPerCall: int(1, 10_000).default(DEFAULT_CAPS.maxItemsPerCall),
  maxChangesPerSession: int(1, 1_000_000).default(DEFAULT_CAPS.maxChangesPerSession),
  maxChangesPerHour: int(1, 10_000_000).default(DEFAULT_CAPS.maxChangesPerHour),
  // Defaulted as written (prefault), so `--help` shows the default in the form a person types.
  rateLimit: rateLimit.prefault('100/6000'),
  redisUrl: z.url({ protocol: /^rediss?$/, error: 'must be a redis:// or rediss:// URL' }).optional(),
  cacheTtlSeconds: int(0, 3600).default(15),
  directoryTtlSeconds: int(0, 86_400).default(300),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  visierHost: apiUrl.optional(),
  apiKey: secret.optional(),
  username: secret.optional(),
  password: secret.optional(),
  clientId: secret.optional(),
  clientSecret: secret.optional(),
  tenantCode: z.string().min(1).max(256).optional(),
  sisenseHost: apiUrl.optional(),
  sisenseSites: siteKeys.optional(),
  salescookieHost: apiUrl.optional(),
  salescookieApiKey: secret.optional(),
  salescookieWorkspace: z.string().min(1).max(256).optional(),
  projectId: z.string().min(1).max(256).optional(),
});

type Parsed = z.output<typeof schema>;

export type Mode = (typeof MODES)[number];

export interface Config extends Omit<Parsed, 'tenantModes' | 'confirmSecret' | 'auditLog' | 'auditKey' | 'journal'> {
  tenantModes?: Record<string, Mode>;
  confirmSecret: string;
  auditLog: string;
  auditKey: string;
  journal: string;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Where a value came from, as the person who set it wrote it. */
function sourceName(key: Key, fromFlag: boolean): string {
  const spec: OptionSpec = OPTIONS[key];
  return fromFlag && spec.flag ? spec.flag : (spec.env ?? spec.flag ?? key);
}

function parseArgv(argv: readonly string[]): Map<Key, string | boolean> {
  const byFlag = new Map<string, Key>();
  for (const [key, spec] of Object.entries(OPTIONS) as [Key, OptionSpec][]) if (spec.flag) byFlag.set(spec.flag, key);
  const values = new Map<Key, string | boolean>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const eq = arg.indexOf('=');
    const name = eq === -1 ? arg : arg.slice(0, eq);
    const key = byFlag.get(name);
    if (key === undefined && !name.startsWith('-')) {
      throw new ConfigError(
        `unknown command ${name}: the commands are ${Object.keys(COMMANDS).join(', ')} (see --help)`,
      );
    }
    if (key === undefined) throw new ConfigError(`unknown flag ${name} (see --help)`);
    const spec: OptionSpec = OPTIONS[key];
    if (spec.kind === 'boolean') {
      values.set(key, eq === -1 ? true : arg.slice(eq + 1));
    } else if (eq !== -1) {
      values.set(key, arg.slice(eq + 1));
    } else {
      const value = argv[++i];
      if (value === undefined || value.startsWith('--')) throw new ConfigError(`${name}: needs a value`);
      values.set(key, value);
    }
  }
  return values;
}

function stateDir(env: NodeJS.ProcessEnv): string {
  return join(env.XDG_STATE_HOME || join(homedir(), '.local', 'state'), 'visier-admin-mcp');
}

function readTenantModes(file: string, source: string): Record<string, Mode> {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ConfigError(`${source}: cannot read ${file} as JSON (${(error as Error).message})`);
  }
  const parsed = z.record(z.string().min(1), z.enum(MODES)).safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError(`${source}: ${file} must map tenant codes to ${MODES.join(', ')}`);
  }
  return parsed.data;
}

/**
 * Each provider's credential variables, by config key: a real system needs all of `required`, and all of
 * `together` or none of them. Visier: ASID token login, or with both OAuth2 ones the password grant instead.
 */
const CREDENTIALS: Record<
  ProviderId,
  { name: string; term: string; required: readonly Key[]; together: readonly Key[] }
> = {
  visier: {
    name: 'Visier',
    term: 'tenant',
    required: ['visierHost', 'apiKey', 'username', 'password'],
    together: ['clientId', 'clientSecret'],
  },
  sisense: { name: 'Sisense', term: 'site', required: ['sisenseSites'], together: [] },
  salescookie: { name: 'Sales Cookie', term: 'workspace', required: ['salescookieApiKey'], together: [] },
};

/**
 * What a partial credential set lacks, named by variable; undefined when none is set (the sandbox) or the set is
 * complete. Complete: VISIER_HOST, VISIER_API_KEY, VISIER_USERNAME and VISIER_PASSWORD (ASID token login), plus
 * VISIER_CLIENT_ID and VISIER_CLIENT_SECRET together for the OAuth2 password grant instead.
 */
function missingCredentials(provider: ProviderId, values: Partial<Record<Key, unknown>>): string | undefined {
  const { name, term, required, together } = CREDENTIALS[provider];
  const given = [...required, ...together].filter((key) => values[key] !== undefined);
  if (given.length === 0) return undefined;
  const paired = together.some((key) => values[key] !== undefined);
  const missing = [...required, ...(paired ? together : [])].filter((key) => values[key] === undefined);
  if (missing.length === 0) return undefined;
  const names = (keys: readonly Key[]) => keys.map((key) => (OPTIONS[key] as OptionSpec).env).join(', ');
  return `incomplete ${name} credentials: ${names(given)} set but ${names(missing)} missing (a ${term} needs ${names(required)}${paired ? `, and ${names(together)} together` : ''}; unset them all, or pass --sandbox, for the demo ${term})`;
}

/** The variables that carry a provider's credentials, for messages that say what to check. */
export function credentialVariables(provider: ProviderId): string[] {
  const { required, together } = CREDENTIALS[provider];
  return [...required, ...together].map((key) => (OPTIONS[key] as OptionSpec).env as string);
}

/** Whether any of the provider's credentials is set (then all must be: see missingCredentials). */
function hasCredentialsFor(provider: ProviderId, values: Partial<Record<Key, unknown>>): boolean {
  return CREDENTIALS[provider].required.some((key) => values[key] !== undefined);
}

/**
 * The tenant allowlist where the configuration alone settles it (as registry/visier.ts allowedTenants builds it):
 * --tenants, else VISIER_TENANT_CODE against a real Visier. Undefined where the provider or the sandbox settles it.
 */
function knownAllowlist(
  values: Pick<Parsed, 'provider' | 'tenants' | 'tenantCode'>,
  sandbox: boolean,
): string[] | undefined {
  if (values.provider !== 'visier') return undefined;
  if (values.tenants !== undefined) return values.tenants;
  return sandbox || values.tenantCode === undefined ? undefined : [values.tenantCode];
}

/**
 * Why the sandbox serves, in words for the person who started it: asked for, or no credentials to use. Only
 * meaningful when `config.sandbox` is on.
 */
export function sandboxReason(config: Config): string {
  return hasCredentialsFor(config.provider, config)
    ? '--sandbox or VISIER_SANDBOX given (the credentials set are not used)'
    : `no ${CREDENTIALS[config.provider].name} credentials set`;
}

/**
 * OAuth needs HTTP and the public URL (the resource tokens are issued for), and replaces the static bearer: with an
 * issuer every caller is a person, and one shared bearer would name nobody, so the two together are refused.
 */
function checkOAuth(values: Parsed, flags: Map<Key, string | boolean>): void {
  const issuer = sourceName('oauthIssuer', flags.has('oauthIssuer'));
  if (values.oauthIssuer === undefined) {
    for (const key of ['publicUrl', 'oauthAudience'] as const) {
      if (values[key] !== undefined)
        throw new ConfigError(`${sourceName(key, flags.has(key))}: only with --oauth-issuer`);
    }
    return;
  }
  if (!values.http) throw new ConfigError(`${issuer}: OAuth protects Streamable HTTP; add --http`);
  if (values.publicUrl === undefined) {
    throw new ConfigError(
      `${issuer}: needs --public-url (VISIER_MCP_PUBLIC_URL), the URL clients reach this server at, e.g. https://mcp.example.com`,
    );
  }
  if (values.httpToken !== undefined) {
    throw new ConfigError(
      `${issuer} and VISIER_MCP_HTTP_TOKEN: choose one; with an issuer each person brings their own token, and a shared bearer would name nobody`,
    );
  }
}

/**
 * Flags over environment, validated as one; throws ConfigError naming the flag or variable at fault. An empty
 * variable counts as unset: desktop bundles pass optional fields left blank as "".
 */
export function loadConfig(argv: readonly string[], env: NodeJS.ProcessEnv): Config {
  const flags = parseArgv(argv);
  const input: Record<string, string | boolean> = {};
  for (const [key, spec] of Object.entries(OPTIONS) as [Key, OptionSpec][]) {
    // A variable set to "" is unset: desktop clients (MCP Bundles) pass "" for a field the user left blank.
    const value = flags.get(key) ?? (spec.env ? env[spec.env] || undefined : undefined);
    if (value !== undefined) input[key] = value;
    if (typeof value === 'string' && isPlaceholder(value)) {
      throw new ConfigError(
        `${sourceName(key, flags.has(key))}: holds a placeholder (${PLACEHOLDER_RULE}), not a real value; set it from your secret store or configuration`,
      );
    }
  }
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const key = issue?.path[0] as Key | undefined;
    const where = key && key in OPTIONS ? sourceName(key, flags.has(key)) : 'configuration';
    throw new ConfigError(`${where}: ${issue?.message ?? 'invalid value'}`);
  }
  const { tenantModes, confirmSecret, auditLog, auditKey, journal, ...rest } = parsed.data;
  // Asked for explicitly, the sandbox ignores credentials; otherwise a partial set is a mistake, never demo data.
  const incomplete = rest.sandbox ? undefined : missingCredentials(rest.provider, rest);
  if (incomplete !== undefined) throw new ConfigError(incomplete);
  const hasCredentials = hasCredentialsFor(rest.provider, rest);
  // Fixtures answer without Visier and are no part of the product: never next to a real tenant.
  if (rest.conformanceFixtures && hasCredentials && !rest.sandbox) {
    throw new ConfigError('--conformance-fixtures: test only, allowed only with the sandbox (--sandbox)');
  }
  const sandbox = rest.sandbox || !hasCredentials;
  // Sisense names its sites in SISENSE_PARTNER_AUTH and a Sales Cookie key is one workspace: only Visier needs telling.
  if (!sandbox && rest.provider === 'visier' && rest.tenantCode === undefined && rest.tenants === undefined) {
    throw new ConfigError('VISIER_TENANT_CODE or --tenants: name the tenant(s) this server may touch');
  }
  checkOAuth(rest, flags);
  // A replica's random secret verifies only its own tokens: behind a load balancer a confirmation would then
  // fail whenever the confirming call reaches another replica, which is what --redis-url is for.
  if (rest.redisUrl !== undefined && confirmSecret === undefined) {
    throw new ConfigError(
      `VISIER_MCP_CONFIRM_SECRET (--confirm-secret): required with ${sourceName('redisUrl', flags.has('redisUrl'))}; replicas sharing state must share the secret that signs confirmation tokens (16+ random characters, the same on every replica)`,
    );
  }
  // Checked here rather than when the listener starts: a configuration error starts nothing and exits 2.
  if (rest.http && !isLoopback(rest.host) && rest.httpToken === undefined && rest.oauthIssuer === undefined) {
    throw new ConfigError(
      `VISIER_MCP_HTTP_TOKEN: required when binding ${rest.host} (${sourceName('host', flags.has('host'))}), a non-loopback address; set a bearer token of 16+ characters or bind 127.0.0.1`,
    );
  }
  // A value not given at all is named by its flag, the way most people set it.
  checkApprovers(rest, (key) => sourceName(key, flags.has(key) || input[key] === undefined));
  const modesSource = sourceName('tenantModes', flags.has('tenantModes'));
  const modes = tenantModes === undefined ? undefined : readTenantModes(tenantModes, modesSource);
  const allowlist = knownAllowlist(rest, sandbox);
  const stray = allowlist && Object.keys(modes ?? {}).find((tenant) => !allowlist.includes(tenant));
  if (stray) {
    throw new ConfigError(
      `${modesSource}: names tenant '${stray}', not in the tenant allowlist (${allowlist.join(', ')}); add it to --tenants or remove it`,
    );
  }
  const log = auditLog ?? join(stateDir(env), sandbox ? 'audit-sandbox.jsonl' : 'audit.jsonl');
  return {
    ...rest,
    // No Visier credentials at all: the embedded sandbox, so a first run shows something real.
    sandbox,
    ...(modes === undefined ? {} : { tenantModes: modes }),
    // Random per process unless set: tokens then survive neither a restart nor another replica.
    confirmSecret: confirmSecret ?? randomBytes(32).toString('base64url'),
    // Demo calls never land in a real tenant's log, nor extend its chain.
    auditLog: log,
    auditKey: auditKey ?? join(stateDir(env), 'audit-key.pem'),
    // Beside the audit log its entries link to; the sandbox's undo records never mix with a real tenant's.
    journal: journal ?? join(dirname(log), sandbox ? 'journal-sandbox.jsonl' : 'journal.jsonl'),
  };
}

/** Whether approvers sign in to the page through the issuer: then the page is served at `<public-url>/approvals/`. */
export function pageSignIn(
  config: Pick<Config, 'oauthIssuer' | 'oauthClientId' | 'publicUrl'>,
): config is typeof config & { oauthIssuer: string; oauthClientId: string; publicUrl: string } {
  return config.oauthIssuer !== undefined && config.oauthClientId !== undefined && config.publicUrl !== undefined;
}

/**
 * An approvers policy the rest of the configuration cannot honour stops start-up: a class it sends to the page
 * that `--confirm` keeps in the client, more than one approver where the page cannot tell people apart (the
 * loopback link), a page without sign-in where people call the server through the issuer, or sign-in half
 * configured.
 */
function checkApprovers(values: Parsed, source: (key: Key) => string): void {
  const signIn = [values.oauthIssuer, values.oauthClientId, values.publicUrl].filter((v) => v !== undefined).length;
  if (values.oauthClientId !== undefined && signIn < 3) {
    throw new ConfigError(
      `${source('oauthClientId')}: the approvals page's sign-in needs ${source('oauthIssuer')} and ${source('publicUrl')} too (the callback is <public-url>/approvals/callback)`,
    );
  }
  // People call this server as themselves; a page without sign-in would let whoever reads its loopback link (the
  // requester among them) approve as nobody, and no audit line could name the approver.
  if (values.oauthIssuer !== undefined && values.oauthClientId === undefined) {
    const byApprovers = values.approvers !== undefined && approversSummary(values.approvers).pageClasses.length > 0;
    const byConfirm = !byApprovers && webConfirmed(values);
    const onPage = byApprovers ? 'approvers' : byConfirm ? 'confirm' : 'approvalsPort';
    if (byApprovers || byConfirm || values.approvalsPort !== undefined) {
      throw new ConfigError(
        `${source(onPage)}: sends changes to the approvals page, and people sign in to this server through ${source('oauthIssuer')}; the page must know who approves too: set ${source('oauthClientId')} (the page's sign-in at <public-url>/approvals/), or confirm in the client (${source('confirm')} elicitation)`,
      );
    }
  }
  if (values.approvers === undefined) return;
  const { most, pageClasses } = approversSummary(values.approvers);
  const kept = pageClasses.find((cls) => policyFor(values.confirm, cls) === 'elicitation');
  if (kept !== undefined) {
    throw new ConfigError(
      `${source('approvers')}: asks people to approve the class ${kept} on the approvals page, while ${source('confirm')} keeps ${kept} in the client (elicitation); drop one of the two`,
    );
  }
  if (most > 1 && signIn < 3) {
    throw new ConfigError(
      `${source('approvers')}: ${most} different people can be told apart only when they sign in; set ${source('oauthIssuer')}, ${source('oauthClientId')} and ${source('publicUrl')} (a loopback link cannot tell people apart)`,
    );
  }
}

/**
 * Whether any class is confirmed on the approvals page (by `--confirm`, or by `--approvers` asking for at least one
 * person): then the page runs whatever `--approvals-port` says.
 */
export function webConfirmed(config: Pick<Config, 'confirm' | 'approvers'>): boolean {
  return (
    CONFIRMED_CLASSES.some((cls) => policyFor(config.confirm, cls) === 'web') ||
    (config.approvers !== undefined && approversSummary(config.approvers).pageClasses.length > 0)
  );
}

/** The default of an option as `--help` shows it: the schema's own value, or the computed one in words. */
export function optionDefault(key: Key): string | undefined {
  const spec: OptionSpec = OPTIONS[key];
  if (spec.computed !== undefined) return spec.computed;
  const def = schema.shape[key].def as { type: string; defaultValue?: unknown };
  if ((def.type !== 'default' && def.type !== 'prefault') || def.defaultValue === false) return undefined;
  return String(def.defaultValue);
}

export type OptionKey = Key;
