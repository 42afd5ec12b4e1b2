// The built CLI with the approvals page: its one-time link on stderr in stdio and HTTP modes, a change over stdio
// that waits for the page's click and is then made, and no page (no line) when nothing asks for one.
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PERMISSIONS, DEMO_USERS } from '../../src/sandbox/index.js';
import { CLI, ensureBuilt, ROOT } from './build.js';

beforeAll(() => ensureBuilt(), 120_000);

const LINK = /^approvals: (http:\/\/127\.0\.0\.1:\d+)\/#k=([\w-]{43})$/m;

function run(args: string[]) {
  const audit = join(mkdtempSync(join(tmpdir(), 'vam-approvals-')), 'audit.jsonl');
  const child = spawn(process.execPath, [CLI, '--sandbox', '--audit-log', audit, ...args], {
    cwd: ROOT,
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, CI: '1' },
  }) as ChildProcessWithoutNullStreams;
  const out = { stdout: '', stderr: '' };
  child.stdout.on('data', (c: Buffer) => {
    out.stdout += c.toString('utf8');
  });
  child.stderr.on('data', (c: Buffer) => {
    out.stderr += c.toString('utf8');
  });
  const exit = new Promise<number | null>((resolve) => child.on('exit', resolve));
  /** Resolves once `text` has appeared on the stream (read as it arrives: no fixed wait). */
  const seen = (stream: 'stdout' | 'stderr', pattern: RegExp) =>
    new Promise<RegExpExecArray>((resolve, reject) => {
      const look = () => {
        const match = pattern.exec(out[stream]);
        if (match !== null) {
          child[stream].off('data', look);
          child.off('exit', gone);
          resolve(match);
        }
      };
      const gone = () => reject(new Error(`exited before ${pattern} on ${stream}:\n${out.stderr}`));
      child[stream].on('data', look);
      child.once('exit', gone);
      look();
    });
  const send = (message: object) => child.stdin.write(`${JSON.stringify(message)}\n`);
  return { child, out, exit, seen, send };
}

async function get(origin: string, path: string, session?: string) {
  const answer = await request(`${origin}${path}`, {
    headers: session === undefined ? {} : { 'x-approvals-session': session },
  });
  return { status: answer.statusCode, headers: answer.headers, text: await answer.body.text() };
}

/** A POST as the page's script sends it: JSON, with the page's own Origin. */
async function post(origin: string, path: string, body: object, session?: string) {
  const answer = await request(`${origin}${path}`, {
    method: 'POST',
    headers: {
      origin,
      'content-type': 'application/json',
      ...(session === undefined ? {} : { 'x-approvals-session': session }),
    },
    body: JSON.stringify(body),
  });
  return { status: answer.statusCode, text: await answer.body.text() };
}

describe('visier-admin-mcp CLI: the approvals page', () => {
  it('stdio, --confirm web: the link on stderr; a grant waits for the click on the page, then is made', async () => {
    const server = run(['--mode', 'full', '--confirm', 'web', '--no-open']);
    const [, origin, secret] = (await server.seen('stderr', LINK)) as unknown as [string, string, string];
    server.send({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'cli-test', version: '9.9' } },
    });
    await server.seen('stdout', /"id":1/);
    server.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    server.send({
      jsonrpc: '2.0',
      id: 2,
      method: 'tools/call',
      params: {
        name: 'assign_permissions_to_users',
        arguments: { permissionIds: [DEMO_PERMISSIONS.payrollAuditor.permissionId], userIds: [DEMO_USERS.dana.userId] },
      },
    });
    // What the page's script does with the link's fragment: trade it for the session key.
    const opened = await post(origin, '/session', { link: secret });
    expect(opened.status).toBe(200);
    const { session } = JSON.parse(opened.text) as { session: string };
    type Listed = { items: { id: string; digest: string; tool: string; who: string }[] };
    let listed = JSON.parse((await get(origin, '/pending', session)).text) as Listed;
    // The call is on its way to the page: the list is read until it shows (the page itself polls the same way).
    while (listed.items.length === 0) listed = JSON.parse((await get(origin, '/pending', session)).text) as Listed;
    const [item] = listed.items as [Listed['items'][number]];
    expect(item.tool).toBe('assign_permissions_to_users');
    expect(item.who).toContain('through cli-test 9.9');
    expect(server.out.stdout).not.toContain('"id":2');
    const decided = await post(origin, '/decide', { id: item.id, digest: item.digest, decision: 'approve' }, session);
    expect(decided.status).toBe(200);
    const [answer] = await server.seen('stdout', /\{[^\n]*"id":2[^\n]*\}/);
    expect(JSON.parse(answer).result.isError).toBeUndefined();
    expect(answer).toContain('Assign permissions: succeeded');
    server.child.stdin.end();
    expect(await server.exit).toBe(0);
    await expect(get(origin, '/')).rejects.toThrow();
  });

  it('HTTP, a per-class policy: the link on stderr beside the HTTP banner', async () => {
    const server = run(['--http', '--port', '0', '--confirm', 'access=web,destructive=web', '--no-open']);
    const [, origin] = (await server.seen('stderr', LINK)) as unknown as [string, string];
    await server.seen('stderr', /Streamable HTTP at/);
    expect((await get(origin, '/pending')).status).toBe(401);
    server.child.kill('SIGTERM');
    expect(await server.exit).toBe(0);
  });

  it('no page when no class is confirmed by web and no --approvals-port is given; a bad policy names --confirm', async () => {
    const quiet = run(['--mode', 'full']);
    quiet.send({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'cli-test', version: '1' } },
    });
    await quiet.seen('stdout', /"id":1/);
    quiet.child.stdin.end();
    expect(await quiet.exit).toBe(0);
    expect(quiet.out.stderr).not.toContain('approvals:');

    const bad = run(['--confirm', 'access=sometimes']);
    expect(await bad.exit).toBe(2);
    expect(bad.out.stderr).toContain('--confirm: must be auto, elicitation, web, or CLASS=CHANNEL pairs');
    expect(bad.out.stderr).toContain("'access=sometimes' is not");
  });
});
