import type pino from 'pino';
import type { Announce } from './index.js';
import { openInBrowser } from './open-browser.js';

/**
 * The CLI's announcer: the link on stderr (the one place its secret is written, never a log line), and opened
 * in the person's browser when `open` (the redirect file it leaves is removed once the link is spent or void).
 */
export function stderrAnnouncer(options: {
  open: boolean;
  platform: NodeJS.Platform;
  write: (line: string) => void;
  logger?: pino.Logger;
}): Announce {
  return (link) => {
    options.write(`approvals: ${link}\n`);
    if (!options.open) return undefined;
    const file = openInBrowser(link, options.platform, options.logger);
    return file.remove;
  };
}
