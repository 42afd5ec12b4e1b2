/**
 * The flags of `visier-admin-mcp sandbox`: what its parser accepts and what `--help` lists, from this one list.
 * `shown` is the value --help prints: the default where there is one, else what to write.
 */
export const SANDBOX_FLAGS = {
  port: { default: '8787', shown: '8787' },
  host: { shown: '127.0.0.1' },
  users: { shown: '200' },
  seed: { shown: 'N' },
  faults: { shown: 'SPEC' },
  'rate-limit': { shown: 'PER_MIN/PER_HOUR|off' },
} as const satisfies Record<string, { default?: string; shown: string }>;

/** `[--port 8787] [--host 127.0.0.1] …` for `--help`. */
export function sandboxUsage(): string {
  return Object.entries(SANDBOX_FLAGS)
    .map(([name, flag]) => `[--${name} ${flag.shown}]`)
    .join(' ');
}
