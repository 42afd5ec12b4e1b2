// `npm run bundle [-- OUTPUT]`: builds visier-admin-mcp.mcpb (or OUTPUT), the MCP Bundle Claude Desktop installs in one click. The bundle
// holds the built server, its production node_modules only (installed from the lockfile into a staging
// directory, so devDependencies never ship) and manifest.json with its tools list generated from the tool
// definitions the build just compiled, so the list cannot drift from what tools/list serves.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { packExtension } from '@anthropic-ai/mcpb';

const root = fileURLToPath(new URL('..', import.meta.url));
const output = process.argv[2] ?? join(root, 'visier-admin-mcp.mcpb');
const SHIPPED = ['dist', 'package.json', 'package-lock.json', 'LICENSE', 'README.md'];

const npm = process.env.npm_execpath;
if (!npm) throw new Error('scripts/bundle.mjs: run it as `npm run bundle` (npm_execpath is not set)');

const stage = mkdtempSync(join(tmpdir(), 'visier-admin-mcp-bundle-'));
try {
  for (const name of SHIPPED) cpSync(join(root, name), join(stage, name), { recursive: true });
  execFileSync(process.execPath, [npm, 'ci', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund'], {
    cwd: stage,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const { TOOLS } = await import(pathToFileURL(join(root, 'dist', 'tools', 'visier', 'index.js')).href);
  const manifest = JSON.parse(readFileSync(join(root, 'manifest.json'), 'utf8'));
  manifest.tools = TOOLS.map((tool) => ({ name: tool.name, description: tool.description }));
  writeFileSync(join(stage, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  if (!(await packExtension({ extensionPath: stage, outputPath: output, silent: true }))) {
    throw new Error('scripts/bundle.mjs: mcpb pack failed (its messages are above)');
  }
  process.stdout.write(`${output}\n`);
} finally {
  rmSync(stage, { recursive: true, force: true });
}
