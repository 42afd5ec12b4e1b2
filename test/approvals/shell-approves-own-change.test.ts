// Regression (issue 14, second attack, F1), rewritten to what holds. The attack: in the clients that give the
// model a shell running as the same user as the server (Claude Code, Cursor, VS Code agent mode), that shell can
// read the one-time link (the client's log of the server's stderr, or the browser's redirect file) and approve
// over plain HTTP while its own tool call waits. On loopback the page cannot tell a person from a same-user
// process: that is a boundary, stated in the README (the proof of a person is the page's sign-in through the
// issuer with its second factor, and a server running as another OS user than the agent), not a bug closed here.
// What the server does to shrink what such a process can read: when a browser was opened, stderr never holds
// the secret (only where the opener failed, and only while the link is current), and the redirect file is gone
// as soon as the browser has traded the link. A stand-in `xdg-open` on PATH plays the platform's opener.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { request } from 'undici';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { stderrAnnouncer } from '../../src/approvals/announce.js';
import { type ApprovalsPage, startApprovalsPage } from '../../src/approvals/index.js';

let bin: string;
let record: string;
beforeEach(() => {
  bin = mkdtempSync(join(tmpdir(), 'vam-opener-'));
  record = join(bin, 'argv');
});
afterEach(() => rmSync(bin, { recursive: true, force: true }));

/** A stand-in opener: records its argv, waits for `go` when told to, then exits with `code`. */
function opener(code: number, waitForGo: boolean): string {
  const go = join(bin, 'go');
  const wait = waitForGo ? `while [ ! -e "${go}" ]; do sleep 0.05; done\n` : '';
  writeFileSync(
    join(bin, 'xdg-open'),
    `#!/bin/sh\nprintf '%s\\n' "$@" > "${record}.part" && mv "${record}.part" "${record}"\n${wait}exit ${code}\n`,
    { mode: 0o755 },
  );
  return go;
}

/** The page with the CLI's announcer opening a browser; `stderr` is what a client's MCP log would keep. */
async function start(): Promise<{ page: ApprovalsPage; stderr: string[]; logs: string[] }> {
  const stderr: string[] = [];
  const logs: string[] = [];
  const logger = pino(
    { level: 'info' },
    new Writable({
      write(chunk, _encoding, done) {
        logs.push(String(chunk));
        done();
      },
    }),
  );
  const path = process.env.PATH;
  process.env.PATH = `${bin}${delimiter}${path}`;
  const page = await startApprovalsPage({
    port: 0,
    logger,
    announce: stderrAnnouncer({ open: true, platform: 'linux', write: (line) => stderr.push(line), logger }),
  }).finally(() => {
    process.env.PATH = path;
  });
  return { page, stderr, logs };
}

const secretOf = (link: string) => new URLSearchParams(new URL(link).hash.slice(1)).get('k') as string;

/** The trade the page's script makes once the browser has loaded the link. */
async function exchange(page: ApprovalsPage): Promise<number> {
  const answer = await request(`${page.origin}/session`, {
    method: 'POST',
    headers: { origin: page.origin, 'content-type': 'application/json' },
    body: JSON.stringify({ link: secretOf(page.link) }),
  });
  await answer.body.dump();
  return answer.statusCode;
}

it('a browser was opened: stderr says so without the secret, and the redirect file is gone after the exchange', async () => {
  opener(0, false);
  const { page, stderr } = await start();
  try {
    const secret = secretOf(page.link);
    expect(stderr).toEqual([
      `approvals: page opened in your browser at ${page.origin}/ (its one-time link is not written here; if no page appeared, restart with --no-open to have it printed here)\n`,
    ]);
    expect(stderr.join('')).not.toContain(secret);
    await expect.poll(() => existsSync(record), { timeout: 10_000 }).toBe(true);
    const file = fileURLToPath(readFileSync(record, 'utf8').trimEnd());
    expect(readFileSync(file, 'utf8')).toContain(secret);
    expect(await exchange(page)).toBe(200);
    expect(existsSync(dirname(file))).toBe(false);
    expect(stderr.join('')).not.toContain(secret);
  } finally {
    await page.close();
  }
});

it('the opener failed: the link comes to stderr after all, since the person has no other way to it', async () => {
  opener(3, false);
  const { page, stderr } = await start();
  try {
    await expect.poll(() => stderr.length, { timeout: 10_000 }).toBe(2);
    expect(stderr[1]).toBe(`approvals: ${page.link}\n`);
  } finally {
    await page.close();
  }
});

it('an opener that fails after its link was spent writes no link: a stale one would only help a reader', async () => {
  const go = opener(3, true);
  const { page, stderr, logs } = await start();
  try {
    await expect.poll(() => existsSync(record), { timeout: 10_000 }).toBe(true);
    const secret = secretOf(page.link);
    expect(await exchange(page)).toBe(200);
    writeFileSync(go, '');
    await expect.poll(() => logs.join(''), { timeout: 10_000 }).toContain('could not open a browser');
    expect(stderr).toHaveLength(1);
    expect(stderr.join('')).not.toContain(secret);
  } finally {
    await page.close();
  }
});
