import type pino from 'pino';
import type { Announce } from './index.js';
import { openInBrowser } from './open-browser.js';

/**
 * The CLI's announcer. With `open`, the link goes to the person's browser and stderr gets only a line saying so
 * (with the page's origin, never the secret): a client keeps the server's stderr in a log file that any process
 * of the same user (the model's own shell, in agent clients) can read. Should the opener fail, the link is
 * written to stderr after all, while it is still the current one. Without `open`, stderr is the one place the
 * link is written (never a log line). The redirect file the browser is opened on is removed once the link is
 * spent or void.
 */
export function stderrAnnouncer(options: {
  open: boolean;
  platform: NodeJS.Platform;
  write: (line: string) => void;
  logger?: pino.Logger;
}): Announce {
  return (link) => {
    if (!options.open) {
      options.write(`approvals: ${link}\n`);
      return undefined;
    }
    let current = true;
    options.write(
      `approvals: page opened in your browser at ${new URL(link).origin}/ (its one-time link is not written here; if no page appeared, restart with --no-open to have it printed here)\n`,
    );
    const file = openInBrowser(link, options.platform, {
      ...(options.logger ? { logger: options.logger } : {}),
      onFailed: () => {
        if (current) options.write(`approvals: ${link}\n`);
      },
    });
    return () => {
      current = false;
      file.remove();
    };
  };
}
