import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { verifyAuditLog } from '../../src/guards/index.js';
import { DEMO_PERMISSIONS, type SandboxHandle, startSandbox } from '../../src/sandbox/index.js';
import { changeRequests, textOf } from '../guards/e2e-harness.js';
import { connectStack } from '../support/mcp-stack.js';

// An attacker who can write beside the audit log plants its lock file naming a live process: before, the grant
// went out, its line never came, and verify-audit still said intact. A change must wait for its line or not go.

const ADMIN = DEMO_PERMISSIONS.admin;
let sandbox: SandboxHandle;
let holder: ChildProcess;

beforeAll(async () => {
  sandbox = await startSandbox({ rateLimit: false, users: 10, seed: 4 });
  // A live process that is not this server: its pid in the lock makes the lock look held.
  holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)'], { stdio: 'ignore' });
});
afterAll(async () => {
  holder.kill();
  await sandbox.close();
});

it('a planted audit lock refuses the change, sends nothing, and the log stays true', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vam-audit-lock-'));
  const log = join(dir, 'audit.jsonl');
  const stack = await connectStack(sandbox, {
    client: { name: 'audit-fail-closed', version: '1' },
    guard: { confirmSecret: 'audit-fail-closed-secret-0123', audit: { path: log, keyFile: join(dir, 'key.pem') } },
    elicit: async () => ({ action: 'accept', content: { confirm: true } }),
  });
  try {
    const target = sandbox
      .snapshot()
      .users.find((u) => !(sandbox.snapshot().userPermissions[ADMIN.permissionId] ?? []).includes(u.userId))!;
    const grant = { permissionIds: [ADMIN.permissionId], userIds: [target.userId] };
    writeFileSync(`${log}.lock`, String(holder.pid));
    sandbox.clearRequests();
    const refused = await stack.call('assign_permissions_to_users', grant);
    expect(refused.isError).toBe(true);
    expect(textOf(refused)).toContain('a change is never made without its audit line, so nothing was sent');
    expect(changeRequests(sandbox)).toEqual([]);
    expect(sandbox.snapshot().userPermissions[ADMIN.permissionId] ?? []).not.toContain(target.userId);

    rmSync(`${log}.lock`);
    const granted = await stack.call('assign_permissions_to_users', grant);
    expect(granted.isError).toBeFalsy();
    const lines = readFileSync(log, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { decision: string });
    expect(lines.at(-1)).toMatchObject({ tool: 'assign_permissions_to_users', decision: 'confirmed' });
    expect(await verifyAuditLog(log)).toMatchObject({ ok: true });
  } finally {
    await stack.close();
    rmSync(dir, { recursive: true, force: true });
  }
}, 30_000);
