// `visier-admin-mcp sandbox`: runs the sandbox alone and prints where it is and how to log in, on stderr
// (stdout stays free for whoever launched us).
import { parseArgs } from 'node:util';
import { SANDBOX_FLAGS } from './cli-options.js';
import type { SandboxOptions } from './handle.js';
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
  const { values } = parseArgs({ args: argv, options: SANDBOX_FLAGS, strict: true });
  const options: SandboxOptions = {};
  const port = integer(values.port, 'port');
  if (port !== undefined) options.port = port;
  if (values.host) options.host = values.host;
  const users = integer(values.users, 'users');
  if (users !== undefined) options.users = users;
  const seed = integer(values.seed, 'seed');
  if (seed !== undefined) options.seed = seed;
  if (values.faults) options.faults = values.faults;
  if (values['rate-limit']) options.rateLimit = parseRateLimit(values['rate-limit']);
  return options;
}

/**
 * `visier-admin-mcp sandbox [flags]` (flags: SANDBOX_FLAGS): serves the demo tenant until SIGINT or SIGTERM.
 * Throws, naming the flag, on a value it cannot take, and the listener's own error (EADDRINUSE) when the port is
 * in use.
 */
export async function runSandboxCli(argv: string[]): Promise<void> {
  const sandbox = await startSandbox(sandboxOptions(argv));
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
}
