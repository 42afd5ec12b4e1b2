import { execFile } from 'node:child_process';
import { generateKeyPairSync, hash, sign } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InMemoryTransport } from '@modelcontextprotocol/client';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { CallToolResultSchema, type McpError } from '@modelcontextprotocol/sdk/types.js';
import { McpServer } from '@modelcontextprotocol/server';
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { sealLine } from '../../src/guards/audit-chain.js';
import { publicKeyPem, signerOf } from '../../src/guards/audit-key.js';
import { CLI, ensureBuilt, ROOT } from '../e2e/build.js';

// Attacks on the audit log as a local attacker (or a careless operator) would make them, each against the
// built CLI: real servers write the log, the real `verify-audit` judges it.

beforeAll(() => ensureBuilt(), 120_000);

interface Server {
  client: Client;
  stderr: () => string;
  close(): Promise<void>;
}

async function startServer(state: string, auditLog: string, extra: string[] = []): Promise<Server> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [CLI, '--sandbox', '--audit-log', auditLog, ...extra],
    cwd: ROOT,
    stderr: 'pipe',
    env: { PATH: process.env.PATH ?? '', XDG_STATE_HOME: state },
  });
  let stderr = '';
  transport.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const client = new Client({ name: 'hostile-audit', version: '1' });
  await client.connect(transport);
  return { client, stderr: () => stderr, close: () => client.close() };
}

async function calls(server: Server, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    const result = await server.client.callTool({ name: 'list_permissions', arguments: { limit: 1 } });
    expect(result.isError).toBeFalsy();
  }
}

function verify(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, 'verify-audit', ...args], { cwd: ROOT }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? null) : 0, stdout, stderr });
    });
  });
}

function fixture() {
  const state = mkdtempSync(join(tmpdir(), 'hostile-audit-'));
  const dir = mkdtempSync(join(tmpdir(), 'hostile-audit-log-'));
  return { state, dir, log: join(dir, 'audit.jsonl') };
}

/** A webhook on loopback keeping every checkpoint POSTed to it; `until` waits for one that `matches`. */
async function webhookSink() {
  const received: Record<string, unknown>[] = [];
  let arrived: () => void = () => {};
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => {
      body += chunk.toString('utf8');
    });
    req.on('end', () => {
      received.push(JSON.parse(body) as Record<string, unknown>);
      res.end();
      arrived();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const sink = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/audit`,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
  const until = async (matches: (checkpoint: Record<string, unknown>) => boolean) => {
    while (!received.some(matches)) await new Promise<void>((resolve) => (arrived = resolve));
  };
  return { sink, received, until };
}

const linesOf = (path: string) => readFileSync(path, 'utf8').split('\n').filter(Boolean);
const writeLines = (path: string, lines: string[]) => writeFileSync(path, `${lines.join('\n')}\n`);

/**
 * What an attacker who knows the format can do without the private key: re-link lines from `from` on,
 * renumbering and recomputing every hash, and keep (or drop) the signatures they cannot remake.
 */
function relink(lines: string[], from: number, prevOf: (index: number) => string): string[] {
  return lines.map((text, index) => {
    if (index < from) return text;
    const { hash: _hash, sig, ...rest } = JSON.parse(text) as Record<string, unknown>;
    const prev = prevOf(index);
    const body = JSON.stringify({ ...rest, ...('seq' in rest ? { seq: index + 1 } : {}), prev });
    const digest = hashOf(prev, body);
    const relinked = `${body.slice(0, -1)},"hash":"${digest}"${sig === undefined ? '' : `,"sig":"${String(sig)}"`}}`;
    lines[index] = relinked;
    return relinked;
  });
}
const hashOf = (prev: string, body: string) => hash('sha256', prev + body);
const headOf = (line: string) => (JSON.parse(line) as { hash: string }).hash;

describe('hostile: the audit log proves itself', () => {
  it('cut last lines are detected as truncation, naming the first missing line', async () => {
    const f = fixture();
    const server = await startServer(f.state, f.log);
    await calls(server, 3);
    await server.close();
    expect(await verify([f.log])).toMatchObject({ code: 0 });
    // The public key is shown at start-up; the private key appears nowhere but in its file.
    expect(server.stderr()).toMatch(
      /"keyId":"[0-9a-f]{16}","publicKey":"MCowBQYDK2VwAyEA[\w+/]{43}=".*audit log signed with Ed25519/,
    );
    const privateKey = readFileSync(join(f.state, 'visier-admin-mcp', 'audit-key.pem'), 'utf8');
    const secret = privateKey.split('\n')[1] as string;
    for (const text of [server.stderr(), readFileSync(f.log, 'utf8'), readFileSync(`${f.log}.checkpoint`, 'utf8')]) {
      expect(text).not.toContain(secret);
    }

    writeLines(f.log, linesOf(f.log).slice(0, 2));
    const result = await verify([f.log]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/line 3: truncated/);
  });

  it('a log rewritten from a deleted line on, with recomputed hashes, is detected as rewritten at that line', async () => {
    const f = fixture();
    const server = await startServer(f.state, f.log);
    await calls(server, 4);
    await server.close();

    const lines = linesOf(f.log);
    lines.splice(1, 1);
    const rewritten = relink(lines, 1, (index) => headOf(lines[index - 1] as string));
    writeLines(f.log, rewritten);
    const result = await verify([f.log]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/line 2: rewritten/);
  });

  it('a forged appended line, correctly chained but not signed by the server, is detected as forged', async () => {
    const f = fixture();
    const server = await startServer(f.state, f.log);
    await calls(server, 2);
    await server.close();

    const lines = linesOf(f.log);
    const forged = { ...(JSON.parse(lines[1] as string) as Record<string, unknown>), tool: 'delete_users' };
    lines.push(JSON.stringify(forged));
    writeLines(
      f.log,
      relink(lines, 2, (index) => headOf(lines[index - 1] as string)),
    );
    const result = await verify([f.log]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/line 3: forged/);
  });

  it('a forged line and checkpoint signed with another key are detected, even with the key beside the log swapped', async () => {
    const f = fixture();
    const server = await startServer(f.state, f.log);
    await calls(server, 2);
    await server.close();
    const trusted = join(f.state, 'trusted.pub');
    writeFileSync(trusted, readFileSync(`${f.log}.pub`));

    const attacker = generateKeyPairSync('ed25519');
    const lines = linesOf(f.log);
    lines.push(
      JSON.stringify({ ...(JSON.parse(lines[1] as string) as Record<string, unknown>), tool: 'delete_users' }),
    );
    const relinked = relink(lines, 2, (index) => headOf(lines[index - 1] as string));
    const head = headOf(relinked[2] as string);
    const sig = sign(null, Buffer.from(`visier-admin-mcp audit v1\n3\n${head}`), attacker.privateKey).toString(
      'base64url',
    );
    relinked[2] = (relinked[2] as string).replace(/,"sig":"[^"]*"}$/, `,"sig":"${sig}"}`);
    writeLines(f.log, relinked);
    const checkpoint = JSON.parse(readFileSync(`${f.log}.checkpoint`, 'utf8')) as Record<string, unknown>;
    writeFileSync(`${f.log}.checkpoint`, JSON.stringify({ ...checkpoint, lines: 3, head, sig }));

    const result = await verify([f.log, '--public-key', trusted]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/line 3: forged/);
    expect(result.stderr).toMatch(/forged checkpoint/);

    // Swapping the key beside the log too makes a self-consistent forgery only against that key.
    writeFileSync(`${f.log}.pub`, attacker.publicKey.export({ type: 'spki', format: 'pem' }));
    expect((await verify([f.log, '--public-key', trusted])).code).toBe(1);
  });

  it('a log re-signed with another key and a swapped .pub beside it is caught by the signing key beside it', async () => {
    // The default layout: log and signing key both in the state directory.
    const f = fixture();
    const log = join(f.state, 'visier-admin-mcp', 'audit.jsonl');
    const server = await startServer(f.state, log);
    await calls(server, 3);
    await server.close();

    // Without the private key: drop line 2, re-seal every line and the checkpoint with an own key, swap the .pub.
    const attacker = signerOf(generateKeyPairSync('ed25519').privateKey);
    const entries = linesOf(log)
      .map((text) => JSON.parse(text) as Record<string, unknown>)
      .map(({ seq: _s, prev: _p, hash: _h, sig: _g, ...entry }) => entry);
    entries.splice(1, 1);
    let prev = '0'.repeat(64);
    const resealed = entries.map((entry, index) => {
      const line = sealLine(entry, index + 1, prev, attacker);
      prev = line.hash;
      return line.text;
    });
    writeLines(log, resealed);
    const checkpoint = JSON.parse(readFileSync(`${log}.checkpoint`, 'utf8')) as Record<string, unknown>;
    const sig = attacker.sign('audit-checkpoint', resealed.length, prev);
    writeFileSync(`${log}.checkpoint`, JSON.stringify({ ...checkpoint, lines: resealed.length, head: prev, sig }));
    writeFileSync(`${log}.pub`, publicKeyPem(attacker.publicKey));

    const result = await verify([log]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/replaced key: the public key beside the log \([0-9a-f]+\) is not the signing key's/);
  });

  it('verify says when all it could trust is the public key beside the log', async () => {
    const f = fixture();
    const server = await startServer(f.state, f.log);
    await calls(server, 1);
    await server.close();
    const result = await verify([f.log]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('checked against the public key beside the log only');
  });

  it('a server started on a tampered log records a signed gap and warns; verify reports the gap', async () => {
    const f = fixture();
    const first = await startServer(f.state, f.log);
    await calls(first, 3);
    await first.close();
    writeLines(f.log, linesOf(f.log).slice(0, 1));

    const second = await startServer(f.state, f.log);
    await calls(second, 1);
    await second.close();
    expect(second.stderr()).toMatch(/audit log does not match its last checkpoint/);
    const gap = JSON.parse(linesOf(f.log)[1] as string) as Record<string, unknown>;
    expect(gap).toMatchObject({ event: 'gap', expected: { lines: 3 }, found: { lines: 1 } });
    expect(gap.sig).toEqual(expect.any(String));

    const result = await verify([f.log]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/line 2: gap: .*expected 3 lines.*found 1 line/);
  });

  it('a cut tail behind a checkpoint rebuilt from a kept line’s own signature is detected, by verify and by a server', async () => {
    const f = fixture();
    const first = await startServer(f.state, f.log);
    await calls(first, 5);
    await first.close();
    const keyFile = join(f.state, 'trusted.pub');
    writeFileSync(keyFile, readFileSync(`${f.log}.pub`));
    const saved = JSON.parse(readFileSync(`${f.log}.checkpoint`, 'utf8')) as Record<string, unknown>;

    // The attacker cuts the last 2 lines and signs the shorter log with what the third line already carries.
    const kept = linesOf(f.log).slice(0, 3);
    writeLines(f.log, kept);
    const last = JSON.parse(kept[2] as string) as { seq: number; hash: string; sig: string };
    const forged = { lines: last.seq, head: last.hash, sig: last.sig, bytes: statSync(f.log).size, key: saved.key };
    writeFileSync(`${f.log}.checkpoint`, `${JSON.stringify(forged).padEnd(511, ' ')}\n`);

    const result = await verify([f.log, '--public-key', keyFile]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /line 3: forged checkpoint: the checkpoint beside the log carries line 3's own signature/,
    );

    const second = await startServer(f.state, f.log);
    await calls(second, 1);
    await second.close();
    expect(second.stderr()).toMatch(/audit log does not match its last checkpoint/);
    expect(JSON.parse(linesOf(f.log)[3] as string)).toMatchObject({
      event: 'gap',
      reason: 'checkpoint-invalid',
      found: { lines: 3 },
    });
    expect((await verify([f.log, '--public-key', keyFile])).stderr).toMatch(/line 4: gap: /);
  });

  it('an emptied log without its checkpoint is not intact; a log never written is nothing to verify', async () => {
    const f = fixture();
    const fresh = await startServer(f.state, f.log);
    await fresh.close();
    // A server that wrote no line still signs the empty log.
    expect(await verify([f.log])).toMatchObject({ code: 0, stdout: expect.stringMatching(/intact: 0 lines/) });

    const server = await startServer(f.state, f.log);
    await calls(server, 2);
    await server.close();
    writeFileSync(f.log, '');
    rmSync(`${f.log}.checkpoint`);
    const emptied = await verify([f.log]);
    expect(emptied.code).toBe(1);
    expect(emptied.stderr).toMatch(/line 1: no checkpoint: the checkpoint beside the log is missing/);

    // A server started on it records the break before its first line.
    const again = await startServer(f.state, f.log);
    await calls(again, 1);
    await again.close();
    expect(JSON.parse(linesOf(f.log)[0] as string)).toMatchObject({ event: 'gap', reason: 'checkpoint-missing' });

    rmSync(f.log);
    const noLog = await verify([f.log]);
    expect(noLog.code).toBe(1);
    expect(noLog.stderr).toMatch(/no log: the log .* is missing while a checkpoint of it exists/);

    rmSync(`${f.log}.checkpoint`);
    const nothing = await verify([f.log]);
    expect(nothing.code).toBe(4);
    expect(nothing.stderr).toMatch(/^audit log NOT VERIFIED: no such file: neither .* nor its checkpoint exists\n$/);
  });

  it('two servers on one file, calls interleaved and concurrent: both run, no torn line, one verifiable log', async () => {
    const f = fixture();
    const a = await startServer(f.state, f.log);
    const b = await startServer(f.state, f.log);
    for (const server of [a, b, a, b]) await calls(server, 1);
    await Promise.all([calls(a, 10), calls(b, 10)]);
    await a.close();
    await b.close();

    const lines = linesOf(f.log);
    expect(lines).toHaveLength(24);
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
    const result = await verify([f.log]);
    expect(result).toMatchObject({ code: 0 });
    expect(result.stdout).toMatch(/intact: 24 lines/);
    expect(readdirSync(f.dir).sort()).toEqual(['audit.jsonl', 'audit.jsonl.checkpoint', 'audit.jsonl.pub']);
    expect(readdirSync(join(f.state, 'visier-admin-mcp'))).toEqual(['audit-key.pem']);
  });

  it('a call to an unknown tool and a call with invalid arguments each leave a line, with the SDK error shapes', async () => {
    const f = fixture();
    const server = await startServer(f.state, f.log);
    // SDK v2 answers an unknown tool as the protocol error -32602 the 2025-11-25 spec shows, not a result.
    await expect(server.client.callTool({ name: 'grant_everything', arguments: { to: 'me' } })).rejects.toMatchObject({
      code: -32602,
      message: expect.stringMatching(/Tool grant_everything not found/),
    });
    const invalid = await server.client.callTool({ name: 'list_permissions', arguments: { limit: 'all' } });
    expect(invalid).toMatchObject({
      isError: true,
      content: [{ type: 'text', text: expect.stringMatching(/Input validation error.*limit/) }],
    });
    await server.close();

    const lines = linesOf(f.log).map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toMatchObject([
      { tool: 'grant_everything', decision: 'refused', reason: 'unknown-tool', args: { to: 'me' } },
      { tool: 'list_permissions', decision: 'refused', reason: 'invalid-arguments', args: { limit: 'all' } },
    ]);
    expect((await verify([f.log])).code).toBe(0);
  });

  it('every malformed tools/call leaves a line, and the client still gets the SDK’s error answer', async () => {
    const f = fixture();
    const server = await startServer(f.state, f.log);
    // The answer a bare McpServer of the same SDK gives, for comparison: the audit wrapper must not change it.
    const bare = new McpServer({ name: 'bare', version: '1' });
    bare.registerTool('list_permissions', { inputSchema: z.object({ limit: z.number().optional() }) }, () => ({
      content: [],
    }));
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await bare.connect(serverSide);
    const bareClient = new Client({ name: 'bare', version: '1' });
    await bareClient.connect(clientSide);
    const raw = (client: Client, params: unknown) =>
      client.request({ method: 'tools/call', params } as never, CallToolResultSchema, { timeout: 2000 }).then(
        (result) => ({ result }),
        (error: unknown) => ({ code: (error as McpError).code, message: (error as McpError).message }),
      );
    const malformed: [unknown, Record<string, unknown>][] = [
      [
        { name: 42, arguments: {} },
        { tool: '(number)', args: {} },
      ],
      [
        { name: 'list_permissions', arguments: [1] },
        { tool: 'list_permissions', args: { '(arguments)': [1] } },
      ],
      [
        { name: 'list_permissions', arguments: 'all' },
        { tool: 'list_permissions', args: { '(arguments)': 'all' } },
      ],
      [{ arguments: { limit: 1 } }, { tool: '(no name)', args: { limit: 1 } }],
      [undefined, { tool: '(no name)', args: {} }],
    ];
    for (const [params] of malformed) {
      const answer = await raw(server.client, params);
      expect(answer).toMatchObject({ code: expect.any(Number), message: expect.any(String) });
      expect(answer).toEqual(await raw(bareClient, params));
    }
    // `params: null` is no JSON-RPC request at all: the SDK's transport would drop it in silence (as the bare
    // server here does), the stdio line filter answers it -32600 before any dispatch; there is no call to audit,
    // and the server goes on serving.
    expect(await raw(bareClient, null)).toMatchObject({ code: -32001 });
    expect(await raw(server.client, null)).toMatchObject({ code: -32600 });
    await bareClient.close();
    // A well-formed call to a tool with a huge name is an unknown tool; its name is cut in the record.
    const huge = 'x'.repeat(100_000);
    // SDK v2 answers an unknown tool with a protocol error (-32602), not a tool result.
    await expect(server.client.callTool({ name: huge, arguments: {} })).rejects.toMatchObject({ code: -32602 });
    await server.close();

    const lines = linesOf(f.log).map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toMatchObject([
      ...malformed.map(([, expected]) => ({ ...expected, decision: 'refused', reason: 'invalid-request' })),
      { tool: `${'x'.repeat(128)}…(+${100_000 - 128} characters)`, decision: 'refused', reason: 'unknown-tool' },
    ]);
    expect((await verify([f.log])).code).toBe(0);
  });

  it('a webhook anchor receives every checkpoint; its last one exposes a truncation hidden behind an old checkpoint', async () => {
    const { sink, received, until } = await webhookSink();
    const url = `${sink.url}?token=s3cret-hook-token`;
    try {
      const f = fixture();
      const server = await startServer(f.state, f.log, ['--audit-anchor', url]);
      await calls(server, 1);
      const oldCheckpoint = readFileSync(`${f.log}.checkpoint`);
      const oldLines = linesOf(f.log);
      await calls(server, 1);
      await until((c) => c.lines === 2);
      await server.close();
      expect(server.stderr()).not.toContain('s3cret-hook-token');
      expect(received.at(-1)).toMatchObject({ lines: 2, head: headOf(linesOf(f.log)[1] as string) });

      // The local attacker cuts the last call and puts back the checkpoint they saved: locally consistent.
      writeLines(f.log, oldLines);
      writeFileSync(`${f.log}.checkpoint`, oldCheckpoint);
      expect((await verify([f.log])).code).toBe(0);
      const anchored = join(f.state, 'anchored.json');
      writeFileSync(anchored, JSON.stringify(received.at(-1)));
      const result = await verify([f.log, '--checkpoint', anchored]);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/line 2: truncated/);
    } finally {
      await sink.close();
    }
  });

  it("a pod gone with its volume: the log alone verifies against the anchor's checkpoint, which carries the key", async () => {
    const { sink, received, until } = await webhookSink();
    try {
      const f = fixture();
      const server = await startServer(f.state, f.log, ['--audit-anchor', sink.url]);
      await calls(server, 2);
      await until((c) => c.lines === 2);
      await server.close();
      const last = received.find((c) => c.lines === 2) as Record<string, unknown>;
      const pub = readFileSync(`${f.log}.pub`, 'utf8');
      expect(last.publicKey).toBe(pub.replace(/-----[A-Z ]+-----|\s/g, ''));

      // Only the lines survive (copied out before the pod went): no key file, no .pub, no checkpoint beside them.
      const kept = join(mkdtempSync(join(tmpdir(), 'vam-pod-gone-')), 'audit.jsonl');
      writeLines(kept, linesOf(f.log));
      const anchored = join(f.state, 'anchored.json');
      writeFileSync(anchored, JSON.stringify(last));
      const intact = await verify([kept, '--checkpoint', anchored]);
      expect(intact.code, intact.stderr).toBe(0);
      expect(intact.stdout).toContain(`audit log intact: 2 lines, signed by key ${last.key as string}`);

      // The anchored key still catches an edited line, and a checkpoint whose key is not the id it states is no key.
      const edited = linesOf(f.log);
      edited[0] = (edited[0] as string).replace('"decision":"', '"decision":"x');
      writeLines(kept, edited);
      expect((await verify([kept, '--checkpoint', anchored])).code).toBe(1);
      writeFileSync(anchored, JSON.stringify({ ...last, key: '0000000000000000' }));
      expect((await verify([kept, '--checkpoint', anchored])).code).toBe(3);
    } finally {
      await sink.close();
    }
  });

  it('a syslog anchor receives each checkpoint as an RFC 5424 message over UDP', async () => {
    const socket = createSocket('udp4');
    const messages: string[] = [];
    let arrived: () => void = () => {};
    socket.on('message', (message) => {
      messages.push(message.toString('utf8'));
      arrived();
    });
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    try {
      const f = fixture();
      const server = await startServer(f.state, f.log, [
        '--audit-anchor',
        `syslog://127.0.0.1:${socket.address().port}`,
      ]);
      await calls(server, 2);
      while (!messages.some((m) => m.includes('"lines":2'))) await new Promise<void>((resolve) => (arrived = resolve));
      await server.close();
      const last = messages.find((m) => m.includes('"lines":2')) as string;
      expect(last).toMatch(/^<\d+>1 \d{4}-\d\d-\d\dT[^ ]+ [^ ]+ visier-admin-mcp \d+ checkpoint - \{/);
      const anchored = join(f.state, 'anchored.json');
      // The message as the syslog server received it: verify takes its JSON part.
      writeFileSync(anchored, last);
      expect((await verify([f.log, '--checkpoint', anchored])).code).toBe(0);
    } finally {
      socket.close();
    }
  });
});
