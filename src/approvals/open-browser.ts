import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type pino from 'pino';
import { escapeHtml } from './escape-html.js';

/**
 * Whether a browser can be opened for the person: not in CI, and on Linux and the BSDs only with a display
 * (X11 or Wayland). macOS and Windows always have one. Never decides alone: `--no-open` skips it.
 */
export function canOpenBrowser(env: NodeJS.ProcessEnv, platform: NodeJS.Platform): boolean {
  if (env.CI) return false;
  if (platform === 'darwin' || platform === 'win32') return true;
  return Boolean(env.DISPLAY || env.WAYLAND_DISPLAY);
}

/** A file that sends the browser on to `link`, and how to remove it. */
export interface RedirectFile {
  /** Absolute path of the HTML file (mode 0600, in its own 0700 directory). */
  path: string;
  /** Removes the file and its directory; safe to call more than once. */
  remove(): void;
}

/**
 * Writes a page that redirects to `link`, readable by this user only. Whatever opens it names only the file's
 * path in its argv (which every local user can read in /proc), never the link's secret.
 */
export function writeRedirectFile(link: string): RedirectFile {
  const dir = mkdtempSync(join(tmpdir(), 'visier-approvals-'));
  const path = join(dir, 'approvals.html');
  const href = escapeHtml(link);
  writeFileSync(
    path,
    `<!doctype html><meta charset="utf-8"><meta name="referrer" content="no-referrer"><meta http-equiv="refresh" content="0;url=${href}"><title>visier-admin-mcp approvals</title><a href="${href}">Open the approvals page</a>\n`,
    { mode: 0o600, flag: 'wx' },
  );
  return { path, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Opens `link` in the person's default browser through the platform's opener (open, start, xdg-open), by way
 * of a redirect file so that the opener's argv holds no secret; detached: the server neither waits for it nor
 * fails with it. A failure (the opener missing, or exiting non-zero) is logged and reported to `onFailed`, so
 * the caller can give the link another way. Returns the file: the caller removes it once the link is spent or
 * replaced.
 */
export function openInBrowser(
  link: string,
  platform: NodeJS.Platform,
  options: { logger?: pino.Logger; onFailed?: () => void } = {},
): RedirectFile {
  const file = writeRedirectFile(link);
  const target = platform === 'win32' ? file.path : pathToFileURL(file.path).href;
  const [command, args] =
    platform === 'darwin'
      ? ['open', [target]]
      : platform === 'win32'
        ? ['cmd', ['/c', 'start', '""', target]]
        : ['xdg-open', [target]];
  const child = spawn(command, args as string[], { detached: true, stdio: 'ignore' });
  // Node may emit 'exit' after 'error' for the same failure: reported once.
  let reported = false;
  const failed = (why: string) => {
    if (reported) return;
    reported = true;
    options.logger?.warn({ opener: command, err: why }, 'approvals page: could not open a browser');
    options.onFailed?.();
  };
  child.on('error', (error) => failed(error.message));
  child.on('exit', (code, signal) => {
    if (code !== 0) failed(signal === null ? `exit code ${code}` : `killed by ${signal}`);
  });
  child.unref();
  return file;
}
