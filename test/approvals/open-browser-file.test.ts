// The link's secret never sits in an opener's argv (every local user reads /proc/*/cmdline): the opener is given
// a redirect file readable by this user only, removed once the link is spent. A stand-in `xdg-open` on PATH
// records what it was given; Debian's Chromium then opens that file as the person's browser would.
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { stderrAnnouncer } from '../../src/approvals/announce.js';
import { startApprovalsPage } from '../../src/approvals/index.js';
import { launchChromium } from '../support/chromium.js';

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
}, 60_000);
afterAll(() => browser?.close());

it('the opener gets a file path, never the secret; the file is 0600 in a 0700 dir, leads in, and goes once spent', async () => {
  const bin = mkdtempSync(join(tmpdir(), 'vam-opener-'));
  const record = join(bin, 'argv');
  writeFileSync(
    join(bin, 'xdg-open'),
    `#!/bin/sh\nprintf '%s\\n' "$@" > "${record}.part" && mv "${record}.part" "${record}"\n`,
    {
      mode: 0o755,
    },
  );
  const lines: string[] = [];
  const path = process.env.PATH;
  process.env.PATH = `${bin}${delimiter}${path}`;
  const approvals = await startApprovalsPage({
    port: 0,
    announce: stderrAnnouncer({ open: true, platform: 'linux', write: (line) => lines.push(line) }),
  }).finally(() => {
    process.env.PATH = path;
  });
  const context = await browser.newContext();
  try {
    const secret = new URLSearchParams(new URL(approvals.link).hash.slice(1)).get('k') as string;
    // Stderr says where the page is, never its secret (see shell-approves-own-change.test.ts).
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`opened in your browser at ${approvals.origin}/`);
    expect(lines.join('')).not.toContain(secret);
    await expect.poll(() => existsSync(record), { timeout: 10_000 }).toBe(true);
    const argv = readFileSync(record, 'utf8').trimEnd().split('\n');
    expect(argv).toHaveLength(1);
    expect(argv[0]).toMatch(/^file:\/\//);
    expect(argv.join(' ')).not.toContain(secret);
    const file = fileURLToPath(argv[0] as string);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(dirname(file)).mode & 0o777).toBe(0o700);
    expect(readFileSync(file, 'utf8')).toContain(`url=${approvals.link}"`);

    const page = await context.newPage();
    await page.goto(argv[0] as string);
    await page.waitForURL(`${approvals.origin}/`);
    await page.locator('#empty').waitFor();
    // Spent, so gone: the directory with it.
    expect(existsSync(dirname(file))).toBe(false);
    // Reached from a file (Sec-Fetch-Site: cross-site, so the stored key is not taken over), the page keeps the
    // key it traded for across a reload: its script replaced the history entry, so the reload is same-origin.
    await page.reload();
    await page.locator('#empty').waitFor();
    expect(await page.locator('#problem').textContent()).toBe('');
  } finally {
    await context.close();
    await approvals.close();
    rmSync(bin, { recursive: true, force: true });
  }
}, 60_000);
