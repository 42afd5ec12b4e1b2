// Reads the client configurations a README shows and checks each against the CLI, so a snippet a person copies
// starts this server with flags and variables it really accepts. Imports the parser itself: a flag renamed in
// config.ts breaks every snippet naming the old one.
import { parse as parseToml } from 'smol-toml';
import { ConfigError, loadConfig, OPTIONS } from '../../src/config.js';

/** How one snippet starts the server: `client` is the heading the snippet sits under. */
export interface Launch {
  client: string;
  /** `client, line N` of the README, for messages. */
  where: string;
  command: string;
  args: string[];
  env: Record<string, string>;
}

interface Block {
  heading: string;
  lang: string;
  text: string;
  line: number;
}

const ENV_NAMES: ReadonlySet<string> = new Set(
  (Object.values(OPTIONS) as { env?: string }[]).flatMap((spec) => (spec.env ? [spec.env] : [])),
);

/** Fenced code blocks with the nearest heading above each. */
function fencedBlocks(markdown: string): Block[] {
  const blocks: Block[] = [];
  const lines = markdown.split('\n');
  let heading = '';
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    const title = /^#{1,6} (.+)$/.exec(line);
    if (title) heading = title[1] as string;
    const open = /^```(\S*)\s*$/.exec(line);
    if (!open) continue;
    const start = i;
    const body: string[] = [];
    while (++i < lines.length && !(lines[i] as string).startsWith('```')) body.push(lines[i] as string);
    blocks.push({ heading, lang: open[1] ?? '', text: body.join('\n'), line: start + 1 });
  }
  return blocks;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Server entries under the keys clients use: `mcpServers` (most), `servers` (VS Code), `context_servers` (Zed), `mcp_servers` (Codex). */
function serverEntries(config: unknown): [string, unknown][] {
  if (!isRecord(config)) return [];
  return ['mcpServers', 'servers', 'context_servers', 'mcp_servers'].flatMap((key) => {
    const servers = config[key];
    return isRecord(servers) ? Object.entries(servers) : [];
  });
}

function launchOf(client: string, where: string, entry: unknown): Launch | string {
  if (!isRecord(entry)) return `${where}: server entry is not an object`;
  const { command, args = [], env = {} } = entry;
  if (typeof command !== 'string') return `${where}: "command" must be a string`;
  if (!Array.isArray(args) || !args.every((a) => typeof a === 'string')) return `${where}: "args" must be strings`;
  if (!isRecord(env) || !Object.values(env).every((v) => typeof v === 'string')) {
    return `${where}: "env" must map names to strings`;
  }
  return { client, where, command, args, env: env as Record<string, string> };
}

/** Words of a shell command line as sh would split them (quotes, backslash-newline); no expansion. */
function shellWords(line: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i] as string;
    if (quote) {
      if (c === quote) quote = undefined;
      else word = (word ?? '') + c;
    } else if (c === '"' || c === "'") {
      quote = c;
      word ??= '';
    } else if (c === '\\') {
      const next = line[++i];
      if (next !== undefined && next !== '\n') word = (word ?? '') + next;
    } else if (/\s/.test(c)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else {
      word = (word ?? '') + c;
    }
  }
  if (word !== undefined) words.push(word);
  return words;
}

// `claude mcp add [options] <name> -- <command> [args...]`, parsed as Claude Code's CLI (commander) parses it:
// `--env`/`-e` and `--header`/`-H` take several values, so every word after one up to the next option is its
// value, and a name written after them is swallowed as one (anthropics/claude-code#23365): the name must come
// before them. Options of code.claude.com/docs/en/mcp.
const CLAUDE_SINGLE_OPTIONS = new Set(['--transport', '-t', '--scope', '-s']);
const CLAUDE_VARIADIC_OPTIONS = new Set(['--env', '-e', '--header', '-H']);

function claudeAddLaunch(client: string, where: string, words: string[]): Launch | string {
  const env: Record<string, string> = {};
  let name: string | undefined;
  let i = 3;
  while (i < words.length && words[i] !== '--') {
    const word = words[i] as string;
    if (CLAUDE_SINGLE_OPTIONS.has(word)) {
      const value = words[i + 1];
      if (value === undefined) return `${where}: claude mcp add option ${word} needs a value`;
      if ((word === '--transport' || word === '-t') && value !== 'stdio') {
        return `${where}: --transport ${value} (this server is started over stdio)`;
      }
      i += 2;
    } else if (CLAUDE_VARIADIC_OPTIONS.has(word)) {
      for (i += 1; i < words.length && words[i] !== '--' && !(words[i] as string).startsWith('-'); i++) {
        const value = words[i] as string;
        if (word !== '--env' && word !== '-e') continue;
        const eq = value.indexOf('=');
        if (eq <= 0)
          return `${where}: --env ${value} is not KEY=VALUE (a name after --env is taken as one of its values)`;
        env[value.slice(0, eq)] = value.slice(eq + 1);
      }
    } else if (word.startsWith('-')) {
      return `${where}: claude mcp add option ${word}`;
    } else if (name === undefined) {
      name = word;
      i += 1;
    } else {
      return `${where}: claude mcp add takes one name, got ${name} and ${word}`;
    }
  }
  if (name === undefined || words[i] !== '--') return `${where}: claude mcp add needs <name> -- <command>`;
  const [command, ...args] = words.slice(i + 1);
  if (command === undefined) return `${where}: no command after --`;
  return { client, where, command, args, env };
}

/** Every launch a block describes, or a message when a block meant as a client config cannot be read. */
function launchesOfBlock(block: Block): (Launch | string)[] {
  const where = `${block.heading}, line ${block.line}`;
  const entries = (config: unknown) =>
    serverEntries(config).map(([name, entry]) => launchOf(block.heading, `${where} (${name})`, entry));
  try {
    if (block.lang === 'json' || block.lang === 'jsonc') {
      const text = block.lang === 'jsonc' ? block.text.replace(/^\s*\/\/.*$/gm, '') : block.text;
      return entries(JSON.parse(text));
    }
    if (block.lang === 'toml') return entries(parseToml(block.text));
  } catch (error) {
    return [`${where}: ${block.lang} does not parse (${(error as Error).message})`];
  }
  if (block.lang !== 'sh' && block.lang !== 'bash' && block.lang !== 'shell') return [];
  return block.text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map(shellWords)
    .filter((words) => words[0] === 'claude' && words[1] === 'mcp' && words[2] === 'add')
    .map((words) => claudeAddLaunch(block.heading, where, words));
}

/** The CLI arguments after the part that names the program, or why the command is none of the three forms. */
function serverArgs(launch: Launch): string[] | string {
  const [first, second, ...rest] = launch.args;
  if (launch.command === 'visier-admin-mcp') return launch.args;
  if (launch.command === 'npx') {
    return first === '-y' && second === 'visier-admin-mcp'
      ? rest
      : `${launch.where}: npx must run "-y visier-admin-mcp", got "${launch.args.slice(0, 2).join(' ')}"`;
  }
  if (launch.command === 'node') {
    return first?.startsWith('/') && first.endsWith('/dist/cli.js')
      ? launch.args.slice(1)
      : `${launch.where}: node must start an absolute path ending in /dist/cli.js, got "${first ?? ''}"`;
  }
  return `${launch.where}: command "${launch.command}" is none of node …/dist/cli.js, npx -y visier-admin-mcp, visier-admin-mcp`;
}

/** What is wrong with one launch: its command, an env name config.ts does not read, or a flag or value it refuses. */
export function launchProblems(launch: Launch): string[] {
  const problems = Object.keys(launch.env)
    .filter((name) => !ENV_NAMES.has(name))
    .map((name) => `${launch.where}: env ${name} is not a variable the server reads`);
  const args = serverArgs(launch);
  if (typeof args === 'string') return [...problems, args];
  try {
    loadConfig(args, launch.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problems.push(`${launch.where}: ${error.message}`);
  }
  return problems;
}

export interface ReadmeCheck {
  launches: Launch[];
  problems: string[];
}

/** Reads every client config of a README and checks each, and that every client in `clients` has one. */
export function checkReadme(markdown: string, clients: readonly string[]): ReadmeCheck {
  const found = fencedBlocks(markdown).flatMap(launchesOfBlock);
  const launches = found.filter((item): item is Launch => typeof item !== 'string');
  const problems = [
    ...found.filter((item): item is string => typeof item === 'string'),
    ...launches.flatMap(launchProblems),
    ...clients
      .filter((client) => !launches.some((launch) => launch.client === client))
      .map((client) => `${client}: no config snippet under a heading of that name`),
  ];
  return { launches, problems };
}
