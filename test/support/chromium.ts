import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { type Browser, chromium } from 'playwright-core';

// Debian's Chromium, found on PATH as `.ci/run` installs it: playwright never downloads a browser here.
const NAMES = ['chromium', 'chromium-browser'];

function onPath(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    for (const name of NAMES) {
      const file = join(dir, name);
      try {
        accessSync(file, constants.X_OK);
        return file;
      } catch {}
    }
  }
  return undefined;
}

/** A headless Chromium; fails, naming the fix, where none is installed (never skips: CI installs one). */
export async function launchChromium(): Promise<Browser> {
  const executablePath = onPath();
  if (executablePath === undefined) {
    throw new Error(`no Chromium on PATH (looked for ${NAMES.join(', ')}): apt-get install -y chromium`);
  }
  return chromium.launch({ executablePath, headless: true });
}
