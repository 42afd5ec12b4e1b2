import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Runtime } from '../../src/runtime.js';
import type { HttpHandle } from '../../src/transports/http.js';
import { ROOT } from './build.js';
import { startHttpFor, startRuntimeForTest } from './http-runtime.js';

// The official MCP conformance suite (0.1.13, the newest that runs on Node 20), generic scenarios only:
// the rest test fixture tools of the SDK's "everything" server, not this product.

const run = promisify(execFile);
const CONFORMANCE = `${ROOT}node_modules/@modelcontextprotocol/conformance/dist/index.js`;
const SCENARIOS = [
  'server-initialize',
  'ping',
  'tools-list',
  'resources-list',
  'prompts-list',
  'logging-set-level',
  'dns-rebinding-protection',
  'server-sse-multiple-streams',
];

let runtime: Runtime;
let http: HttpHandle;
beforeAll(async () => {
  runtime = await startRuntimeForTest();
  http = await startHttpFor(runtime);
});
afterAll(async () => {
  await http.close();
  await runtime.close();
});

describe('MCP conformance suite', () => {
  it.each(SCENARIOS)('%s passes', async (scenario) => {
    const url = http.url.replace('127.0.0.1', 'localhost');
    // execFile rejects on a non-zero exit, which the suite uses for any failed check.
    const { stdout } = await run(process.execPath, [CONFORMANCE, 'server', '--url', url, '--scenario', scenario], {
      cwd: ROOT,
      env: { ...process.env, HTTP_PROXY: '', HTTPS_PROXY: '' },
    });
    const figures = /Passed: (\d+)\/(\d+), (\d+) failed, (\d+) warnings/.exec(stdout);
    expect(figures, stdout).not.toBeNull();
    const [, passed, total, failed, warnings] = figures!.map(Number);
    expect(passed, stdout).toBeGreaterThan(0);
    expect([passed, failed, warnings], stdout).toEqual([total, 0, 0]);
  });
});
