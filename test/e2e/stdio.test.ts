import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { DIRECTORY_TEXT_NOTICE } from '../../src/server.js';
import { READ_TOOLS } from '../support/tool-names.js';
import { CLI, ensureBuilt, ROOT } from './build.js';
import { installUnderNode22, node22 } from './node22.js';

beforeAll(() => ensureBuilt(), 120_000);

const auditLog = () => join(mkdtempSync(join(tmpdir(), 'vam-stdio-')), 'audit.jsonl');

describe('stdio end to end (node dist/cli.js --sandbox)', () => {
  it('initializes, lists and calls through the SDK client; stdout carries nothing but JSON-RPC', async () => {
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [CLI, '--sandbox', '--audit-log', auditLog()],
      cwd: ROOT,
      stderr: 'pipe',
    });
    const client = new Client({ name: 'e2e-stdio', version: '1.0.0' });
    const errors: Error[] = [];
    client.onerror = (error) => errors.push(error);
    await client.connect(transport);
    const { tools } = await client.listTools();
    expect(tools).toHaveLength(READ_TOOLS.length);
    const r = await client.callTool({ name: 'list_users', arguments: { limit: 2, fields: ['username'] } });
    expect(r.structuredContent).toEqual({
      users: [
        { userId: '0d5a1c3e-7b2f-4e61-9a0d-5a7d00000001', username: 'sandbox.admin@wff-demo.example' },
        { userId: '0d5a1c3e-7b2f-4e61-9a0d-5a7d00000002', username: 'dana.whitfield@wff-demo.example' },
      ],
      returned: 2,
      nextCursor: 'eyJzIjoyfQ',
      directoryText: DIRECTORY_TEXT_NOTICE,
    });
    await client.close();
    expect(errors).toEqual([]);
  });

  it('every stdout line parses as JSON-RPC, and the process exits when stdin closes', async () => {
    const child = spawn(process.execPath, [CLI, '--sandbox', '--audit-log', auditLog()], {
      cwd: ROOT,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
    });
    const lines = () => stdout.split('\n').filter((l) => l !== '');
    const waitFor = async (count: number) => {
      while (lines().length < count) await new Promise((resolve) => setTimeout(resolve, 20));
    };
    const send = (message: unknown) => child.stdin.write(`${JSON.stringify(message)}\n`);
    send({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
    });
    await waitFor(1);
    send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    send({ jsonrpc: '2.0', id: 2, method: 'tools/list' });
    send({ jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'get_user', arguments: { userId: 'nope' } } });
    send({ jsonrpc: '2.0', id: 4, method: 'resources/list', params: {} });
    send({ jsonrpc: '2.0', id: 5, method: 'prompts/list' });
    await waitFor(5);
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.stdin.end();
    expect(await exited).toBe(0);
    const parsed = lines().map((l) => JSON.parse(l) as { jsonrpc: string; id: number });
    expect(parsed.every((m) => m.jsonrpc === '2.0')).toBe(true);
    expect(parsed.map((m) => m.id).sort()).toEqual([1, 2, 3, 4, 5]);
  });

  it('answers requests already sent when stdin closes, then exits', async () => {
    const child = spawn(process.execPath, [CLI, '--sandbox', '--audit-log', auditLog()], {
      cwd: ROOT,
      stdio: ['pipe', 'pipe', 'ignore'],
    });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    const messages = [
      {
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
      },
      { jsonrpc: '2.0', method: 'notifications/initialized' },
      { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'list_permissions', arguments: { limit: 1 } } },
    ];
    child.stdin.end(messages.map((m) => `${JSON.stringify(m)}\n`).join(''));
    expect(await exited).toBe(0);
    const answers = stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { id: number; result: { structuredContent?: { returned: number } } });
    expect(answers.map((a) => a.id)).toEqual([1, 2]);
    expect(answers[1]?.result.structuredContent?.returned).toBe(1);
  });

  it('a bad flag stops start-up with a message naming it', async () => {
    const child = spawn(process.execPath, [CLI, '--mode', 'everything'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    let stdout = '';
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString('utf8');
    });
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString('utf8');
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(2);
    expect(stderr).toMatch(/^visier-admin-mcp: --mode: /);
    expect(stdout).toBe('');
  });
});

describe('MCP Inspector CLI against the stdio server', () => {
  let inspector = '';
  beforeAll(() => {
    const dir = installUnderNode22('test/e2e/inspector');
    inspector = `${dir}/node_modules/@modelcontextprotocol/inspector/clients/launcher/build/index.js`;
  }, 240_000);

  it('lists the read tools of node dist/cli.js --sandbox', async () => {
    const child = spawn(
      node22(),
      [
        inspector,
        '--cli',
        process.execPath,
        CLI,
        '--sandbox',
        '--audit-log',
        auditLog(),
        '--',
        '--method',
        'tools/list',
        '--format',
        'json',
      ],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, HTTP_PROXY: '', HTTPS_PROXY: '' } },
    );
    let stdout = '';
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString('utf8');
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(0);
    const { result } = JSON.parse(stdout) as { result: { tools: { name: string }[] } };
    expect(result.tools.map((t) => t.name).sort()).toEqual(READ_TOOLS);
  });
});
