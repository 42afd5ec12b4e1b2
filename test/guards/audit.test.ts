import { generateKeyPairSync } from 'node:crypto';
import { appendFileSync, readFileSync, statSync } from 'node:fs';
import { chmod, chown, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditLog, type AuditRecord } from '../../src/guards/audit.js';
import { AuditKeyError } from '../../src/guards/audit-key.js';
import { AuditLogLocked, withFileLock } from '../../src/guards/audit-lock.js';
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

const parsedLines = async (path: string) =>
  (await readFile(path, 'utf8'))
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('audit log', () => {
  it('writes one numbered, hash-chained, signed line per record, with its checkpoint and public key beside it', async () => {
    const path = join(dir, 'nested', 'audit.jsonl');
    const log = new AuditLog({ path });
    for (const n of [1, 2, 3]) log.write(record(n));
    const lines = await parsedLines(path);
    expect(lines.map((l) => [l.seq, typeof l.sig])).toEqual([
      [1, 'string'],
      [2, 'string'],
      [3, 'string'],
    ]);
    expect(lines[0]?.prev).toBe('0'.repeat(64));
    expect(lines[1]?.prev).toBe(lines[0]?.hash);
    expect(lines[1]).toMatchObject({ tool: 'get_user', args: { userId: 'u2' }, decision: 'allowed', durationMs: 2 });
    const checkpoint = JSON.parse(await readFile(`${path}.checkpoint`, 'utf8'));
    expect(checkpoint).toMatchObject({ lines: 3, head: lines[2]?.hash, sig: expect.any(String) });
    // Signed as a checkpoint, not with the last line's own signature (which must not stand in for one).
    expect(checkpoint.sig).not.toBe(lines[2]?.sig);
    expect(statSync(join(dir, 'nested', 'audit-key.pem')).mode & 0o777).toBe(0o600);
    expect(await readFile(`${path}.pub`, 'utf8')).toMatch(/^-----BEGIN PUBLIC KEY-----/);
    expect(await verifyAuditLog(path)).toMatchObject({ ok: true, lines: 3, findings: [] });
  });

  it('continues the chain across a restart, and after a writer died between its line and its checkpoint', async () => {
    const path = join(dir, 'audit.jsonl');
    new AuditLog({ path }).write(record(1));
    const afterFirst = await readFile(`${path}.checkpoint`);
    new AuditLog({ path }).write(record(2));
    await writeFile(`${path}.checkpoint`, afterFirst);
    new AuditLog({ path }).write(record(3));
    const lines = await parsedLines(path);
    expect(lines.map((l) => l.tool)).toEqual(['get_user', 'get_user', 'get_user']);
    expect(lines[2]?.prev).toBe(lines[1]?.hash);
    expect(await verifyAuditLog(path)).toMatchObject({ ok: true, lines: 3, findings: [] });
  });

  it('names the kind and line of an edit, a removal, a non-JSON line and a cut', async () => {
    const path = join(dir, 'audit.jsonl');
    const log = new AuditLog({ path });
    for (const n of [1, 2, 3, 4]) log.write(record(n));
    const lines = (await readFile(path, 'utf8')).trimEnd().split('\n');
    const judge = async (kept: string[]) => {
      await writeFile(path, `${kept.join('\n')}\n`);
      return (await verifyAuditLog(path)).findings.map(({ kind, line, through }) => ({ kind, line, through }));
    };

    expect(
      await judge(lines.map((l, i) => (i === 2 ? l.replace('"decision":"allowed"', '"decision":"refused"') : l))),
    ).toEqual([{ kind: 'rewritten', line: 3, through: undefined }]);
    expect(await judge([lines[0], lines[2], lines[3]] as string[])).toEqual([
      { kind: 'rewritten', line: 2, through: 3 },
      { kind: 'truncated', line: 4, through: undefined },
    ]);
    expect(await judge([lines[0], lines[1], 'not json', lines[3]] as string[])).toEqual([
      { kind: 'rewritten', line: 3, through: undefined },
    ]);
    expect(await judge(lines.slice(0, 3))).toEqual([{ kind: 'truncated', line: 4, through: undefined }]);
  });

  it('signs lines written to a stream with a key of its own', () => {
    const chunks: string[] = [];
    const stream = { write: (chunk: string) => chunks.push(chunk) } as unknown as NodeJS.WritableStream;
    new AuditLog({ stream }).write(record(1));
    expect(chunks).toHaveLength(1);
    expect(JSON.parse(chunks[0] as string)).toMatchObject({ tool: 'get_user', seq: 1, prev: '0'.repeat(64) });
    expect(chunks[0]).toMatch(/,"hash":"[0-9a-f]{64}","sig":"[\w-]{86}"}\n$/);
  });

  it('reports a log never written as nothing to verify, and a missing key as not verifiable, not as tampered', async () => {
    const absent = await verifyAuditLog(join(dir, 'absent.jsonl'));
    expect(absent).toMatchObject({ ok: false, findings: [] });
    expect(absent.nothing).toMatch(/^neither .*absent\.jsonl nor its checkpoint exists$/);
    const path = join(dir, 'audit.jsonl');
    new AuditLog({ path }).write(record(1));
    const noKey = await verifyAuditLog(path, { publicKeyFile: join(dir, 'none.pub') });
    expect(noKey.unreadable).toMatch(/^cannot read an Ed25519 public key from .*none\.pub$/);
  });

  it('starts a line on a new line after a torn write, and records the gap', async () => {
    const path = join(dir, 'audit.jsonl');
    new AuditLog({ path }).write(record(1));
    appendFileSync(path, '{"time":"2026-01-01T00:00:09.000Z","tool":"del');
    new AuditLog({ path }).write(record(2));
    const text = readFileSync(path, 'utf8').trimEnd().split('\n');
    expect(text).toHaveLength(4);
    expect(JSON.parse(text[2] as string)).toMatchObject({ event: 'gap', reason: 'log-differs', found: { lines: 2 } });
    expect((await verifyAuditLog(path)).findings.map((f) => [f.kind, f.line])).toEqual([
      ['rewritten', 2],
      ['gap', 3],
    ]);
  });

  it('continues after a restart even when the last line is larger than any fixed tail', async () => {
    const path = join(dir, 'audit.jsonl');
    new AuditLog({ path }).write({ ...record(1), args: { users: 'x'.repeat(3 * 1024 * 1024) } });
    new AuditLog({ path }).write(record(2));
    expect(await verifyAuditLog(path)).toMatchObject({ ok: true, lines: 2, findings: [] });
  });
});

describe('audit signing key', () => {
  it("accepts a group-readable key owned by root or this user, as a Kubernetes Secret under fsGroup mounts it; refuses group write and another owner's", async () => {
    const path = join(dir, 'audit.jsonl');
    const mounted = join(dir, 'mounted.pem');
    await writeFile(mounted, generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }));
    for (const mode of [0o440, 0o640]) {
      await chmod(mounted, mode);
      expect(() => new AuditLog({ path, keyFile: mounted })).not.toThrow();
    }
    await chmod(mounted, 0o660);
    expect(() => new AuditLog({ path, keyFile: mounted })).toThrow(/mounted\.pem: writable by its group/);
  });

  it.skipIf(process.getuid?.() !== 0)(
    'refuses a group-readable key owned by a third user (needs root to chown)',
    async () => {
      const path = join(dir, 'audit.jsonl');
      const theirs = join(dir, 'theirs.pem');
      await writeFile(theirs, generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }));
      await chmod(theirs, 0o640);
      await chown(theirs, 4321, 4321);
      expect(() => new AuditLog({ path, keyFile: theirs })).toThrow(
        /theirs\.pem: readable by its group while owned by uid 4321, neither root nor this server's user/,
      );
    },
  );

  it('refuses a key file others may read, a key that is not Ed25519, and a log signed by another key', async () => {
    const path = join(dir, 'audit.jsonl');
    const loose = join(dir, 'loose.pem');
    await writeFile(loose, generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }));
    await chmod(loose, 0o644);
    expect(() => new AuditLog({ path, keyFile: loose })).toThrow(
      /loose\.pem: readable or writable by others; allow only its owner \(chmod 600\)/,
    );

    const rsa = join(dir, 'rsa.pem');
    const rsaKey = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey;
    await writeFile(rsa, rsaKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    expect(() => new AuditLog({ path, keyFile: rsa })).toThrow(/must be an Ed25519 key, not rsa/);

    new AuditLog({ path, keyFile: join(dir, 'first.pem') }).write(record(1));
    expect(() => new AuditLog({ path, keyFile: join(dir, 'second.pem') })).toThrow(AuditKeyError);
    expect(() => new AuditLog({ path, keyFile: join(dir, 'second.pem') })).toThrow(/signed with another key/);
  });
});

describe('append lock', () => {
  it('waits for a live holder and gives up after the timeout, naming it', async () => {
    const lock = join(dir, 'audit.jsonl.lock');
    // The test runner's parent process is alive and is not us.
    await writeFile(lock, String(process.ppid));
    expect(() => withFileLock(lock, () => 1, 50)).toThrow(AuditLogLocked);
    expect(() => withFileLock(lock, () => 1, 50)).toThrow(`process ${process.ppid}`);
  });

  it('takes over the lock of a process that is gone, and releases its own', async () => {
    const lock = join(dir, 'audit.jsonl.lock');
    await writeFile(lock, '2147483646');
    expect(withFileLock(lock, () => readFileSync(lock, 'utf8'))).toBe(String(process.pid));
    expect(() => statSync(lock)).toThrow(/ENOENT/);
  });
});
