import { spawn } from 'node:child_process';
import { appendFileSync, mkdtempSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/commands.js';
import { OPTIONS } from '../../src/config.js';
import { SANDBOX_FLAGS } from '../../src/sandbox/cli-options.js';
import { TOOLS } from '../../src/tools/visier/index.js';
import { version } from '../../src/version.js';
import { CLI, ensureBuilt, ROOT } from './build.js';

beforeAll(() => ensureBuilt(), 120_000);

function run(args: string[], env?: Record<string, string>) {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: ROOT,
    stdio: ['pipe', 'pipe', 'pipe'],
    ...(env === undefined ? {} : { env: { PATH: process.env.PATH ?? '', ...env } }),
  });
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
    while (!out.stderr.includes('Client config')) await new Promise((resolve) => setTimeout(resolve, 20));
    const url = /Streamable HTTP at (http:\/\/127\.0\.0\.1:\d+\/mcp) \(sandbox tenant: demo data\)/.exec(
      out.stderr,
    )?.[1];
    expect(url).toBeDefined();
    expect(out.stderr).toContain(`Inspector: npx @modelcontextprotocol/inspector --cli ${url} --method tools/list`);
    expect(out.stderr).toContain(
      `  Client config (VS Code, Cursor and other clients taking type http; Claude Desktop's config file takes stdio servers only): {"mcpServers":{"visier":{"type":"http","url":"${url}"}}}\n`,
    );
    expect(out.stderr).not.toContain('Authorization');
    const health = await fetch(url!.replace('/mcp', '/healthz'));
    expect(await health.json()).toEqual({ status: 'ok', ready: true, sessions: 0 });
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
    expect(intact.out.stderr).toBe('');
    expect(intact.out.stdout).toMatch(
      /^audit log intact: 1 line, signed by key [0-9a-f]{16} \(checked against the public key beside the log only: keep a copy elsewhere and pass --public-key\)\n$/,
    );

    // Nobody reading the verdict is no failure: the same exit code, and no stack trace.
    const unread = run(['verify-audit', audit]);
    unread.child.stdout.destroy();
    expect(await unread.exit).toBe(0);
    expect(unread.out.stderr).toBe('');

    appendFileSync(audit, '{"forged":true}\n');
    const broken = run(['verify-audit', audit]);
    expect(await broken.exit).toBe(1);
    expect(broken.out.stderr).toMatch(/^audit log TAMPERED \(2 lines, key [0-9a-f]{16}\):\n {2}line 2: forged: /);

    const missing = run(['verify-audit', join(dir, 'absent.jsonl')]);
    expect(await missing.exit).toBe(4);
    expect(missing.out.stderr).toMatch(
      /^audit log NOT VERIFIED: no such file: neither .* nor its checkpoint exists\n$/,
    );
    const noKey = run(['verify-audit', audit, '--public-key', join(dir, 'absent.pub')]);
    expect(await noKey.exit).toBe(3);
    const usage = run(['verify-audit', audit, '--key', 'x']);
    expect(await usage.exit).toBe(2);
  });

  it('help, --help and -h print commands, every flag with its default and variable, and the exit codes, on stdout', async () => {
    for (const args of [['help'], ['--help'], ['-h'], ['doctor', '--help']]) {
      const { out, exit } = run(args);
      expect(await exit).toBe(0);
      expect(out.stderr).toBe('');
      expect(out.stdout).toContain('\nCommands:\n');
      for (const name of Object.keys(COMMANDS)) expect(out.stdout).toMatch(new RegExp(`^  ${name}\\b`, 'm'));
      for (const spec of Object.values(OPTIONS as Record<string, { flag?: string; env?: string }>)) {
        expect(out.stdout).toContain([spec.flag, spec.env].filter(Boolean).join(' / '));
      }
      expect(out.stdout).toMatch(/--mode \/ VISIER_MCP_MODE +read-only, user-writes or full \(default: read-only\)/);
      expect(out.stdout).toMatch(/--rate-limit \/ VISIER_RATE_LIMIT .*\(default: 100\/6000\)/);
      expect(out.stdout).toMatch(/--max-items-per-call \/ VISIER_MCP_MAX_ITEMS_PER_CALL .*\(default: 500\)/);
      expect(out.stdout).toContain('Exit codes: 0 ok, 2 configuration or usage error, 1 failure at run time');
    }
  });

  it('--version and version print the package version on stdout', async () => {
    for (const args of [['--version'], ['version']]) {
      const { out, exit } = run(args);
      expect(await exit).toBe(0);
      expect(out.stdout).toBe(`${version}\n`);
    }
  });

  it('partial credentials stop start-up with exit 2 naming what is missing; nothing is served', async () => {
    const { out, exit } = run([], { VISIER_API_KEY: 'some-api-key' });
    expect(await exit).toBe(2);
    expect(out.stderr).toBe(
      'visier-admin-mcp: incomplete Visier credentials: VISIER_API_KEY set but VISIER_HOST, VISIER_USERNAME, VISIER_PASSWORD missing (a tenant needs VISIER_HOST, VISIER_API_KEY, VISIER_USERNAME, VISIER_PASSWORD; unset them all, or pass --sandbox, for the demo tenant)\n',
    );
    expect(out.stdout).toBe('');
  });

  it('over stdio, the sandbox says so on stderr at start-up, and stdout stays JSON-RPC only', async () => {
    const audit = join(mkdtempSync(join(tmpdir(), 'vam-cli-')), 'audit.jsonl');
    const { child, out, exit } = run(['--audit-log', audit, '--log-level', 'silent'], { HOME: tmpdir() });
    child.stdin.write(
      `${JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'a', version: '1' } } })}\n`,
    );
    while (!out.stdout.includes('\n')) await new Promise((resolve) => setTimeout(resolve, 20));
    child.stdin.end();
    expect(await exit).toBe(0);
    expect(out.stderr).toMatch(/^visier-admin-mcp: serving the built-in SANDBOX tenant \(demo data, not Visier\)/);
    expect(out.stderr.split('\n').filter((line) => line.includes('SANDBOX'))).toHaveLength(1);
    expect(JSON.parse(out.stdout).id).toBe(1);
  });

  it('--http on a port in use: one line suggesting --port, the run-time exit code, no stack trace', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const { port } = taken.address() as { port: number };
    const audit = join(mkdtempSync(join(tmpdir(), 'vam-cli-')), 'audit.jsonl');
    const { out, exit } = run([
      '--http',
      '--sandbox',
      '--port',
      String(port),
      '--audit-log',
      audit,
      '--log-level',
      'silent',
    ]);
    const code = await exit;
    await new Promise((resolve) => taken.close(resolve));
    expect(code).toBe(1);
    const lines = out.stderr.split('\n').filter(Boolean);
    expect(lines.at(-1)).toBe(
      `visier-admin-mcp: port ${port} on 127.0.0.1 is in use: pass another --port, or --port 0 for a free one`,
    );
    expect(out.stderr).not.toMatch(/\n\s+at /);
  });

  it('tool errors and refusals are logged on stderr at info with the request id, tool and reason, never argument values', async () => {
    const audit = join(mkdtempSync(join(tmpdir(), 'vam-cli-')), 'audit.jsonl');
    const { child, out, exit } = run(['--sandbox', '--audit-log', audit]);
    const destructive = TOOLS.find((def) => def.classification === 'destructive');
    const send = (id: number, method: string, params: unknown) =>
      child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', id, method, params })}\n`);
    send(1, 'initialize', { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'a', version: '1' } });
    // Read-only by default: the destructive tool is refused by mode.
    send(2, 'tools/call', { name: destructive?.name, arguments: { userId: 'secret-looking-value-1' } });
    send(3, 'tools/call', { name: 'no_such_tool', arguments: { password: 'secret-looking-value-2' } });
    send(4, 'tools/call', { name: 'get_user', arguments: { userId: 'no-such-user-0000' } });
    send(5, 'tools/call', { name: 'list_permissions', arguments: { limit: 1 } });
    while (out.stdout.split('\n').filter(Boolean).length < 5) await new Promise((resolve) => setTimeout(resolve, 20));
    child.stdin.end();
    expect(await exit).toBe(0);
    const logged = out.stderr
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((entry) => typeof entry.msg === 'string' && entry.msg.startsWith('tool call'));
    expect(
      logged.map(({ level, requestId, tool, decision, reason, msg }) => ({
        level,
        requestId,
        tool,
        decision,
        reason,
        msg,
      })),
    ).toEqual([
      {
        level: 30,
        requestId: 2,
        tool: destructive?.name,
        decision: 'refused',
        reason: 'mode',
        msg: 'tool call refused',
      },
      {
        level: 30,
        requestId: 3,
        tool: 'no_such_tool',
        decision: 'refused',
        reason: 'unknown-tool',
        msg: 'tool call refused',
      },
      {
        level: 30,
        requestId: 4,
        tool: 'get_user',
        decision: 'allowed',
        reason: expect.stringContaining('404'),
        msg: 'tool call failed',
      },
    ]);
    expect(logged[1]?.args).toEqual(['password']);
    expect(out.stderr).not.toContain('secret-looking-value');
  });

  it('HTTP off loopback without VISIER_MCP_HTTP_TOKEN is a configuration error: exit 2, one line, nothing started', async () => {
    const { out, exit } = run(['--http', '--sandbox', '--host', '0.0.0.0']);
    expect(await exit).toBe(2);
    expect(out.stderr).toBe(
      'visier-admin-mcp: VISIER_MCP_HTTP_TOKEN: required when binding 0.0.0.0 (--host), a non-loopback address; set a bearer token of 16+ characters or bind 127.0.0.1\n',
    );
    expect(out.stdout).toBe('');
  });

  it('a placeholder from the shipped examples is refused at start naming its variable, never echoing it', async () => {
    const { out, exit } = run(['--sandbox'], { VISIER_MCP_CONFIRM_SECRET: 'replace-me-with-32-random-characters' });
    expect(await exit).toBe(2);
    expect(out.stderr).toBe(
      'visier-admin-mcp: VISIER_MCP_CONFIRM_SECRET: holds a placeholder (replace-me, changeme or <…>, as in the shipped examples), not a real value; set it from your secret store or configuration\n',
    );
    const url = run(['--sandbox', '--audit-anchor', 'https://<audit-sink>/visier'], {});
    expect(await url.exit).toBe(2);
    expect(url.out.stderr).toContain('visier-admin-mcp: --audit-anchor: holds a placeholder');
  });

  it('--redis-url without a shared confirmation secret stops start-up naming VISIER_MCP_CONFIRM_SECRET, exit 2', async () => {
    const { out, exit } = run(['--http', '--sandbox', '--redis-url', 'redis://127.0.0.1:1']);
    expect(await exit).toBe(2);
    expect(out.stderr).toBe(
      'visier-admin-mcp: VISIER_MCP_CONFIRM_SECRET (--confirm-secret): required with --redis-url; replicas sharing state must share the secret that signs confirmation tokens (16+ random characters, the same on every replica)\n',
    );
  });

  it('a word that is no command says so and lists the commands, exit 2', async () => {
    const { out, exit } = run(['frobnicate']);
    expect(await exit).toBe(2);
    expect(out.stderr).toBe(
      `visier-admin-mcp: unknown command frobnicate: the commands are ${Object.keys(COMMANDS).join(', ')} (see --help)\n`,
    );
  });

  it('a closed stdout ends help, version and doctor quietly, with their own exit codes', async () => {
    for (const [args, code] of [
      [['help'], 0],
      [['version'], 0],
      [['doctor', '--sandbox'], 0],
    ] as const) {
      const state = mkdtempSync(join(tmpdir(), 'vam-cli-'));
      const { child, out, exit } = run([...args], { XDG_STATE_HOME: state });
      child.stdout.destroy();
      expect(await exit, `${args.join(' ')}: ${out.stderr}`).toBe(code);
      expect(out.stderr, args.join(' ')).toBe('');
    }
  });

  it('sandbox on a port in use: the same one-line --port hint as the server, exit 1', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const { port } = taken.address() as { port: number };
    const { out, exit } = run(['sandbox', '--port', String(port)]);
    const code = await exit;
    await new Promise((resolve) => taken.close(resolve));
    expect(code).toBe(1);
    expect(out.stderr).toBe(
      `visier-admin-mcp: port ${port} on 127.0.0.1 is in use: pass another --port, or --port 0 for a free one\n`,
    );
  });

  it('help: the sandbox flags from its own parser, what the audit key signs, one column for every description', async () => {
    const { out, exit } = run(['help']);
    expect(await exit).toBe(0);
    const usage = out.stdout.split('\n').find((line) => line.startsWith('  sandbox '));
    for (const name of Object.keys(SANDBOX_FLAGS)) expect(usage).toContain(`[--${name} `);
    expect(out.stdout).toMatch(
      /--audit-key \/ VISIER_MCP_AUDIT_KEY +Ed25519 private key \(PEM\) that signs every audit line and the checkpoints/,
    );
    const flags = out.stdout.split('Flags (flag / environment variable; flags win):\n')[1]?.split('\n\n')[0];
    const columns = new Set(flags?.split('\n').map((line) => /^ {2}\S.*?\S {2,}(?=\S)/.exec(line)?.[0].length));
    expect(columns.size, flags).toBe(1);
  });

  it('--http off loopback with a token: a reachable host, and an Inspector command and config carrying the header, never the token', async () => {
    const token = 'banner-token-0123456789';
    const audit = join(mkdtempSync(join(tmpdir(), 'vam-cli-')), 'audit.jsonl');
    const { child, out, exit } = run(
      ['--http', '--sandbox', '--host', '0.0.0.0', '--port', '0', '--audit-log', audit, '--log-level', 'silent'],
      { VISIER_MCP_HTTP_TOKEN: token },
    );
    while (!out.stderr.includes('Client config')) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(out.stderr).not.toContain(token);
    const url = /Streamable HTTP at (\S+) /.exec(out.stderr)?.[1] as string;
    expect(new URL(url).hostname).toBe(hostname());
    expect(out.stderr).toContain(
      `Inspector: npx @modelcontextprotocol/inspector --cli ${url} --method tools/list --header "Authorization: Bearer $VISIER_MCP_HTTP_TOKEN"`,
    );
    const config = JSON.parse(/Client config \(.*\): (\{.*\})/.exec(out.stderr)?.[1] as string);
    expect(config.mcpServers.visier).toEqual({
      type: 'http',
      url,
      headers: { Authorization: 'Bearer $VISIER_MCP_HTTP_TOKEN' },
    });
    // The printed URL's host and header, the token put in, are what the server takes; without the header, 401.
    const printed = new URL(url);
    const initialize = (headers: Record<string, string>) =>
      new Promise<number | undefined>((resolve, reject) => {
        const req = request(
          {
            host: '127.0.0.1',
            port: printed.port,
            path: printed.pathname,
            method: 'POST',
            headers: {
              host: printed.host,
              'content-type': 'application/json',
              accept: 'application/json, text/event-stream',
              ...headers,
            },
          },
          (res) => {
            res.resume();
            resolve(res.statusCode);
          },
        );
        req.on('error', reject);
        req.end(
          JSON.stringify({
            jsonrpc: '2.0',
            id: 1,
            method: 'initialize',
            params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'a', version: '1' } },
          }),
        );
      });
    const header = config.mcpServers.visier.headers.Authorization.replace('$VISIER_MCP_HTTP_TOKEN', token);
    expect(await initialize({ authorization: header })).toBe(200);
    expect(await initialize({})).toBe(401);
    child.kill('SIGTERM');
    expect(await exit).toBe(0);
  });
});
