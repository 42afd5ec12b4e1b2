import { afterEach, describe, expect, it, vi } from 'vitest';
import { runSandboxCli } from '../../src/sandbox/index.js';

afterEach(() => vi.restoreAllMocks());

describe('runSandboxCli', () => {
  it('prints URL and demo credentials on stderr only, serves the options given, and stops on SIGTERM', async () => {
    const stderr: string[] = [];
    const stdout = vi.spyOn(process.stdout, 'write');
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      stderr.push(String(chunk));
      return true;
    });
    const running = runSandboxCli([
      '--port',
      '0',
      '--users',
      '7',
      '--seed',
      '3',
      '--rate-limit',
      '5/50',
      '--faults',
      'latency=1',
    ]);
    await vi.waitFor(() => expect(stderr.join('')).toContain('listening at'));
    const text = stderr.join('');
    const url = /listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(text)?.[1] as string;
    expect(text).toContain('API key:       sandbox-api-key-7f3c9a');
    expect(text).toContain('username:      sandbox.admin@wff-demo.example');
    expect(text).toContain('password:      sandbox-password');
    expect(text).toContain('OAuth client:  sandbox-client / sandbox-client-secret');
    expect(text).toContain('WFF_demo~c01 (default), WFF_demo~c02');
    expect(stdout).not.toHaveBeenCalled();

    const login = await fetch(`${url}/v1/admin/visierSecureToken`, {
      method: 'POST',
      body: new URLSearchParams({ username: 'sandbox.admin@wff-demo.example', password: 'sandbox-password' }),
    });
    const token = await login.text();
    const users = await fetch(`${url}/v1/admin/users`, {
      headers: { apikey: 'sandbox-api-key-7f3c9a', cookie: `VisierASIDToken=${token}` },
    });
    expect(users.headers.get('x-ratelimit-limit-minute')).toBe('5');
    expect(((await users.json()) as { users: unknown[] }).users).toHaveLength(7);

    process.emit('SIGTERM');
    await running;
    await expect(fetch(`${url}/v1/admin/users`)).rejects.toThrow('fetch failed');
  });

  it('rejects a malformed --rate-limit before starting', async () => {
    await expect(runSandboxCli(['--rate-limit', 'fast'])).rejects.toThrow(
      "--rate-limit must be 'off' or PER_MIN/PER_HOUR, got 'fast'",
    );
    await expect(runSandboxCli(['--faults', 'explode'])).rejects.toThrow("Unknown fault kind 'explode'");
  });
});
