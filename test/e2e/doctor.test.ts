import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SandboxHandle, startSandbox } from '../../src/sandbox/index.js';
import { CLI, ensureBuilt, ROOT } from './build.js';

// doctor as an operator runs it: the built CLI, configured through the environment only, against a Visier
// look-alike (the sandbox) on loopback reached over real HTTP.

let sandbox: SandboxHandle;
beforeAll(async () => {
  ensureBuilt();
  sandbox = await startSandbox();
}, 120_000);
afterAll(() => sandbox.close());

function doctor(args: string[], env: Record<string, string>) {
  const state = mkdtempSync(join(tmpdir(), 'vam-doctor-'));
  const child = spawn(process.execPath, [CLI, 'doctor', ...args], {
    cwd: ROOT,
    // Only what doctor is given: no credential of the machine running the tests leaks in.
    env: { PATH: process.env.PATH ?? '', XDG_STATE_HOME: state, ...env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code) => resolve({ code, stdout, stderr })),
  );
}

const tenantEnv = () => ({
  VISIER_HOST: sandbox.url,
  VISIER_API_KEY: sandbox.credentials.apiKey,
  VISIER_USERNAME: sandbox.credentials.username,
  VISIER_PASSWORD: sandbox.credentials.password,
  VISIER_TENANT_CODE: sandbox.tenants.primary,
});

/** A loopback port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('visier-admin-mcp doctor', () => {
  it('--sandbox: every check passes and the effective policy is printed', async () => {
    const run = await doctor(['--sandbox', '--mode', 'user-writes', '--max-items-per-call', '50'], {});
    expect(run.code, run.stdout).toBe(0);
    expect(run.stdout).toMatch(/^ok {4}configuration: SANDBOX/m);
    expect(run.stdout).toMatch(/^ok {4}reach Visier: 127\.0\.0\.1/m);
    expect(run.stdout).toMatch(/^ok {4}sign in: ASID token/m);
    expect(run.stdout).toMatch(
      /^ok {4}rate-limit headroom: \d+ of 100 calls left this minute, \d+ of 6000 calls left this hour$/m,
    );
    expect(run.stdout).toMatch(/mode per tenant: WFF_demo~c01 user-writes/);
    expect(run.stdout).toMatch(/caps and budgets: 50 people per call, 2000 changes per caller, 5000 changes per hour/);
    expect(run.stdout).toMatch(/audit key: .*audit-key\.pem does not exist yet; the server creates it at first start/);
    expect(run.stdout).toMatch(/^all checks passed$/m);
    expect(run.stdout).not.toContain(sandbox.credentials.password);
  });

  it('a real-tenant configuration that works passes, and prints no secret', async () => {
    const run = await doctor([], tenantEnv());
    expect(run.code, run.stdout).toBe(0);
    expect(run.stdout).toContain(`configuration: Visier at ${sandbox.url}`);
    for (const secret of [sandbox.credentials.apiKey, sandbox.credentials.password]) {
      expect(run.stdout + run.stderr).not.toContain(secret);
    }
  });

  it('an unreachable host fails at the connection, with the reason, and signs in to nothing', async () => {
    const port = await closedPort();
    const run = await doctor([], { ...tenantEnv(), VISIER_HOST: `http://127.0.0.1:${port}` });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`FAIL  reach Visier: TCP: 127.0.0.1 port ${port}: ECONNREFUSED`);
    expect(run.stdout).toContain('FAIL  sign in: not tried: the host cannot be reached');
    expect(run.stdout).toMatch(/^2 checks failed$/m);
  });

  it('an unresolvable host name fails at DNS', async () => {
    const run = await doctor([], { ...tenantEnv(), VISIER_HOST: 'https://no-such-host.invalid' });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^FAIL {2}reach Visier: DNS: cannot resolve no-such-host\.invalid \(E[A-Z_]+\)$/m);
  });

  it('a wrong password and a wrong API key fail with distinct reasons from what Visier answered', async () => {
    const badPassword = await doctor([], { ...tenantEnv(), VISIER_PASSWORD: 'not-the-password' });
    expect(badPassword.code).toBe(1);
    expect(badPassword.stdout).toMatch(
      /^FAIL {2}sign in: sign-in refused \(Visier answered HTTP 401: .*Invalid username or password.*\); check VISIER_USERNAME, VISIER_PASSWORD$/m,
    );
    expect(badPassword.stdout).not.toContain('not-the-password');

    const badKey = await doctor([], { ...tenantEnv(), VISIER_API_KEY: 'not-the-api-key' });
    expect(badKey.code).toBe(1);
    expect(badKey.stdout).toMatch(
      /^FAIL {2}sign in: signed in, but the API call was refused \(Visier answered HTTP 401: .*Missing or invalid API key.*\); check VISIER_API_KEY/m,
    );
    expect(badKey.stdout).not.toContain('not-the-api-key');
  });

  it('a configuration error fails as one, with the usage exit code', async () => {
    const run = await doctor([], { VISIER_API_KEY: 'k' });
    expect(run.code).toBe(2);
    expect(run.stdout).toMatch(
      /^FAIL {2}configuration: incomplete Visier credentials: VISIER_API_KEY set but VISIER_HOST/m,
    );
  });

  it('a tenant code Visier does not know points at VISIER_TENANT_CODE, not at the API key', async () => {
    const run = await doctor([], { ...tenantEnv(), VISIER_TENANT_CODE: 'WFF_nope~c99' });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(
      /^FAIL {2}sign in: signed in, but tenant WFF_nope~c99 was refused \(Visier answered HTTP 403: .*WFF_nope~c99.*\); check VISIER_TENANT_CODE: the tenant code as Visier spells it, one this user may reach$/m,
    );
    expect(run.stdout).not.toContain('VISIER_API_KEY');
  });

  it('says why it checks the sandbox: asked for over full credentials, or none set', async () => {
    const asked = await doctor([], { ...tenantEnv(), VISIER_SANDBOX: '1' });
    expect(asked.stdout).toMatch(
      /^ok {4}configuration: SANDBOX \(demo data, not Visier\): --sandbox or VISIER_SANDBOX given \(the credentials set are not used\)$/m,
    );
    const none = await doctor([], {});
    expect(none.stdout).toMatch(/^ok {4}configuration: SANDBOX \(demo data, not Visier\): no Visier credentials set$/m);
  });

  it('a host without https:// is told it needs it', async () => {
    const run = await doctor([], { ...tenantEnv(), VISIER_HOST: 'jupiter.api.visier.io' });
    expect(run.code).toBe(2);
    expect(run.stdout).toBe(
      'FAIL  configuration: VISIER_HOST: must be a URL starting with https:// (http:// only for a local look-alike), e.g. https://host.example.com\n',
    );
  });
});

describe('doctor for the other providers', () => {
  it.each(['sisense', 'salescookie'])('--provider %s --sandbox passes and speaks its words', async (provider) => {
    const run = await doctor(['--provider', provider, '--sandbox'], {});
    expect(run.code, run.stdout).toBe(0);
    expect(run.stdout).toMatch(/^ok {4}sign in: read a user page of (site|workspace) /m);
    expect(run.stdout).not.toContain('Visier');
  });

  it('a wrong Sisense key fails the sign-in with Sisense’s answer and names the variable to check, never the key', async () => {
    const { startSisenseSandbox } = await import('../../src/sandbox/sisense/index.js');
    const sisense = await startSisenseSandbox();
    try {
      const key = 'wrong-key-0123456789';
      const run = await doctor(['--provider', 'sisense'], {
        SISENSE_HOST: sisense.url,
        SISENSE_PARTNER_AUTH: `${sisense.sites.primary.site}:${key}`,
      });
      expect(run.code).toBe(1);
      expect(run.stdout).toMatch(/^FAIL {2}sign in: Sisense answered: .*check SISENSE_PARTNER_AUTH$/m);
      expect(run.stdout + run.stderr).not.toContain(key);
    } finally {
      await sisense.close();
    }
  });
});
