import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { CLI, ensureBuilt, ROOT } from './build.js';
import { node22 } from './node22.js';

// The official MCP conformance suite (0.2.0 pre-release) against the built server over Streamable HTTP, once
// per protocol revision it freezes a server set for. The suite needs Node 22: `node22()` installs the
// npm registry's own Node build on first use (see node22.ts). The
// server runs with --conformance-fixtures, which adds the suite's test_* tools, resources and prompts.

const run = promisify(execFile);
const SUITE = `${ROOT}node_modules/@modelcontextprotocol/conformance`;
const REVISIONS = ['2025-11-25', '2026-07-28'] as const;

interface Check {
  id: string;
  status: 'SUCCESS' | 'FAILURE' | 'WARNING' | 'SKIPPED' | 'INFO';
  errorMessage?: string;
}

interface Requirements {
  server: string[];
  not_scored: { scenario: string; leg: string; reason: string }[];
}

function requirements(revision: string): Requirements {
  return parse(readFileSync(`${SUITE}/requirements/${revision}.yaml`, 'utf8')) as Requirements;
}

/** Every scenario's checks, from the suite's output directory (one `server-<scenario>-<time>` folder each). */
function checksByScenario(outputDir: string, scenarios: string[]): Map<string, Check[]> {
  const folders = readdirSync(outputDir);
  const found = new Map<string, Check[]>();
  for (const scenario of scenarios) {
    const folder = folders.find((f) => f.startsWith(`server-${scenario}-`) && /-\d{4}-\d\d-\d\dT/.test(f));
    if (folder === undefined) continue;
    found.set(scenario, JSON.parse(readFileSync(join(outputDir, folder, 'checks.json'), 'utf8')) as Check[]);
  }
  return found;
}

const failing = (checks: Check[]) => checks.filter((c) => c.status === 'FAILURE');
const describeFailures = (scenario: string, checks: Check[] | undefined) =>
  checks === undefined
    ? `${scenario}: no result (the suite did not run it)`
    : failing(checks)
        .map((c) => `${scenario} / ${c.id}: ${c.errorMessage ?? 'failed'}`)
        .join('\n');

function startServer(flags: string[]): Promise<{ child: ChildProcess; url: string; audit: string }> {
  const audit = join(mkdtempSync(join(tmpdir(), 'vam-conf-')), 'audit.jsonl');
  const child = spawn(process.execPath, [CLI, '--http', '--sandbox', '--port', '0', '--audit-log', audit, ...flags], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
      const url = /Streamable HTTP at (http:\/\/127\.0\.0\.1:\d+\/mcp)/.exec(stderr)?.[1];
      if (url) resolve({ child, url: url.replace('127.0.0.1', 'localhost'), audit });
    });
    child.on('exit', (code) => reject(new Error(`server exited (${code}) before listening:\n${stderr}`)));
  });
}

/** Everything the server at `url` lists, and the outcome of calling the simplest fixture tool there. */
async function catalogue(url: string) {
  const client = new Client({ name: 'conformance-test', version: '1' });
  await client.connect(new StreamableHTTPClientTransport(new URL(url)));
  try {
    const call = await client.callTool({ name: 'test_simple_text', arguments: {} }).then(
      (result) => (result.isError ? 'refused' : 'answered'),
      (error: Error) => `error: ${error.message}`,
    );
    const [tools, prompts, resources, templates] = await Promise.all([
      client.listTools(),
      client.listPrompts(),
      client.listResources(),
      client.listResourceTemplates(),
    ]);
    const listed = [
      ...tools.tools.map((t) => t.name),
      ...prompts.prompts.map((p) => p.name),
      ...resources.resources.map((r) => r.uri),
      ...templates.resourceTemplates.map((t) => t.uriTemplate),
    ];
    return { listed, call };
  } finally {
    await client.close();
  }
}

const isFixture = (name: string) => name.startsWith('test_') || name.startsWith('test:');

let fixtures: Awaited<ReturnType<typeof startServer>>;
let plain: Awaited<ReturnType<typeof startServer>>;
beforeAll(async () => {
  ensureBuilt();
  [fixtures, plain] = await Promise.all([startServer(['--conformance-fixtures']), startServer([])]);
});
afterAll(() => {
  fixtures?.child.kill('SIGTERM');
  plain?.child.kill('SIGTERM');
});

describe('MCP conformance suite', () => {
  it('runs on the Node 22 the npm registry provided', async () => {
    const { stdout } = await run(node22(), ['--version']);
    expect(stdout.trim()).toMatch(/^v22\./);
  });

  it.each(REVISIONS)('every applicable server scenario of %s passes', { timeout: 300_000 }, async (revision) => {
    const outputDir = mkdtempSync(join(tmpdir(), `vam-conformance-${revision}-`));
    // The suite exits non-zero when any scenario fails; the checks it writes say which, and are judged below.
    const { stdout } = await run(
      node22(),
      [`${SUITE}/dist/index.js`, 'server', '--url', fixtures.url, '--requirements', revision, '-o', outputDir],
      { cwd: ROOT, env: { ...process.env, HTTP_PROXY: '', HTTPS_PROXY: '' }, maxBuffer: 64 * 1024 * 1024 },
    ).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? '' }));
    const { server, not_scored } = requirements(revision);
    const results = checksByScenario(outputDir, [...server, ...not_scored.map((n) => n.scenario)]);
    const passes = (scenario: string) =>
      failing(results.get(scenario) ?? [{ id: 'ran', status: 'FAILURE' }]).length === 0;
    // Every scored scenario applies to this server (the README says why the unscored ones are left to fail).
    const failed = server.filter((s) => !passes(s));
    // The figures, for the log: the scored set and what the suite runs but never scores.
    console.info(
      `conformance ${revision}: ${server.length - failed.length}/${server.length} scored scenarios pass; not scored: ${not_scored
        .filter((n) => n.leg === 'server')
        .map((n) => `${n.scenario} (${n.reason}) ${passes(n.scenario) ? 'passes' : 'fails'}`)
        .join(', ')}`,
    );
    expect(failed.map((s) => describeFailures(s, results.get(s))).join('\n'), stdout.slice(-4000)).toBe('');
  });

  it('serves the fixtures only when asked, and audits their calls', async () => {
    const [withFixtures, normal] = await Promise.all([catalogue(fixtures.url), catalogue(plain.url)]);
    expect(withFixtures.listed.filter(isFixture)).toEqual(
      expect.arrayContaining(['test_simple_text', 'test_simple_prompt', 'test://template/{id}/data']),
    );
    expect(withFixtures.call).toBe('answered');
    expect(normal.listed.length).toBeGreaterThan(0);
    expect(normal.listed.filter(isFixture)).toEqual([]);
    expect(normal.call).toMatch(/^error: .*test_simple_text/);
    const audited = readFileSync(fixtures.audit, 'utf8')
      .split('\n')
      .filter((line) => line.includes('"test_simple_text"'));
    expect(audited.length).toBeGreaterThan(0);
  });
});
