import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { unpackExtension } from '@anthropic-ai/mcpb';
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, ROOT } from '../e2e/build.js';
import { npmCli } from '../e2e/node22.js';

// Builds the MCP Bundle as `npm run bundle` does (scripts/bundle.mjs, after the build), unpacks it with mcpb and
// starts the unpacked server: it must run on its production node_modules alone and serve the tools its manifest
// lists.

/** The bundle measured 10.1 MB (31.9 MB unpacked, 6,966 files) on 2026-12-01; the limits leave room to grow. */
const MAX_BUNDLE_BYTES = 15 * 1024 * 1024;
const MAX_UNPACKED_BYTES = 45 * 1024 * 1024;

const run = promisify(execFile);
const work = mkdtempSync(join(tmpdir(), 'vam-bundle-'));
const bundle = join(work, 'visier-admin-mcp.mcpb');
const unpacked = join(work, 'unpacked');

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? files(path) : [relative(unpacked, path)];
  });
}

beforeAll(async () => {
  ensureBuilt();
  await run(process.execPath, [`${ROOT}scripts/bundle.mjs`, bundle], {
    cwd: ROOT,
    env: { ...process.env, npm_execpath: npmCli() },
  });
  expect(await unpackExtension({ mcpbPath: bundle, outputDir: unpacked, silent: true })).toBe(true);
}, 600_000);

describe('npm run bundle (visier-admin-mcp.mcpb)', () => {
  it('stays small', () => {
    const packed = statSync(bundle).size;
    const all = files(unpacked);
    const size = all.reduce((sum, f) => sum + statSync(join(unpacked, f)).size, 0);
    console.log(`bundle: ${packed} bytes packed, ${size} bytes in ${all.length} files unpacked`);
    expect(packed).toBeLessThan(MAX_BUNDLE_BYTES);
    expect(size).toBeLessThan(MAX_UNPACKED_BYTES);
  });

  it('holds the built server, LICENSE and production dependencies only: no dev package, source or source map', () => {
    const all = files(unpacked);
    expect(all).toEqual(expect.arrayContaining(['manifest.json', 'dist/cli.js', 'LICENSE', 'package.json']));
    const lock = JSON.parse(readFileSync(`${ROOT}package-lock.json`, 'utf8')) as {
      packages: Record<string, { dev?: boolean }>;
    };
    const devOnly = Object.entries(lock.packages)
      .filter(([path, entry]) => entry.dev && path !== '')
      .map(([path]) => path);
    const shipped = new Set(
      all.filter((f) => f.endsWith('/package.json')).map((f) => f.slice(0, -'/package.json'.length)),
    );
    expect(devOnly.filter((path) => shipped.has(path))).toEqual([]);
    expect(shipped).toContain('node_modules/zod');
    expect(all.filter((f) => f.endsWith('.map') || f.startsWith('src/') || f.startsWith('test/'))).toEqual([]);
  });

  it("lists in its manifest exactly the tools the unpacked server's tools/list serves in full mode", async () => {
    const manifest = JSON.parse(readFileSync(join(unpacked, 'manifest.json'), 'utf8')) as {
      tools: { name: string; description: string }[];
    };
    const client = new Client({ name: 'bundle-check', version: '1.0.0' });
    await client.connect(
      new StdioClientTransport({
        command: process.execPath,
        args: [
          join(unpacked, 'dist', 'cli.js'),
          '--sandbox',
          '--mode',
          'full',
          '--audit-log',
          join(work, 'audit.jsonl'),
        ],
        cwd: unpacked,
        stderr: 'ignore',
      }),
    );
    const { tools } = await client.listTools();
    await client.close();
    expect(tools.length).toBeGreaterThan(8);
    expect(manifest.tools).toEqual(tools.map((t) => ({ name: t.name, description: t.description })));
  });
});
