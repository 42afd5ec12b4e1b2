import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditLog, AuditLogInUse, type AuditRecord } from '../../src/guards/audit.js';
import { verifyAuditLog } from '../../src/guards/index.js';

function record(n: number): AuditRecord {
  return {
    time: `2026-01-01T00:00:0${n}.000Z`,
    tool: 'get_user',
    classification: 'read',
    tenants: ['T1'],
    args: { userId: `u${n}` },
    decision: 'allowed',
    durationMs: n,
    isError: false,
  };
}

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'guard-audit-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('audit log', () => {
  it('writes one hash-chained JSON line per record, creating folders', async () => {
    const path = join(dir, 'nested', 'audit.jsonl');
    const log = new AuditLog({ path });
    for (const n of [1, 2, 3]) log.write(record(n));
    const lines = (await readFile(path, 'utf8'))
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(3);
    expect(lines[0].prev).toBe('0'.repeat(64));
    expect(lines[1].prev).toBe(lines[0].hash);
    expect(lines[2].prev).toBe(lines[1].hash);
    expect(lines[1]).toMatchObject({ tool: 'get_user', args: { userId: 'u2' }, decision: 'allowed', durationMs: 2 });
    expect(await verifyAuditLog(path)).toEqual({ ok: true, lines: 3 });
  });

  it('continues the chain across a restart', async () => {
    const path = join(dir, 'audit.jsonl');
    new AuditLog({ path }).write(record(1));
    new AuditLog({ path }).write(record(2));
    const lines = (await readFile(path, 'utf8'))
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines[1].prev).toBe(lines[0].hash);
    expect(await verifyAuditLog(path)).toEqual({ ok: true, lines: 2 });
  });

  it('reports the first broken line when a line is edited, removed or reordered', async () => {
    const path = join(dir, 'audit.jsonl');
    const log = new AuditLog({ path });
    for (const n of [1, 2, 3, 4]) log.write(record(n));
    const original = await readFile(path, 'utf8');
    const lines = original.trimEnd().split('\n');

    await writeFile(
      path,
      `${lines.map((l, i) => (i === 2 ? l.replace('"decision":"allowed"', '"decision":"refused"') : l)).join('\n')}\n`,
    );
    expect(await verifyAuditLog(path)).toEqual({
      ok: false,
      lines: 4,
      firstBrokenLine: 3,
      reason: 'hash does not match the line',
    });

    await writeFile(path, `${[lines[0], lines[2], lines[3]].join('\n')}\n`);
    expect(await verifyAuditLog(path)).toEqual({
      ok: false,
      lines: 3,
      firstBrokenLine: 2,
      reason: 'prev does not match the previous line',
    });

    await writeFile(path, `${[lines[0], lines[1], 'not json', lines[3]].join('\n')}\n`);
    expect(await verifyAuditLog(path)).toEqual({ ok: false, lines: 4, firstBrokenLine: 3, reason: 'not valid JSON' });

    await writeFile(path, `${[lines[0], 'null'].join('\n')}\n`);
    expect(await verifyAuditLog(path)).toEqual({
      ok: false,
      lines: 2,
      firstBrokenLine: 2,
      reason: 'not a JSON object',
    });
  });

  it('writes to a stream when given one', () => {
    const chunks: string[] = [];
    const stream = { write: (chunk: string) => chunks.push(chunk) } as unknown as NodeJS.WritableStream;
    new AuditLog({ stream }).write(record(1));
    expect(chunks).toHaveLength(1);
    expect(JSON.parse(chunks[0] as string)).toMatchObject({ tool: 'get_user', prev: '0'.repeat(64) });
  });

  it('reports a missing file as not verifiable', async () => {
    const result = await verifyAuditLog(join(dir, 'absent.jsonl'));
    expect(result.ok).toBe(false);
    expect(result.lines).toBe(0);
    expect(result.reason).toMatch(/^cannot read the audit log: ENOENT/);
  });
});

describe('one writer per audit file', () => {
  it('refuses a file another live server writes, naming that process', async () => {
    const path = join(dir, 'audit.jsonl');
    // The test runner's parent process is alive and is not us.
    await writeFile(`${path}.lock`, String(process.ppid));
    expect(() => new AuditLog({ path })).toThrow(AuditLogInUse);
    expect(() => new AuditLog({ path })).toThrow(`process ${process.ppid}`);
  });

  it("takes over the lock of a process that is gone, and keeps this process's own", async () => {
    const path = join(dir, 'audit.jsonl');
    await writeFile(`${path}.lock`, '2147483646');
    new AuditLog({ path }).write(record(1));
    expect(await readFile(`${path}.lock`, 'utf8')).toBe(String(process.pid));
    new AuditLog({ path }).write(record(2));
    expect(await verifyAuditLog(path)).toEqual({ ok: true, lines: 2 });
  });

  it('continues the chain after a restart even when the last line is larger than any fixed tail', async () => {
    const path = join(dir, 'audit.jsonl');
    new AuditLog({ path }).write({ ...record(1), args: { users: 'x'.repeat(3 * 1024 * 1024) } });
    new AuditLog({ path }).write(record(2));
    expect(await verifyAuditLog(path)).toEqual({ ok: true, lines: 2 });
  });
});
