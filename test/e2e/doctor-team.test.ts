// doctor for a team deployment, as an operator runs it: the built CLI configured through the environment alone
// (no --http), checking a real issuer (oidc-provider on loopback), a real redis-server and the approvals sign-in
// with the same code the server starts with.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, type Issuer, startIssuer } from '../support/oidc-issuer.js';
import { type RedisHandle, startRedis } from '../support/redis-server.js';
import { CLI, ensureBuilt, ROOT } from './build.js';

const CONFIRM_SECRET = 'team-confirm-secret-0123456789abcdef';
const CLIENT_SECRET = 'approvals-client-secret-0123456789';
const PUBLIC_URL = 'http://127.0.0.1:8443';

let issuer: Issuer;
let redis: RedisHandle;
beforeAll(async () => {
  ensureBuilt();
  redis = await startRedis();
  issuer = await startIssuer({
    resource: `${PUBLIC_URL}/mcp`,
    people: [{ id: 'dana', secret: 'dana-client-secret-0123456789', scope: 'visier-admin:read' }],
    webClient: { id: 'approvals', secret: CLIENT_SECRET, redirectUri: `${PUBLIC_URL}/approvals/callback` },
  });
}, 120_000);
afterAll(async () => {
  await issuer?.close();
  await redis?.kill();
});

function doctor(env: Record<string, string>) {
  const child = spawn(process.execPath, [CLI, 'doctor', '--sandbox'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', XDG_STATE_HOME: mkdtempSync(join(tmpdir(), 'vam-doctor-team-')), ...env },
  });
  let stdout = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
  child.stderr.resume();
  return new Promise<{ code: number | null; stdout: string }>((resolve) =>
    child.on('close', (code) => resolve({ code, stdout })),
  );
}

/** The team settings of deploy/kubernetes/configmap.yaml and secret.yaml, pointed at loopback. */
const teamEnv = () => ({
  VISIER_MCP_OAUTH_ISSUER: issuer.url,
  VISIER_MCP_PUBLIC_URL: PUBLIC_URL,
  VISIER_MCP_OAUTH_CLIENT_ID: 'approvals',
  VISIER_MCP_OAUTH_CLIENT_SECRET: CLIENT_SECRET,
  VISIER_MCP_APPROVERS: 'access=1,privileged=2,destructive=2',
  VISIER_MCP_REDIS_URL: redis.url,
  VISIER_MCP_CONFIRM_SECRET: CONFIRM_SECRET,
});

describe('visier-admin-mcp doctor, team deployment', () => {
  it('checks Redis, the issuer, its keys and the sign-in, prints the team settings, and no secret, without --http', async () => {
    const run = await doctor(teamEnv());
    expect(run.code, run.stdout).toBe(0);
    expect(run.stdout).toMatch(/^ {6}checked as: --http /m);
    expect(run.stdout).toMatch(new RegExp(`^ok {4}Redis: ${redis.url} answered PING; Redis \\d+\\.\\d+`, 'm'));
    expect(run.stdout).toContain(`ok    issuer: ${issuer.url}: metadata read\n`);
    expect(run.stdout).toMatch(/^ok {4}issuer keys: 1 key in its JWKS$/m);
    expect(run.stdout).toContain(
      `      resource metadata: ${PUBLIC_URL}/.well-known/oauth-protected-resource/mcp: resource ${PUBLIC_URL}/mcp, authorization servers ${issuer.url}, scopes visier-admin:read visier-admin:write visier-admin:admin\n`,
    );
    expect(run.stdout).toContain(
      `ok    approvals sign-in: people sign in at ${issuer.url}/auth; register ${PUBLIC_URL}/approvals/callback as client approvals's redirect URI\n`,
    );
    expect(run.stdout).toContain(`      callers: OAuth access tokens of ${issuer.url}, aud ${PUBLIC_URL}/mcp\n`);
    expect(run.stdout).toContain('      approvers: every tenant: access 1, privileged 2, destructive 2\n');
    expect(run.stdout).toContain('      approvals sign-in: client approvals (VISIER_MCP_OAUTH_CLIENT_SECRET set)\n');
    expect(run.stdout).toContain(`      shared state: Redis at ${redis.url}\n`);
    expect(run.stdout).toContain('      confirmation secret: VISIER_MCP_CONFIRM_SECRET set\n');
    expect(run.stdout).not.toContain(CONFIRM_SECRET);
    expect(run.stdout).not.toContain(CLIENT_SECRET);
  });

  it('an unreachable Redis and issuer each fail with the reason, exit 1', async () => {
    const nowhere = `http://127.0.0.1:${await freePort()}`;
    const run = await doctor({
      ...teamEnv(),
      VISIER_MCP_REDIS_URL: `redis://127.0.0.1:${await freePort()}`,
      VISIER_MCP_OAUTH_ISSUER: nowhere,
    });
    expect(run.code, run.stdout).toBe(1);
    expect(run.stdout).toMatch(/^FAIL {2}Redis: Redis at redis:\/\/127\.0\.0\.1:\d+ did not answer: .*ECONNREFUSED/m);
    expect(run.stdout).toContain(`FAIL  issuer: --oauth-issuer ${nowhere}/: no usable authorization server metadata`);
    expect(run.stdout).toContain('FAIL  issuer keys: not tried: the issuer could not be read\n');
    expect(run.stdout).toMatch(/^FAIL {2}approvals sign-in: the issuer's metadata could not be read/m);
  });

  it('--redis-url without the confirmation secret is a configuration failure naming the variable', async () => {
    const { VISIER_MCP_CONFIRM_SECRET: _, ...env } = teamEnv();
    const run = await doctor(env);
    expect(run.code).toBe(2);
    expect(run.stdout).toMatch(
      /^FAIL {2}configuration: VISIER_MCP_CONFIRM_SECRET \(--confirm-secret\): required with VISIER_MCP_REDIS_URL/m,
    );
  });
});
