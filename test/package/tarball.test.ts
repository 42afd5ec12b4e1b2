import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type CallToolResult, Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PERMISSIONS, DEMO_USERS } from '../../src/sandbox/index.js';
import { CONFIRMATION_META_KEY } from '../../src/server.js';
import { ensureBuilt, ROOT } from '../e2e/build.js';
import { npmCli } from '../e2e/node22.js';

// What a user gets from `npm pack` and `npm i -g ./visier-admin-mcp-<version>.tgz`: the tarball is installed
// into an empty directory (dependencies from the npm registry or the npm cache) and its `visier-admin-mcp` bin
// is driven over stdio by an SDK client through a guarded change, preview and token first.

/**
 * Measured on 2026-12-01: 161 KB packed (561 KB, 114 files unpacked), 54.5 MB installed with dependencies (the
 * console line prints today's); after the access answers, journal, profiles, projects and approval channels
 * (issues 13 and 14): 329 KB packed (1.16 MB, 259 files; the README alone 95 KB). The limits leave room to grow,
 * not to double.
 */
const MAX_PACKED_BYTES = 450 * 1024;
const MAX_INSTALLED_BYTES = 80 * 1024 * 1024;

interface Packed {
  filename: string;
  size: number;
  unpackedSize: number;
  files: { path: string }[];
}

const run = promisify(execFile);
const work = mkdtempSync(join(tmpdir(), 'vam-tarball-'));
const prefix = join(work, 'installed');
let packed: Packed;
let client: Client;

function bytesUnder(dir: string): number {
  return readdirSync(dir, { withFileTypes: true }).reduce((sum, entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sum + bytesUnder(path);
    return sum + (entry.isFile() ? statSync(path).size : 0);
  }, 0);
}

const npm = (args: string[], cwd: string) =>
  run(process.execPath, [npmCli(), ...args, '--no-audit', '--no-fund'], { cwd, maxBuffer: 16 * 1024 * 1024 });

beforeAll(async () => {
  ensureBuilt();
  // --ignore-scripts: prepack would rebuild dist while other test files run it; ensureBuilt made it current.
  const { stdout } = await npm(['pack', '--json', '--ignore-scripts', '--pack-destination', work], ROOT);
  packed = (JSON.parse(stdout) as Packed[])[0] as Packed;
  mkdirSync(prefix);
  await npm(['install', '--prefix', prefix, join(work, packed.filename)], work);
  console.log(
    `tarball: ${packed.size} bytes packed, ${packed.unpackedSize} bytes unpacked (${packed.files.length} files); ` +
      `installed with dependencies: ${bytesUnder(join(prefix, 'node_modules'))} bytes`,
  );
  client = new Client({ name: 'tarball-check', version: '1.0.0' });
  await client.connect(
    new StdioClientTransport({
      command: join(prefix, 'node_modules', '.bin', 'visier-admin-mcp'),
      args: ['--sandbox', '--mode', 'full', '--audit-log', join(work, 'audit.jsonl')],
      cwd: work,
      env: { XDG_STATE_HOME: work },
      stderr: 'ignore',
    }),
  );
}, 600_000);
afterAll(() => client?.close());

describe('npm pack, installed into an empty directory', () => {
  it('stays small', () => {
    expect(packed.size).toBeLessThan(MAX_PACKED_BYTES);
    expect(bytesUnder(join(prefix, 'node_modules'))).toBeLessThan(MAX_INSTALLED_BYTES);
  });

  it('ships LICENSE, README and the build, and no source map nor a reference to one', () => {
    const paths = packed.files.map((f) => f.path);
    expect(paths).toEqual(expect.arrayContaining(['LICENSE', 'README.md', 'package.json', 'dist/cli.js']));
    expect(
      paths.filter((p) => !p.startsWith('dist/') && !['LICENSE', 'README.md', 'package.json'].includes(p)),
    ).toEqual([]);
    expect(paths.filter((p) => p.endsWith('.map'))).toEqual([]);
    const installed = join(prefix, 'node_modules', 'visier-admin-mcp');
    const mapped = paths.filter(
      (p) => p.endsWith('.js') && readFileSync(join(installed, p), 'utf8').includes('sourceMappingURL'),
    );
    expect(mapped).toEqual([]);
    expect(readFileSync(join(installed, 'LICENSE'), 'utf8')).toContain(
      'Apache License\n                           Version 2.0',
    );
  });

  it('the installed bin makes a guarded change: preview and token first, then the change, seen by a read', async () => {
    const grant = { permissionIds: [DEMO_PERMISSIONS.headcount.permissionId], userIds: [DEMO_USERS.mallory.userId] };
    const holders = async () => {
      const result = (await client.callTool({
        name: 'list_users_with_permission',
        arguments: { permissionId: DEMO_PERMISSIONS.headcount.permissionId, limit: 1000 },
      })) as CallToolResult;
      return (result.structuredContent as { users: { userId: string }[] }).users.map((u) => u.userId);
    };
    expect(await holders()).not.toContain(DEMO_USERS.mallory.userId);

    const preview = (await client.callTool({
      name: 'assign_permissions_to_users',
      arguments: grant,
    })) as CallToolResult;
    const token = (preview._meta?.[CONFIRMATION_META_KEY] as { confirmationToken?: string } | undefined)
      ?.confirmationToken;
    expect(token).toEqual(expect.any(String));
    expect(await holders()).not.toContain(DEMO_USERS.mallory.userId);

    const acted = (await client.callTool({
      name: 'assign_permissions_to_users',
      arguments: { ...grant, confirmationToken: token },
    })) as CallToolResult;
    expect(acted.isError ?? false).toBe(false);
    expect(await holders()).toContain(DEMO_USERS.mallory.userId);
  });
});
