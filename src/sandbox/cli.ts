// `visier-admin-mcp sandbox`: runs the sandbox alone and prints where it is and how to log in, on stderr
// (stdout stays free for whoever launched us).
import { parseArgs } from 'node:util';
import { EXIT } from '../exit-codes.js';
import { portInUse } from '../port-in-use.js';
import { SANDBOX_FLAGS } from './cli-options.js';
import type { SandboxHandle, SandboxOptions } from './handle.js';
import { startSandbox } from './visier/start-sandbox.js';

/** `off`, or `PER_MIN/PER_HOUR` such as `100/6000`. */
function parseRateLimit(value: string): SandboxOptions['rateLimit'] {
  if (value === 'off') return false;
  const match = /^(\d+)\/(\d+)$/.exec(value);
  if (!match) throw new Error(`--rate-limit must be 'off' or PER_MIN/PER_HOUR, got '${value}'`);
  return { perMinute: Number(match[1]), perHour: Number(match[2]) };
}

function integer(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a non-negative integer, got '${value}'`);
  return n;
}

/** The sandbox's options from its command line; throws, naming the flag, on a value it cannot take. */
function sandboxOptions(argv: string[]): SandboxOptions {
  const { values } = parseArgs({
    args: argv,
    options: Object.fromEntries(
      Object.entries(SANDBOX_FLAGS).map(([name, flag]) => [
        name,
        { type: 'string' as const, ...('default' in flag ? { default: flag.default } : {}) },
      ]),
    ),
    strict: true,
  });
  const options: SandboxOptions = {};
  const port = integer(values.port as string | undefined, 'port');
  if (port !== undefined) options.port = port;
  if (values.host) options.host = values.host as string;
  const users = integer(values.users as string | undefined, 'users');
  if (users !== undefined) options.users = users;
  const seed = integer(values.seed as string | undefined, 'seed');
  if (seed !== undefined) options.seed = seed;
  if (values.faults) options.faults = values.faults as string;
  if (values['rate-limit']) options.rateLimit = parseRateLimit(values['rate-limit'] as string);
  return options;
}

/**
 * `visier-admin-mcp sandbox [flags]` (flags: SANDBOX_FLAGS): serves the demo tenant until SIGINT or SIGTERM,
 * then resolves to EXIT.ok; EXIT.runtime when the port is in use, said in one line. Throws, naming the flag, on
 * a value it cannot take.
 */
export async function runSandboxCli(argv: string[]): Promise<number> {
  const options = sandboxOptions(argv);
  let sandbox: SandboxHandle;
  try {
    sandbox = await startSandbox(options);
  } catch (error) {
    const failed = error as NodeJS.ErrnoException & { address?: string; port?: number };
    if (failed.code !== 'EADDRINUSE') throw error;
    process.stderr.write(`visier-admin-mcp: ${portInUse(failed.port ?? 0, failed.address ?? '')}\n`);
    return EXIT.runtime;
  }
  const { credentials, tenants } = sandbox;
  process.stderr.write(
    [
      `Visier sandbox listening at ${sandbox.url}`,
      `  tenants:       ${tenants.primary} (default), ${tenants.secondary}`,
      `  API key:       ${credentials.apiKey}`,
      `  username:      ${credentials.username}`,
      `  password:      ${credentials.password}`,
      `  OAuth client:  ${credentials.clientId} / ${credentials.clientSecret}`,
      '  These are demo credentials for this local sandbox only. Ctrl+C stops it.',
      '',
    ].join('\n'),
  );
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      sandbox.close().then(resolve, resolve);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  return EXIT.ok;
}
