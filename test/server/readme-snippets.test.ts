import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkReadme } from '../support/readme-snippets.js';

// The clients issue 11 names; each needs a snippet under a heading of its name.
const CLIENTS = ['Claude Desktop', 'Claude Code', 'VS Code', 'Cursor', 'Windsurf', 'Codex', 'Zed'] as const;

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

/** The README with one client's snippet edited: `from` must occur in that client's section. */
function editSection(client: string, from: string, to: string): string {
  const start = readme.indexOf(`### ${client}\n`);
  const end = readme.indexOf('\n### ', start + 1);
  const section = readme.slice(start, end);
  expect(start, `### ${client}`).toBeGreaterThan(-1);
  expect(section).toContain(from);
  return readme.slice(0, start) + section.replace(from, to) + readme.slice(end);
}

describe('README client snippets', () => {
  it('start this server with flags and variables the CLI accepts, for every client', () => {
    const { launches, problems } = checkReadme(readme, CLIENTS);
    expect(problems).toEqual([]);
    expect(new Set(launches.map((launch) => launch.client))).toEqual(new Set(CLIENTS));
  });

  it.each([
    ['Cursor', '"--mode", "read-only"', '"--moed", "read-only"', 'unknown flag --moed'],
    ['Windsurf', '"--mode", "read-only"', '"--mode", "everything"', '--mode: Invalid option'],
    ['Codex', 'VISIER_API_KEY =', 'VISIER_APIKEY =', 'env VISIER_APIKEY is not a variable the server reads'],
    ['Zed', '"VISIER_TENANT_CODE"', '"VISIER_TENANT"', 'env VISIER_TENANT is not a variable the server reads'],
    ['Claude Code', '--env VISIER_HOST=', '--env VISIER_URL=', 'env VISIER_URL is not a variable the server reads'],
    ['Claude Code', '-- node', '-- nodejs', 'command "nodejs" is none of'],
    // The form Claude Code's own variadic --env breaks: the name after the options is read as an --env value.
    [
      'Claude Code',
      '--scope user visier \\\n  --env VISIER_HOST=https://jupiter.api.visier.io',
      '--scope user \\\n  --env VISIER_HOST=https://jupiter.api.visier.io visier',
      '--env visier is not KEY=VALUE',
    ],
    ['Claude Desktop', '/dist/cli.js"', '/src/cli.ts"', 'node must start an absolute path ending in /dist/cli.js'],
    [
      'VS Code',
      '"command": "node",\n      "args": [',
      '"command": "npx",\n      "args": ["visier-admin-mcp", ',
      'npx must run "-y visier-admin-mcp"',
    ],
  ])('fail when the %s snippet is broken (%s -> %s)', (client, from, to, expected) => {
    const { problems } = checkReadme(editSection(client, from, to), CLIENTS);
    // The broken name comes first; what follows from it (the credentials then being incomplete) may come after.
    expect(problems[0]).toContain(expected);
    for (const problem of problems) expect(problem).toContain(client);
  });

  it('fail when a client has no snippet, or a snippet does not parse', () => {
    expect(checkReadme(editSection('Zed', '```jsonc', '```text'), CLIENTS).problems).toEqual([
      'Zed: no config snippet under a heading of that name',
    ]);
    expect(checkReadme(editSection('Codex', 'args = [', 'args = '), CLIENTS).problems).toEqual([
      expect.stringMatching(/^Codex, line \d+: toml does not parse/),
      'Codex: no config snippet under a heading of that name',
    ]);
  });

  it('fail on a partial set of credentials, which would stop start-up', () => {
    const { problems } = checkReadme(editSection('Cursor', '"VISIER_USERNAME": "api.user@example.com",', ''), CLIENTS);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^Cursor, line \d+ \(visier\): .*VISIER_USERNAME/);
  });
});
