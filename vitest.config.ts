import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

// Tests that start a server without naming a state directory must not leave signing keys or audit logs in the
// real home: every worker, and every process a test spawns, gets a fresh home and state directory.
const home = mkdtempSync(join(tmpdir(), 'visier-admin-mcp-test-home-'));

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/support/fast-check-seed.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    reporters: ['default'],
    env: { HOME: home, XDG_STATE_HOME: join(home, '.local', 'state') },
  },
});
