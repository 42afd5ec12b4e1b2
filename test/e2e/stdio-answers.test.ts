import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { READ_TOOLS } from '../support/tool-names.js';
import { CLI, ensureBuilt, ROOT } from './build.js';

// Issue 10: a client that sends a batch, a broken line or an invalid request over stdio used to get silence and
// wait for its timeout. Each line sent below must be answered, in the JSON-RPC 2.0 shape the spec prescribes.

beforeAll(() => ensureBuilt(), 120_000);

interface Answer {
  id?: string | number | null;
  result?: { protocolVersion?: string; tools?: unknown[] };
  error?: { code: number; message: string };
}

/** The built CLI over raw stdin/stdout: one line written, the next line read. */
class RawStdio {
  readonly child: ChildProcessWithoutNullStreams;
  private readonly lines: string[] = [];
  private wake?: () => void;

  constructor() {
    const audit = join(mkdtempSync(join(tmpdir(), 'vam-stdio-answers-')), 'audit.jsonl');
    this.child = spawn(process.execPath, [CLI, '--sandbox', '--audit-log', audit], { cwd: ROOT });
    let partial = '';
    this.child.stdout.on('data', (chunk: Buffer) => {
      const parts = (partial + chunk.toString('utf8')).split('\n');
      partial = parts.pop() ?? '';
      this.lines.push(...parts);
      this.wake?.();
    });
  }

  send(line: string): void {
    this.child.stdin.write(`${line}\n`);
  }

  async next(): Promise<unknown> {
    while (this.lines.length === 0) await new Promise<void>((resolve) => (this.wake = resolve));
    return JSON.parse(this.lines.shift() as string);
  }

  async initialize(protocolVersion: string): Promise<Answer> {
    this.send(
      JSON.stringify({
        jsonrpc: '2.0',
        id: 'init',
        method: 'initialize',
        params: { protocolVersion, capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
      }),
    );
    const answer = (await this.next()) as Answer;
    this.send(JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }));
    return answer;
  }
}

let open: RawStdio[] = [];
const start = () => {
  const raw = new RawStdio();
  open.push(raw);
  return raw;
};
afterEach(() => {
  for (const raw of open) raw.child.kill();
  open = [];
});

const invalidRequest = (id: string | number | null) => ({
  jsonrpc: '2.0',
  id,
  error: { code: -32600, message: expect.stringMatching(/^Invalid Request: /) },
});

describe('stdio answers every line', () => {
  it('text that is not JSON gets -32700 with id null', async () => {
    const raw = start();
    await raw.initialize('2025-11-25');
    raw.send('{"jsonrpc":"2.0","id":1,"method":"tools/list"');
    expect(await raw.next()).toEqual({
      jsonrpc: '2.0',
      id: null,
      error: { code: -32700, message: 'Parse error: the line is not JSON' },
    });
  });

  it('a value that is no JSON-RPC request gets -32600, with its id where one can be read', async () => {
    const raw = start();
    await raw.initialize('2025-11-25');
    raw.send(JSON.stringify({ jsonrpc: '2.0', id: 7, method: 5 }));
    expect(await raw.next()).toEqual(invalidRequest(7));
    raw.send(JSON.stringify({ hello: 'world' }));
    expect(await raw.next()).toEqual(invalidRequest(null));
    raw.send(JSON.stringify({ jsonrpc: '1.0', id: 8, method: 'ping' }));
    expect(await raw.next()).toEqual(invalidRequest(8));
    // Still serving afterwards.
    raw.send(JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'ping' }));
    expect(await raw.next()).toEqual({ jsonrpc: '2.0', id: 9, result: {} });
  });

  it('on 2025-11-25 (no batches) a batch gets one -32600 with id null, and an empty batch too', async () => {
    const raw = start();
    expect((await raw.initialize('2025-11-25')).result?.protocolVersion).toBe('2025-11-25');
    raw.send(JSON.stringify([{ jsonrpc: '2.0', id: 2, method: 'ping' }]));
    expect(await raw.next()).toEqual({
      jsonrpc: '2.0',
      id: null,
      error: { code: -32600, message: expect.stringContaining('batches are not part of MCP 2025-11-25') },
    });
    raw.send('[]');
    expect(await raw.next()).toEqual(invalidRequest(null));
  });

  it('a batch before initialize gets -32600 with id null', async () => {
    const raw = start();
    raw.send(JSON.stringify([{ jsonrpc: '2.0', id: 2, method: 'ping' }]));
    expect(await raw.next()).toEqual(invalidRequest(null));
  });

  it('on 2025-03-26 a batch is answered in one array: every request, an invalid element as -32600', async () => {
    const raw = start();
    expect((await raw.initialize('2025-03-26')).result?.protocolVersion).toBe('2025-03-26');
    raw.send(
      JSON.stringify([
        { jsonrpc: '2.0', id: 'a', method: 'ping' },
        { jsonrpc: '2.0', method: 'notifications/roots/list_changed' },
        { nonsense: true },
        { jsonrpc: '2.0', id: 'b', method: 'tools/list' },
      ]),
    );
    const answers = (await raw.next()) as Answer[];
    expect(Array.isArray(answers)).toBe(true);
    expect(answers).toHaveLength(3);
    expect(answers.find((a) => a.id === 'a')).toEqual({ jsonrpc: '2.0', id: 'a', result: {} });
    expect(answers.find((a) => a.id === 'b')?.result?.tools).toHaveLength(READ_TOOLS.length);
    expect(answers.find((a) => a.id === null)).toEqual(invalidRequest(null));
    raw.send('[]');
    expect(await raw.next()).toEqual(invalidRequest(null));
  });

  it('initialize without protocolVersion is -32602 naming the field, not -32603 with a schema dump', async () => {
    const raw = start();
    raw.send(
      JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: { capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
      }),
    );
    expect(await raw.next()).toEqual({
      jsonrpc: '2.0',
      id: 1,
      error: {
        code: -32602,
        message: 'Invalid params: params.protocolVersion: Invalid input: expected string, received undefined',
      },
    });
    // The connection is still open for a correct handshake.
    expect((await raw.initialize('2025-11-25')).result?.protocolVersion).toBe('2025-11-25');
  });

  it('any spec request whose params break the schema is -32602 naming the field, not -32603 with a dump', async () => {
    const raw = start();
    await raw.initialize('2025-11-25');
    const cases: [string, unknown, string][] = [
      ['resources/read', {}, 'params.uri: '],
      ['prompts/get', {}, 'params.name: '],
      ['logging/setLevel', { level: 'loud' }, 'params.level: '],
      ['resources/list', { cursor: 5 }, 'params.cursor: '],
    ];
    for (const [method, params, field] of cases) {
      raw.send(JSON.stringify({ jsonrpc: '2.0', id: method, method, params }));
      const answer = (await raw.next()) as Answer;
      expect(answer.id).toBe(method);
      expect(answer.error?.code).toBe(-32602);
      expect(answer.error?.message).toMatch(new RegExp(`^Invalid params: ${field}`));
    }
  });
});
