import { spawn } from 'node:child_process';
import { appendFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CLI, ensureBuilt, ROOT } from './build.js';

beforeAll(() => ensureBuilt(), 120_000);

function run(args: string[]) {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  const out = { stdout: '', stderr: '' };
  child.stdout.on('data', (c: Buffer) => {
    out.stdout += c.toString('utf8');
  });
  child.stderr.on('data', (c: Buffer) => {
    out.stderr += c.toString('utf8');
  });
  const exit = new Promise<number | null>((resolve) => child.on('exit', resolve));
  return { child, out, exit };
}

describe('visier-admin-mcp CLI', () => {
  it('--http --sandbox prints the URL, an Inspector command and a client config, serves /healthz, stops on SIGTERM', async () => {
    const audit = join(mkdtempSync(join(tmpdir(), 'vam-cli-')), 'audit.jsonl');
    const { child, out, exit } = run(['--http', '--sandbox', '--port', '0', '--audit-log', audit]);
    while (!out.stderr.includes('Client config:')) await new Promise((resolve) => setTimeout(resolve, 20));
    const url = /Streamable HTTP at (http:\/\/127\.0\.0\.1:\d+\/mcp) \(sandbox tenant: demo data\)/.exec(
      out.stderr,
    )?.[1];
    expect(url).toBeDefined();
    expect(out.stderr).toContain(`Inspector: npx @modelcontextprotocol/inspector --cli ${url} --method tools/list`);
    expect(out.stderr).toContain(`Client config: {"mcpServers":{"visier":{"type":"http","url":"${url}"}}}`);
    const health = await fetch(url!.replace('/mcp', '/healthz'));
    expect(await health.json()).toEqual({ status: 'ok', sessions: 0 });
    child.kill('SIGTERM');
    expect(await exit).toBe(0);
    expect(out.stdout).toBe('');
  });

  it('verify-audit reports an intact log and a tampered one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vam-audit-'));
    const audit = join(dir, 'audit.jsonl');
    const server = run(['--sandbox', '--audit-log', audit]);
    server.child.stdin.write(
      `${JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'a', version: '1' } } })}\n`,
    );
    server.child.stdin.write(
      `${JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'list_permissions', arguments: { limit: 1 } } })}\n`,
    );
    while (server.out.stdout.split('\n').filter(Boolean).length < 2)
      await new Promise((resolve) => setTimeout(resolve, 20));
    server.child.stdin.end();
    expect(await server.exit).toBe(0);

    const intact = run(['verify-audit', audit]);
    expect(await intact.exit).toBe(0);
    expect(intact.out.stderr).toMatch(
      /^audit log intact: 1 line, signed by key [0-9a-f]{16} \(checked against the public key beside the log only: keep a copy elsewhere and pass --public-key\)\n$/,
    );

    appendFileSync(audit, '{"forged":true}\n');
    const broken = run(['verify-audit', audit]);
    expect(await broken.exit).toBe(1);
    expect(broken.out.stderr).toMatch(/^audit log TAMPERED \(2 lines, key [0-9a-f]{16}\):\n {2}line 2: forged: /);

    const missing = run(['verify-audit', join(dir, 'absent.jsonl')]);
    expect(await missing.exit).toBe(4);
    expect(missing.out.stderr).toMatch(
      /^audit log NOT VERIFIED, nothing to verify: neither .* nor its checkpoint exists\n$/,
    );
    const noKey = run(['verify-audit', audit, '--public-key', join(dir, 'absent.pub')]);
    expect(await noKey.exit).toBe(3);
    const usage = run(['verify-audit', audit, '--key', 'x']);
    expect(await usage.exit).toBe(2);
  });
});
