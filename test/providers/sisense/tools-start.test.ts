// Starting the Sisense provider: the site allowlist from --tenants or the configured sites, and the credentials
// path (SISENSE_PARTNER_AUTH and SISENSE_HOST) against a sandbox standing where Sisense stands.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, InMemoryTransport } from '@modelcontextprotocol/client';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import { startRuntime } from '../../../src/runtime.js';
import { SISENSE_DEMO_USERS, startSisenseSandbox } from '../../../src/sandbox/sisense/index.js';
import { startSisenseStack, textOf } from './tools-stack.js';

const silent = pino({ level: 'silent' });
const auditLog = () => join(mkdtempSync(join(tmpdir(), 'vam-sisense-start-')), 'audit.jsonl');

describe('starting --provider sisense', () => {
  it('with the sandbox, the allowlist is both demo sites and the first is the default', async () => {
    const s = await startSisenseStack();
    try {
      expect(s.runtime.tenants).toEqual([s.sandbox.sites.primary.site, s.sandbox.sites.secondary.site]);
      expect(s.runtime.defaultTenant).toBe(s.sandbox.sites.primary.site);
    } finally {
      await s.close();
    }
  });

  it('--tenants narrows the allowlist; a call naming no site acts on its first', async () => {
    const s = await startSisenseStack(['--tenants', 'wff-demo-eu']);
    try {
      expect(s.runtime.tenants).toEqual(['wff-demo-eu']);
      s.sandbox.clearRequests();
      const result = await s.call('get_user', { userId: SISENSE_DEMO_USERS.dana.email });
      expect(result.isError, textOf(result)).toBeFalsy();
      expect(s.sandbox.requests.map((r) => r.tenant)).toEqual(['wff-demo-eu', 'wff-demo-eu']);
      const refused = await s.call('get_user', { userId: SISENSE_DEMO_USERS.dana.email, site: 'wff-demo' });
      expect(refused.isError).toBe(true);
      expect(s.sandbox.requests).toHaveLength(2);
    } finally {
      await s.close();
    }
  });

  it('--tenants naming a site without a key is refused at start, naming it', async () => {
    const config = loadConfig(
      ['--provider', 'sisense', '--sandbox', '--tenants', 'elsewhere', '--audit-log', auditLog()],
      {},
    );
    await expect(startRuntime(config, silent)).rejects.toThrow(
      /--tenants: 'elsewhere' is not a configured Sisense site/,
    );
  });

  it('SISENSE_PARTNER_AUTH and SISENSE_HOST: one client per site, the key sent only in the auth header', async () => {
    const sandbox = await startSisenseSandbox({ users: 0 });
    const { primary, secondary } = sandbox.sites;
    const config = loadConfig(['--provider', 'sisense', '--audit-log', auditLog()], {
      SISENSE_PARTNER_AUTH: `${primary.site}:${primary.apiKey},${secondary.site}:${secondary.apiKey}`,
      SISENSE_HOST: sandbox.url,
    });
    expect(config.sandbox).toBe(false);
    const runtime = await startRuntime(config, silent);
    try {
      expect(runtime.sandbox).toBeUndefined();
      expect(runtime.tenants).toEqual([primary.site, secondary.site]);
      const stack = runtime.createServer();
      const client = new Client({ name: 'start-test', version: '1.0.0' }, { capabilities: {} });
      const [c, srv] = InMemoryTransport.createLinkedPair();
      await Promise.all([stack.connect(srv), client.connect(c)]);
      const result = await client.callTool({
        name: 'list_user_groups',
        arguments: { site: secondary.site },
      });
      expect(result.isError).toBeFalsy();
      expect(sandbox.requests.map((r) => [r.tenant, r.status])).toEqual([[secondary.site, 200]]);
      expect(JSON.stringify(result)).not.toContain(secondary.apiKey);
      await client.close();
      await stack.close();
    } finally {
      await runtime.close();
      await sandbox.close();
    }
  });
});
