import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditLog } from '../../src/guards/index.js';
import { DEMO_GROUPS, DEMO_PERMISSIONS, DEMO_USERS, INJECTION_TEXT } from '../../src/sandbox/index.js';
import { CONFIRMATION_META_KEY } from '../../src/server.js';
import { CONFIRM_SECRET, e2eSuite, startE2E, textOf } from './e2e-harness.js';

const suite = e2eSuite();
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'guard-e2e-audit-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Every occurrence of `needle` lies between an opening fence tag and the closing tag with the same id. */
function onlyInsideFences(text: string, needle: string): boolean {
  let from = text.indexOf(needle);
  if (from < 0) return false;
  while (from >= 0) {
    const before = text.slice(0, from);
    const open = [...before.matchAll(/<directory-data id="([0-9a-f]+)">/g)].at(-1);
    if (open === undefined) return false;
    const close = `</directory-data id="${open[1]}">`;
    if (before.lastIndexOf(close) > (open.index ?? 0) || text.indexOf(close, from) < 0) return false;
    from = text.indexOf(needle, from + needle.length);
  }
  return true;
}

describe('e2e: audit', () => {
  it('writes one chained line per call across restarts, breaks at an edited line, and holds no secret', async () => {
    const calls: [string, Record<string, unknown>][] = [];
    const accept = async () => ({ action: 'accept' as const, content: { confirm: true } });
    const first = await startE2E({ sandbox: suite.sandbox, auditDir: dir, elicit: accept });
    const run = async (e2e: typeof first, tool: string, args: Record<string, unknown>) => {
      calls.push([tool, args]);
      return e2e.call(tool, args);
    };
    await run(first, 'list_users', { limit: 5 });
    await run(first, 'get_user', { userId: DEMO_USERS.dana.userId, tenantCode: 'wff_demo~c01' });
    await run(first, 'add_users_to_group', {
      userGroupId: DEMO_GROUPS.salesAnalysts.userGroupId,
      userIds: [DEMO_USERS.dana.userId],
    });
    await first.close();

    const second = await startE2E({ sandbox: suite.sandbox, auditDir: dir });
    const issued = await run(second, 'remove_permissions_from_users', {
      permissionIds: [DEMO_PERMISSIONS.headcount.permissionId],
      userIds: [DEMO_USERS.dana.userId],
    });
    const token = (issued._meta![CONFIRMATION_META_KEY] as { confirmationToken: string }).confirmationToken;
    expect(token).toMatch(/^[\w-]+\.[\w-]+$/);
    await run(second, 'remove_permissions_from_users', {
      permissionIds: [DEMO_PERMISSIONS.headcount.permissionId],
      userIds: [DEMO_USERS.dana.userId],
      confirmationToken: token,
    });
    const path = second.auditPath;
    await second.close();

    const content = await readFile(path, 'utf8');
    const lines = content
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => [l.tool, l.decision])).toEqual([
      ['list_users', 'allowed'],
      ['get_user', 'refused'],
      ['add_users_to_group', 'confirmed'],
      ['remove_permissions_from_users', 'confirmation-required'],
      ['remove_permissions_from_users', 'confirmed'],
    ]);
    expect(lines.map((l) => l.tool)).toEqual(calls.map(([tool]) => tool));
    expect(lines[2]).toMatchObject({
      classification: 'access',
      tenants: ['WFF_demo~c01'],
      client: { name: 'guard-e2e-client', version: '3.1.4' },
      confirmation: { method: 'elicitation', outcome: 'accepted' },
      isError: false,
    });
    expect(lines[4]?.args).toMatchObject({ confirmationToken: expect.stringMatching(/^sha256:[0-9a-f]{16}$/) });
    expect(await verifyAuditLog(path)).toMatchObject({ ok: true, lines: 5, findings: [] });

    for (const secret of [
      suite.sandbox.credentials.apiKey,
      suite.sandbox.credentials.password,
      suite.sandbox.credentials.clientSecret,
      CONFIRM_SECRET,
      token,
      token.split('.')[1] as string,
    ]) {
      expect(content).not.toContain(secret);
    }

    const edited = content
      .split('\n')
      .map((l, i) => (i === 3 ? l.replace('"confirmation-required"', '"confirmed"') : l))
      .join('\n');
    await writeFile(path, edited);
    expect(await verifyAuditLog(path)).toMatchObject({
      ok: false,
      lines: 5,
      findings: [{ kind: 'rewritten', line: 4, detail: 'the line has a hash that does not match its content' }],
    });
  });
});

describe('e2e: injection in directory data', () => {
  it('reaches the model only inside the untrusted-data fence, in lists and in previews', async () => {
    const e2e = await startE2E({ sandbox: suite.sandbox });
    try {
      const users = textOf(await e2e.call('list_users', { search: 'quinn' }));
      expect(users).toContain(INJECTION_TEXT);
      expect(onlyInsideFences(users, INJECTION_TEXT)).toBe(true);

      const group = textOf(await e2e.call('get_user_group', { userGroupId: DEMO_GROUPS.contractors.userGroupId }));
      expect(group).toContain(INJECTION_TEXT);
      expect(onlyInsideFences(group, INJECTION_TEXT)).toBe(true);

      const preview = await e2e.call('delete_user', { userId: DEMO_USERS.mallory.userId });
      expect(preview._meta?.[CONFIRMATION_META_KEY]).toBeDefined();
      expect(textOf(preview)).toContain(INJECTION_TEXT);
      expect(onlyInsideFences(textOf(preview), INJECTION_TEXT)).toBe(true);
    } finally {
      await e2e.close();
    }
  });

  it('the checker itself rejects text outside a fence or after its close', () => {
    expect(onlyInsideFences(`x ${INJECTION_TEXT}`, INJECTION_TEXT)).toBe(false);
    expect(
      onlyInsideFences(`<directory-data id="ab">\n</directory-data id="ab">\n${INJECTION_TEXT}`, INJECTION_TEXT),
    ).toBe(false);
    expect(
      onlyInsideFences(`<directory-data id="ab">\n${INJECTION_TEXT}\n</directory-data id="ab">`, INJECTION_TEXT),
    ).toBe(true);
  });
});
