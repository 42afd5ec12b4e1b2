import { readFileSync } from 'node:fs';
import semver from 'semver';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../e2e/build.js';

// npm prints an EBADENGINE warning for every installed package whose engines.node leaves out the running Node.
// The lockfile records each package's engines, so walking it checks what `npm ci` would check, without running it.

interface Lock {
  packages: Record<string, { engines?: { node?: string } | string[]; optional?: boolean }>;
}

const pkg = JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as { engines: { node: string } };
const lock = JSON.parse(readFileSync(`${ROOT}package-lock.json`, 'utf8')) as Lock;

describe('engines', () => {
  const oldest = semver.minVersion(pkg.engines.node)?.version ?? '';

  it('the oldest Node package.json admits is 20.19.0', () => {
    expect(oldest).toBe('20.19.0');
  });

  it('every package in package-lock.json admits that Node (npm ci prints no EBADENGINE)', () => {
    const refusing = Object.entries(lock.packages)
      .map(([path, entry]) => ({ path, range: Array.isArray(entry.engines) ? undefined : entry.engines?.node }))
      .filter((p): p is { path: string; range: string } => p.range !== undefined)
      .filter((p) => !semver.satisfies(oldest, p.range))
      .map((p) => `${p.path} (node ${p.range})`);
    expect(refusing).toEqual([]);
  });
});
