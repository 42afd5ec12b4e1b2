/**
 * The flags of `visier-admin-mcp sandbox`, as node:util parseArgs takes them (it ignores `placeholder`): what
 * its parser accepts and what `--help` lists, from this one list. `--help` shows the default where there is
 * one, else the placeholder.
 */
export const SANDBOX_FLAGS = {
  port: { type: 'string', default: '8787' },
  host: { type: 'string', placeholder: 'HOST' },
  users: { type: 'string', placeholder: 'N' },
  seed: { type: 'string', placeholder: 'N' },
  faults: { type: 'string', placeholder: 'SPEC' },
  'rate-limit': { type: 'string', placeholder: 'PER_MIN/PER_HOUR|off' },
} as const;

/** `[--port 8787] [--host HOST] …` for `--help`. */
export function sandboxUsage(): string {
  return Object.entries(SANDBOX_FLAGS)
    .map(([name, flag]) => `[--${name} ${'default' in flag ? flag.default : flag.placeholder}]`)
    .join(' ');
}
