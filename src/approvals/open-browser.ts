import { spawn } from 'node:child_process';
import type pino from 'pino';

/**
 * Whether a browser can be opened for the person: not in CI, and on Linux and the BSDs only with a display
 * (X11 or Wayland). macOS and Windows always have one. Never decides alone: `--no-open` skips it.
 */
export function canOpenBrowser(env: NodeJS.ProcessEnv, platform: NodeJS.Platform): boolean {
  if (env.CI) return false;
  if (platform === 'darwin' || platform === 'win32') return true;
  return Boolean(env.DISPLAY || env.WAYLAND_DISPLAY);
}

/**
 * Opens `url` in the person's default browser through the platform's opener (open, start, xdg-open), detached:
 * the server neither waits for it nor fails with it; a failure is logged, and the stderr line still has the link.
 */
export function openInBrowser(url: string, platform: NodeJS.Platform, logger?: pino.Logger): void {
  const [command, args] =
    platform === 'darwin'
      ? ['open', [url]]
      : platform === 'win32'
        ? ['cmd', ['/c', 'start', '""', url]]
        : ['xdg-open', [url]];
  const child = spawn(command, args as string[], { detached: true, stdio: 'ignore' });
  // The link carries the page's secret: the log names the opener only.
  child.on('error', (error) =>
    logger?.warn({ opener: command, err: error.message }, 'approvals page: could not open a browser'),
  );
  child.unref();
}
