import { sandboxUsage } from './sandbox/cli-options.js';

/** One command of the CLI, besides serving: how it is called, what it does, and how it runs. */
export interface Command {
  /** Arguments after the command's name, as `--help` shows them. */
  usage: string;
  summary: string;
  /** Resolves to the exit code, or to undefined while it keeps running (a server). Loaded on demand. */
  run(argv: string[]): Promise<number | undefined>;
}

/** Names people type for a command out of habit. */
export const COMMAND_ALIASES: Readonly<Record<string, keyof typeof COMMANDS>> = {
  '--help': 'help',
  '-h': 'help',
  '--version': 'version',
};

/** Every command `visier-admin-mcp COMMAND` runs; `--help` lists them from here. */
export const COMMANDS = {
  sandbox: {
    usage: sandboxUsage(),
    summary: 'run the demo tenant alone, as a Visier look-alike over HTTP',
    run: async (argv) => {
      await (await import('./sandbox/index.js')).runSandboxCli(argv);
      return undefined;
    },
  },
  'verify-audit': {
    usage: 'FILE [--public-key FILE | --signing-key FILE] [--checkpoint FILE]',
    summary: 'check the audit log: exit 0 intact, 1 tampered, 2 usage, 3 key or checkpoint unreadable, 4 no such file',
    run: async (argv) => (await import('./verify-audit-command.js')).verifyAuditCommand(argv),
  },
  doctor: {
    usage: '[flags]',
    summary: 'check the configuration, reach Visier, sign in, read the rate-limit headroom, print the guard policy',
    run: async (argv) => (await import('./doctor.js')).doctorCommand(argv, process.env),
  },
  help: {
    usage: '',
    summary: 'print this text (also --help, -h)',
    run: async () => {
      process.stdout.write(`${(await import('./help.js')).helpText()}\n`);
      return 0;
    },
  },
  version: {
    usage: '',
    summary: 'print the version (also --version)',
    run: async () => {
      process.stdout.write(`${(await import('./version.js')).version}\n`);
      return 0;
    },
  },
} as const satisfies Record<string, Command>;

export type CommandName = keyof typeof COMMANDS;

/** The command `argv` names, or undefined to serve; `--help` or `--version` anywhere wins, as people expect. */
export function commandOf(argv: readonly string[]): CommandName | undefined {
  for (const [alias, name] of Object.entries(COMMAND_ALIASES)) if (argv.includes(alias)) return name;
  const first = argv[0];
  return first !== undefined && Object.hasOwn(COMMANDS, first) ? (first as CommandName) : undefined;
}
