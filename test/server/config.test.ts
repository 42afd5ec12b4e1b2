import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/commands.js';
import { ConfigError, loadConfig, sandboxReason } from '../../src/config.js';

const creds = {
  VISIER_HOST: 'https://jupiter.api.visier.io',
  VISIER_API_KEY: 'k',
  VISIER_USERNAME: 'u',
  VISIER_PASSWORD: 'p',
  VISIER_TENANT_CODE: 'WFF_j1r~c7o',
};

describe('configuration', () => {
  it('defaults: sandbox without credentials, read-only, stdio on 127.0.0.1:3333, auto confirmation', () => {
    const c = loadConfig([], { XDG_STATE_HOME: '/state' });
    expect(c).toMatchObject({
      sandbox: true,
      mode: 'read-only',
      http: false,
      host: '127.0.0.1',
      port: 3333,
      confirm: 'auto',
      maxResultChars: 20_000,
      sessionIdleSeconds: 1800,
      maxItemsPerCall: 500,
      maxChangesPerSession: 2000,
      maxChangesPerHour: 5000,
      rateLimit: { perMinute: 100, perHour: 6000 },
      auditLog: join('/state', 'visier-admin-mcp', 'audit-sandbox.jsonl'),
      auditKey: join('/state', 'visier-admin-mcp', 'audit-key.pem'),
      journal: join('/state', 'visier-admin-mcp', 'journal-sandbox.jsonl'),
    });
    expect(c.confirmSecret.length).toBeGreaterThanOrEqual(32);
    expect(loadConfig([], {}).confirmSecret).not.toBe(c.confirmSecret);
  });

  it('flags win over the environment', () => {
    const c = loadConfig(['--mode', 'full', '--port=4000', '--tenants', 'A, B'], {
      ...creds,
      VISIER_MCP_MODE: 'user-writes',
      VISIER_MCP_PORT: '5000',
    });
    expect([c.mode, c.port, c.tenants, c.sandbox]).toEqual(['full', 4000, ['A', 'B'], false]);
    expect(loadConfig([], { ...creds, VISIER_MCP_MODE: 'user-writes' }).mode).toBe('user-writes');
  });

  it('the time a person has to answer an approval form: 120 s unless set, by flag or variable', () => {
    expect(loadConfig([], {}).elicitationTimeoutSeconds).toBe(120);
    expect(loadConfig(['--elicitation-timeout-seconds', '600'], {}).elicitationTimeoutSeconds).toBe(600);
    expect(loadConfig([], { VISIER_MCP_ELICITATION_TIMEOUT_SECONDS: '30' }).elicitationTimeoutSeconds).toBe(30);
    expect(() => loadConfig(['--elicitation-timeout-seconds', '5'], {})).toThrow(/^--elicitation-timeout-seconds: /);
  });

  it('serves the conformance fixtures only when asked, and never next to a real tenant', () => {
    expect(loadConfig(['--sandbox'], {}).conformanceFixtures).toBe(false);
    expect(loadConfig(['--sandbox', '--conformance-fixtures'], {}).conformanceFixtures).toBe(true);
    expect(loadConfig([], { VISIER_MCP_CONFORMANCE_FIXTURES: '1' }).conformanceFixtures).toBe(true);
    expect(() => loadConfig(['--conformance-fixtures'], creds)).toThrow(/^--conformance-fixtures: test only/);
  });

  it('names the flag or variable that carried a bad value', () => {
    expect(() => loadConfig(['--mode', 'all'], {})).toThrow(/^--mode: /);
    expect(() => loadConfig([], { VISIER_MCP_MODE: 'all' })).toThrow(/^VISIER_MCP_MODE: /);
    expect(() => loadConfig(['--port', '70000'], {})).toThrow(/^--port: /);
    expect(() => loadConfig([], { VISIER_MCP_MAX_RESULT_CHARS: 'lots' })).toThrow(
      /^VISIER_MCP_MAX_RESULT_CHARS: must be a whole number/,
    );
    expect(() => loadConfig(['--frobnicate'], {})).toThrow(new ConfigError('unknown flag --frobnicate (see --help)'));
    expect(() => loadConfig(['--report-dir'], {})).toThrow('--report-dir: needs a value');
    expect(() => loadConfig([], { VISIER_MCP_HTTP_TOKEN: 'short' })).toThrow(
      /^VISIER_MCP_HTTP_TOKEN: must be at least 16/,
    );
    expect(() => loadConfig(['--audit-anchor', 'ftp://logs.example/'], {})).toThrow(
      '--audit-anchor: must be an http(s) URL or syslog://host:port',
    );
    expect(loadConfig(['--audit-anchor', 'syslog://127.0.0.1:5514'], {}).auditAnchor).toBe('syslog://127.0.0.1:5514');
  });

  it('never echoes a secret in an error', () => {
    const secret = 'super-secret-password-value';
    let message = '';
    try {
      loadConfig([], { ...creds, VISIER_PASSWORD: secret, VISIER_CLIENT_ID: 'only-id' });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/^incomplete Visier credentials: .* set but VISIER_CLIENT_SECRET missing/);
    expect(message).not.toContain(secret);
    expect(message).not.toContain('only-id');
  });

  describe('partial Visier credentials are an error naming what is missing, never the sandbox', () => {
    const { VISIER_TENANT_CODE: _tenant, ...complete } = creds;
    const without = (...names: (keyof typeof complete)[]) =>
      Object.fromEntries(Object.entries(complete).filter(([name]) => !names.includes(name as keyof typeof complete)));
    it.each([
      [
        'an API key without a host',
        { VISIER_API_KEY: 'k' },
        'VISIER_API_KEY set but VISIER_HOST, VISIER_USERNAME, VISIER_PASSWORD missing',
      ],
      ['a host without an API key', without('VISIER_API_KEY'), 'but VISIER_API_KEY missing'],
      ['a username without a password', without('VISIER_PASSWORD'), 'but VISIER_PASSWORD missing'],
      ['a password without a username', without('VISIER_USERNAME'), 'but VISIER_USERNAME missing'],
      ['a client id without its secret', { ...complete, VISIER_CLIENT_ID: 'c' }, 'but VISIER_CLIENT_SECRET missing'],
      ['a client secret without its id', { ...complete, VISIER_CLIENT_SECRET: 's' }, 'but VISIER_CLIENT_ID missing'],
      [
        'OAuth2 client credentials alone',
        { VISIER_CLIENT_ID: 'c', VISIER_CLIENT_SECRET: 's' },
        'but VISIER_HOST, VISIER_API_KEY, VISIER_USERNAME, VISIER_PASSWORD missing',
      ],
    ])('%s', (_case, env, missing) => {
      expect(() => loadConfig([], env)).toThrow(ConfigError);
      expect(() => loadConfig([], env)).toThrow(
        new RegExp(`^incomplete Visier credentials: .*${missing.replace(/[()]/g, '\\$&')}`),
      );
    });

    it('an empty variable is unset: a desktop bundle passing blank optional fields gets the sandbox or the tenant', () => {
      const blank = {
        VISIER_HOST: '',
        VISIER_API_KEY: '',
        VISIER_USERNAME: '',
        VISIER_PASSWORD: '',
        VISIER_CLIENT_ID: '',
        VISIER_CLIENT_SECRET: '',
        VISIER_TENANT_CODE: '',
        VISIER_MCP_MODE: '',
      };
      expect(loadConfig([], blank)).toMatchObject({ sandbox: true, mode: 'read-only' });
      const c = loadConfig([], { ...creds, VISIER_CLIENT_ID: '', VISIER_CLIENT_SECRET: '' });
      expect([c.sandbox, c.clientId, c.clientSecret]).toEqual([false, undefined, undefined]);
      expect(() => loadConfig([], { ...blank, VISIER_API_KEY: 'k' })).toThrow(/VISIER_API_KEY set but VISIER_HOST/);
    });

    it('complete: the four ASID variables, or those and both OAuth2 ones; --sandbox ignores credentials', () => {
      expect(loadConfig([], creds).sandbox).toBe(false);
      expect(loadConfig([], { ...creds, VISIER_CLIENT_ID: 'c', VISIER_CLIENT_SECRET: 's' }).sandbox).toBe(false);
      expect(loadConfig(['--sandbox'], { VISIER_API_KEY: 'k' }).sandbox).toBe(true);
    });

    it('a tenant needs a tenant code or an allowlist, said at configuration', () => {
      expect(() => loadConfig([], complete)).toThrow(
        new ConfigError('VISIER_TENANT_CODE or --tenants: name the tenant(s) this server may touch'),
      );
      expect(loadConfig(['--tenants', 'A'], complete).tenants).toEqual(['A']);
    });
  });

  it('reads per-tenant modes from a file and rejects a bad one naming the flag', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vam-config-'));
    const good = join(dir, 'modes.json');
    writeFileSync(good, JSON.stringify({ 'WFF_j1r~c7o': 'full' }));
    expect(loadConfig(['--tenant-modes', good], creds).tenantModes).toEqual({ 'WFF_j1r~c7o': 'full' });
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ X: 'everything' }));
    expect(() => loadConfig(['--tenant-modes', bad], creds)).toThrow(/^--tenant-modes: .* must map tenant codes to/);
  });

  describe('what start-up would only find out later is a configuration error, exit 2, nothing started', () => {
    it('HTTP off loopback needs VISIER_MCP_HTTP_TOKEN, named with the address and where it came from', () => {
      expect(() => loadConfig(['--http', '--sandbox', '--host', '0.0.0.0'], {})).toThrow(
        new ConfigError(
          'VISIER_MCP_HTTP_TOKEN: required when binding 0.0.0.0 (--host), a non-loopback address; set a bearer token of 16+ characters or bind 127.0.0.1',
        ),
      );
      expect(() => loadConfig(['--http'], { VISIER_MCP_HOST: '10.0.0.5' })).toThrow(
        /binding 10\.0\.0\.5 \(VISIER_MCP_HOST\)/,
      );
      const token = { VISIER_MCP_HTTP_TOKEN: 'a-token-of-16-chars' };
      expect(loadConfig(['--http', '--host', '0.0.0.0'], token).host).toBe('0.0.0.0');
      for (const host of ['127.0.0.1', 'localhost', '::1', '127.8.9.10']) {
        expect(loadConfig(['--http', '--host', host], {}).host).toBe(host);
      }
      // stdio binds nothing: the flag is inert there.
      expect(loadConfig(['--host', '0.0.0.0'], {}).http).toBe(false);
    });

    it('per-tenant modes naming a tenant outside the allowlist', () => {
      const file = join(mkdtempSync(join(tmpdir(), 'vam-config-')), 'modes.json');
      writeFileSync(file, JSON.stringify({ 'WFF_j1r~c7o': 'full', 'WFF_other~c1': 'full' }));
      expect(() => loadConfig(['--tenant-modes', file], creds)).toThrow(
        new ConfigError(
          "--tenant-modes: names tenant 'WFF_other~c1', not in the tenant allowlist (WFF_j1r~c7o); add it to --tenants or remove it",
        ),
      );
      expect(loadConfig(['--tenant-modes', file, '--tenants', 'WFF_j1r~c7o,WFF_other~c1'], creds).tenantModes).toEqual({
        'WFF_j1r~c7o': 'full',
        'WFF_other~c1': 'full',
      });
    });
  });

  it('an API host without its scheme is told it needs https://, for every provider host variable', () => {
    for (const [name, env] of [
      ['VISIER_HOST', { ...creds, VISIER_HOST: 'jupiter.api.visier.io' }],
      ['SISENSE_HOST', { SISENSE_HOST: 'api.periscopedata.com' }],
      ['SALESCOOKIE_HOST', { SALESCOOKIE_HOST: 'salescookie.com/app' }],
    ] as const) {
      expect(() => loadConfig([], env)).toThrow(
        new ConfigError(
          `${name}: must be a URL starting with https:// (http:// only for a local look-alike), e.g. https://host.example.com`,
        ),
      );
    }
  });

  it('a word where a flag belongs is an unknown command, and the commands are listed', () => {
    const commands = Object.keys(COMMANDS).join(', ');
    expect(() => loadConfig(['frobnicate'], {})).toThrow(
      new ConfigError(`unknown command frobnicate: the commands are ${commands} (see --help)`),
    );
    expect(commands).toContain('doctor');
  });

  it('the sandbox keeps its own default audit log; a tenant, or a log named, is untouched by that', () => {
    const state = { XDG_STATE_HOME: '/state' };
    expect(loadConfig([], state).auditLog).toBe(join('/state', 'visier-admin-mcp', 'audit-sandbox.jsonl'));
    expect(loadConfig(['--sandbox'], { ...creds, ...state }).auditLog).toBe(
      join('/state', 'visier-admin-mcp', 'audit-sandbox.jsonl'),
    );
    expect(loadConfig([], { ...creds, ...state }).auditLog).toBe(join('/state', 'visier-admin-mcp', 'audit.jsonl'));
    expect(loadConfig(['--audit-log', '/x/a.jsonl'], state).auditLog).toBe('/x/a.jsonl');
  });

  it('the change journal sits beside the audit log, the sandbox its own, unless named', () => {
    const state = { XDG_STATE_HOME: '/state' };
    expect(loadConfig([], { ...creds, ...state }).journal).toBe(join('/state', 'visier-admin-mcp', 'journal.jsonl'));
    expect(loadConfig(['--audit-log', join('/x', 'a.jsonl')], state).journal).toBe(join('/x', 'journal-sandbox.jsonl'));
    expect(loadConfig(['--journal', join('/y', 'j.jsonl')], state).journal).toBe(join('/y', 'j.jsonl'));
    expect(loadConfig([], { ...state, VISIER_MCP_JOURNAL: join('/z', 'j.jsonl') }).journal).toBe(join('/z', 'j.jsonl'));
  });

  it('says why the sandbox serves: asked for over credentials, or none set', () => {
    expect(sandboxReason(loadConfig(['--sandbox'], creds))).toBe(
      '--sandbox or VISIER_SANDBOX given (the credentials set are not used)',
    );
    expect(sandboxReason(loadConfig([], { ...creds, VISIER_SANDBOX: '1' }))).toBe(
      '--sandbox or VISIER_SANDBOX given (the credentials set are not used)',
    );
    expect(sandboxReason(loadConfig([], {}))).toBe('no Visier credentials set');
  });
});
