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
  const flags = (Object.keys(OPTIONS) as OptionKey[]).map((key) => {
    const spec: { flag?: string; env?: string; help: string } = OPTIONS[key];
    const names = [spec.flag, spec.env].filter(Boolean).join(' / ');
    const fallback = optionDefault(key);
    return `  ${names.padEnd(58)} ${spec.help}${fallback === undefined ? '' : ` (default: ${fallback})`}`;
  });
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
