import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CLI, ensureBuilt, ROOT } from './build.js';

// The stdio server's readers may go away before it does (`| head -3`, a client that quits, a closed terminal):
// exiting at stdin's end or on SIGTERM must not depend on a log line getting out.

beforeAll(() => ensureBuilt(), 120_000);

/** Generous for a loaded machine; a server stuck on a closed pipe never exits at all. */
const EXIT_WITHIN_MS = 8000;

const state = () => ({ PATH: process.env.PATH ?? '', XDG_STATE_HOME: mkdtempSync(join(tmpdir(), 'vam-closed-')) });

/** The exit code, or 'hung' when the process was still running after EXIT_WITHIN_MS (it is then killed). */
function exitOf(child: ChildProcess): Promise<number | null | 'hung'> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve('hung');
    }, EXIT_WITHIN_MS);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

describe('stdio server with its output closed', () => {
  it('`--sandbox </dev/null 2>&1 | head -3` exits, every time', async () => {
    // A race between the last log line's write and the exit: several runs, so that a server that can hang does.
    const once = () => {
      const child = spawn('sh', ['-c', `exec "${process.execPath}" "${CLI}" --sandbox 2>&1`], {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'ignore'],
        env: state(),
      });
      let lines = 0;
      child.stdout?.on('data', (chunk: Buffer) => {
        lines += chunk.toString('utf8').split('\n').length - 1;
        if (lines >= 3) child.stdout?.destroy();
      });
      return exitOf(child);
    };
    expect(await Promise.all(Array.from({ length: 6 }, once))).toEqual(Array(6).fill(0));
  });

  it('stderr closed after its first chunk: SIGTERM still ends the server, and so does stdin closing', async () => {
    for (const stop of ['SIGTERM', 'stdin'] as const) {
      const child = spawn(process.execPath, [CLI, '--sandbox'], {
        cwd: ROOT,
        stdio: ['pipe', 'pipe', 'pipe'],
        env: state(),
      });
      const exited = exitOf(child);
      await new Promise((resolve) => child.stderr.once('data', resolve));
      child.stderr.destroy();
      // The server is ready once it answers; only then is its shutdown the one under test.
      child.stdin.write(
        `${JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'a', version: '1' } } })}\n`,
      );
      await new Promise((resolve) => child.stdout.once('data', resolve));
      if (stop === 'SIGTERM') child.kill('SIGTERM');
      else child.stdin.end();
      expect(await exited, stop).toBe(0);
    }
  });

  it('stdout closed by a client that quit: the server shuts down, with stdin still open', async () => {
    const child = spawn(process.execPath, [CLI, '--sandbox', '--log-level', 'silent'], {
      cwd: ROOT,
      stdio: ['pipe', 'pipe', 'pipe'],
      env: state(),
    });
    const exited = exitOf(child);
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString('utf8');
    });
    child.stdout.destroy();
    child.stdin.write(
      `${JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'a', version: '1' } } })}\n`,
    );
    expect(await exited).toBe(0);
    expect(stderr).not.toMatch(/EPIPE|\n\s+at /);
    child.stdin.destroy();
  });
});
