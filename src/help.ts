import { COMMANDS } from './commands.js';
import { OPTIONS, type OptionKey, optionDefault } from './config.js';
import { EXIT } from './exit-codes.js';

/**
 * `--help`: commands from COMMANDS, flags and variables with their defaults from the config schema (OPTIONS and
 * its defaults), exit codes from EXIT. Nothing here is a second list to keep in step.
 */
export function helpText(): string {
  const commands = Object.entries(COMMANDS).map(([name, command]) => {
    return `  ${`${name} ${command.usage}`.trim()}\n      ${command.summary}`;
  });
  const rows = (Object.keys(OPTIONS) as OptionKey[]).map((key) => {
    const spec: { flag?: string; env?: string; help: string } = OPTIONS[key];
    const fallback = optionDefault(key);
    const names = [spec.flag, spec.env].filter(Boolean).join(' / ');
    return { names, text: `${spec.help}${fallback === undefined ? '' : ` (default: ${fallback})`}` };
  });
  // As wide as the longest names, so that every description starts in the same column.
  const width = Math.max(...rows.map((row) => row.names.length));
  const flags = rows.map((row) => `  ${row.names.padEnd(width)}  ${row.text}`);
  return [
    'Usage: visier-admin-mcp [flags]              stdio MCP server (default)',
    '       visier-admin-mcp --http [flags]       Streamable HTTP at /mcp',
    '       visier-admin-mcp COMMAND [arguments]',
    '',
    'Commands:',
    ...commands,
    '',
    'Flags (flag / environment variable; flags win):',
    ...flags,
    '',
    `Exit codes: ${EXIT.ok} ok, ${EXIT.usage} configuration or usage error, ${EXIT.runtime} failure at run time` +
      ' (Visier unreachable or refusing, a port in use); verify-audit has its own, listed above.',
  ].join('\n');
}
