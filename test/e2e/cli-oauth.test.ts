// The built CLI with --oauth-issuer: it discovers a real issuer (oidc-provider on loopback) before listening,
// serves the discovery documents and the challenge, and says so in its banner; an issuer it cannot read stops it.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { freePort, type Issuer, startIssuer } from '../support/oidc-issuer.js';
import { CLI, ensureBuilt, ROOT } from './build.js';

let issuer: Issuer;
let port: number;
const state = mkdtempSync(join(tmpdir(), 'vam-cli-oauth-'));

beforeAll(async () => {
  ensureBuilt();
  port = await freePort();
  issuer = await startIssuer({
    resource: `http://127.0.0.1:${port}/mcp`,
    people: [{ id: 'dana', secret: 'dana-client-secret-0123456789', scope: 'visier-admin:read' }],
  });
});
afterAll(() => issuer.close());

/** Runs the CLI until its stderr says `until`, or it exits; the child is stopped either way. */
async function run(args: string[], until: string) {
  const child = spawn(process.execPath, [CLI, '--http', '--sandbox', '--no-open', ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { PATH: process.env.PATH ?? '', XDG_STATE_HOME: state },
  });
  let stderr = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  const reached = new Promise<void>((resolve) => {
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
      if (stderr.includes(until)) resolve();
    });
  });
  const code = await Promise.race([reached.then(() => undefined), exited]);
  return { child, stderr: () => stderr, code, exited };
}

it('discovers the issuer, serves the resource metadata and challenges a request without a token', async () => {
  const started = await run(
    ['--port', String(port), '--oauth-issuer', issuer.url, '--public-url', `http://127.0.0.1:${port}`],
    'Streamable HTTP at',
  );
  try {
    expect(started.code).toBeUndefined();
    expect(started.stderr()).toContain(`OAuth: access tokens of ${issuer.url} for http://127.0.0.1:${port}/mcp`);
    const metadata = await fetch(`http://127.0.0.1:${port}/.well-known/oauth-protected-resource/mcp`);
    expect(await metadata.json()).toMatchObject({ authorization_servers: [issuer.url] });
    const refused = await fetch(`http://127.0.0.1:${port}/mcp`, { method: 'POST', body: '{}' });
    expect(refused.status).toBe(401);
  } finally {
    started.child.kill('SIGTERM');
    await started.exited;
  }
});

it('prints the public URL clients reach, not the bind address, in the banner, the Inspector command and the config', async () => {
  const started = await run(
    ['--port', '0', '--host', '0.0.0.0', '--oauth-issuer', issuer.url, '--public-url', 'https://mcp.team.test/'],
    'Client config',
  );
  try {
    expect(started.code).toBeUndefined();
    const banner = started.stderr();
    expect(banner).toContain(
      'visier-admin-mcp: Streamable HTTP at https://mcp.team.test/mcp (sandbox tenant: demo data)',
    );
    expect(banner).toMatch(/^ {2}Listening on http:\/\/0\.0\.0\.0:\d+\/mcp /m);
    expect(banner).toContain('--cli https://mcp.team.test/mcp --method tools/list');
    const config = JSON.parse(/Client config \(.*\): (\{.*\})/.exec(banner)?.[1] as string);
    expect(config.mcpServers.visier).toEqual({ type: 'http', url: 'https://mcp.team.test/mcp' });
  } finally {
    started.child.kill('SIGTERM');
    await started.exited;
  }
});

it('stops with a runtime error naming the issuer when its metadata cannot be read', async () => {
  const nowhere = `http://127.0.0.1:${await freePort()}`;
  const started = await run(
    ['--port', '0', '--oauth-issuer', nowhere, '--public-url', 'http://127.0.0.1:1'],
    'no usable authorization server metadata',
  );
  const code = await started.exited;
  expect(code).toBe(1);
  expect(started.stderr()).toContain(`--oauth-issuer ${nowhere}/: no usable authorization server metadata`);
});
