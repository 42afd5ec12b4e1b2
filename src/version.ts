import { createRequire } from 'node:module';

/** The package's version, from its package.json (one level above both src/ and dist/). */
export const { version } = createRequire(import.meta.url)('../package.json') as { version: string };
