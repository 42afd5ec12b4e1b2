import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { getMcpConfigForManifest, type McpbManifestAny } from '@anthropic-ai/mcpb';
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPTIONS } from '../../src/config.js';
import { type SandboxHandle, startSandbox } from '../../src/sandbox/index.js';
import { ensureBuilt, ROOT } from '../e2e/build.js';
import { READ_TOOLS } from '../support/tool-names.js';

// manifest.json is the MCP Bundle's manifest (`npm run bundle` adds the tools list). Claude Desktop turns its
// user_config into the server's environment the way mcpb's getMcpConfigForManifest does; that function is used
// here, so a field the user leaves blank reaches the server exactly as it would from the desktop app.

const run = promisify(execFile);
const MCPB = `${ROOT}node_modules/@anthropic-ai/mcpb/dist/cli/cli.js`;
const manifest = JSON.parse(readFileSync(`${ROOT}manifest.json`, 'utf8')) as McpbManifestAny;
const pkg = JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as { name: string; version: string };
const CONFIG_ENV = new Set(Object.values(OPTIONS).flatMap((spec) => ('env' in spec ? [spec.env] : [])));

let sandbox: SandboxHandle;
beforeAll(async () => {
  ensureBuilt();
  sandbox = await startSandbox({ rateLimit: false });
}, 120_000);
afterAll(() => sandbox?.close());

describe('MCP Bundle manifest', () => {
  it('passes mcpb validate', async () => {
    const { stdout } = await run(process.execPath, [MCPB, 'validate', `${ROOT}manifest.json`]);
    expect(stdout).toContain('Manifest schema validation passes');
  });

  it('names the package, its version and the built CLI as a node server', () => {
    expect(manifest.name).toBe(pkg.name);
    expect(manifest.version).toBe(pkg.version);
    expect(manifest.server).toMatchObject({ type: 'node', entry_point: 'dist/cli.js' });
    // biome-ignore lint/suspicious/noTemplateCurlyInString: mcpb's placeholder, which the desktop app substitutes
    expect(manifest.server.mcp_config.args).toEqual(['${__dirname}/dist/cli.js']);
  });

  it('maps every user_config field to a variable the server reads, credentials marked sensitive', () => {
    const env = manifest.server.mcp_config.env ?? {};
    expect(Object.keys(env).sort()).toEqual(
      [
        'VISIER_HOST',
        'VISIER_API_KEY',
        'VISIER_USERNAME',
        'VISIER_PASSWORD',
        'VISIER_TENANT_CODE',
        'VISIER_MCP_MODE',
        'VISIER_MCP_TENANTS',
      ].sort(),
    );
    for (const name of Object.keys(env)) expect(CONFIG_ENV, name).toContain(name);
    const fields = manifest.user_config ?? {};
    const used = Object.values(env).map((value) => /^\$\{user_config\.(\w+)\}$/.exec(value)?.[1]);
    expect(used.sort()).toEqual(Object.keys(fields).sort());
    const sensitive = Object.entries(fields).filter(([, field]) => field.sensitive);
    expect(sensitive.map(([key]) => key).sort()).toEqual(['api_key', 'password']);
    expect(fields.mode?.default).toBe('read-only');
  });

  it('a bundle whose optional fields were left blank starts and serves the tenant it was given', async () => {
    const { apiKey, username, password } = sandbox.credentials;
    const leftBlank: Record<string, string>[] = [{}, { tenants: '', mode: '' }];
    for (const blanks of leftBlank) {
      const config = await getMcpConfigForManifest({
        manifest,
        extensionPath: ROOT.replace(/\/$/, ''),
        systemDirs: {},
        pathSeparator: '/',
        userConfig: {
          visier_host: sandbox.url,
          api_key: apiKey,
          username,
          password,
          tenant_code: sandbox.tenants.primary,
          ...blanks,
        },
      });
      expect(config?.env?.VISIER_MCP_TENANTS).toBe('');
      const transport = new StdioClientTransport({
        command: config?.command ?? '',
        args: config?.args ?? [],
        env: config?.env ?? {},
        stderr: 'pipe',
      });
      let stderr = '';
      transport.stderr?.on('data', (chunk: Buffer) => {
        stderr += chunk.toString('utf8');
      });
      const client = new Client({ name: 'mcpb-blank-fields', version: '1.0.0' });
      try {
        await client.connect(transport);
      } catch (error) {
        throw new Error(`start-up failed with blanks ${JSON.stringify(blanks)}: ${stderr}`, { cause: error });
      }
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name).sort()).toEqual(READ_TOOLS);
      const result = await client.callTool({ name: 'list_users', arguments: { limit: 1, fields: ['username'] } });
      expect(result.isError ?? false).toBe(false);
      expect((result.structuredContent as { returned: number }).returned).toBe(1);
      await client.close();
    }
  });
});
