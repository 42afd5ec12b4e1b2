import { createHash, hash } from 'node:crypto';
import {
  closeSync,
  existsSync,
  fstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import pino from 'pino';

/** One call, allowed or refused: exactly one line in the audit log. */
export interface AuditRecord {
  time: string;
  tool: string;
  classification: string;
  tenants: string[];
  /** Redacted: no secret, and the confirmation token only as a digest. */
  args: Record<string, unknown>;
  decision: AuditDecision;
  reason?: string;
  confirmation?: { method: 'elicitation' | 'token'; outcome: string; token?: string };
  client?: { name?: string; version?: string };
  sessionId?: string;
  counts?: { succeeded?: number; failed?: number };
  rci?: string;
  durationMs: number;
  isError: boolean;
}

export type AuditDecision = 'allowed' | 'refused' | 'confirmation-required' | 'confirmed' | 'declined';

const GENESIS = '0'.repeat(64);
const TAIL_BYTES = 1 << 20;

// Every line ends with its own hash, as the last member.
const HASH_SUFFIX = /,"hash":"([0-9a-f]{64})"}$/;

/** sha256 over the previous hash and the exact text of a line without its `hash` member. */
function chainHash(prev: string, body: string): string {
  return hash('sha256', prev + body);
}

/** The file's last line, read backwards from the end: a line may be longer than any fixed tail. */
function lastLine(path: string): string | undefined {
  const fd = openSync(path, 'r');
  try {
    let pos = fstatSync(fd).size;
    let tail = Buffer.alloc(0);
    while (pos > 0) {
      const length = Math.min(TAIL_BYTES, pos);
      pos -= length;
      const chunk = Buffer.alloc(length);
      readSync(fd, chunk, 0, length, pos);
      tail = Buffer.concat([chunk, tail]);
      const text = tail.toString('utf8').replace(/\n+$/, '');
      const newline = text.lastIndexOf('\n');
      if (newline >= 0) return text.slice(newline + 1);
    }
    const whole = tail.toString('utf8').replace(/\n+$/, '');
    return whole === '' ? undefined : whole;
  } finally {
    closeSync(fd);
  }
}

/** The hash of the last line already in the file, so a restarted server continues the same chain. */
function lastHash(path: string): string {
  if (!existsSync(path)) return GENESIS;
  const last = lastLine(path);
  if (last === undefined) return GENESIS;
  try {
    const hash = (JSON.parse(last) as { hash?: unknown }).hash;
    if (typeof hash === 'string') return hash;
  } catch {
    // A torn or foreign last line: chain on from its bytes; verification will still flag that line.
  }
  return createHash('sha256').update(last).digest('hex');
}

/** Another live server writes this file: a second writer would interleave its chain with the first's. */
export class AuditLogInUse extends Error {
  constructor(
    readonly path: string,
    readonly pid: number,
  ) {
    super(`the audit log ${path} is written by another server (process ${pid}); give each server its own file`);
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Claims the file for this process with a `.lock` beside it holding our pid, removed when the process exits.
 * A lock of a process that is gone is taken over; one of this process is ours already (a restarted guard).
 */
function claim(path: string): void {
  const lock = `${path}.lock`;
  mkdirSync(dirname(path), { recursive: true });
  for (;;) {
    try {
      const fd = openSync(lock, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      process.once('exit', () => {
        try {
          if (readFileSync(lock, 'utf8') === String(process.pid)) unlinkSync(lock);
        } catch {
          // Already gone: nothing to release.
        }
      });
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = Number.parseInt(readFileSync(lock, 'utf8'), 10);
    if (holder === process.pid) return;
    if (Number.isInteger(holder) && isAlive(holder)) throw new AuditLogInUse(path, holder);
    unlinkSync(lock);
  }
}

/**
 * Append-only, hash-chained JSON lines: each line carries `prev` (the previous line's hash) and, last,
 * `hash` = sha256(prev + the line's exact text without its `hash` member), so any changed byte breaks the
 * chain. Written synchronously through pino's destination, so a line is on disk before the call's answer
 * leaves. One writer per file: a second live server gets `AuditLogInUse` rather than interleaving chains.
 */
export class AuditLog {
  private readonly sink: { write(line: string): unknown };
  private prev: string;

  constructor(target: { path?: string; stream?: NodeJS.WritableStream }) {
    if (target.stream !== undefined) {
      this.sink = target.stream;
      this.prev = GENESIS;
    } else if (target.path !== undefined) {
      claim(target.path);
      this.prev = lastHash(target.path);
      this.sink = pino.destination({ dest: target.path, sync: true, mkdir: true });
    } else {
      throw new Error('audit log: give a path or a stream');
    }
  }

  write(record: AuditRecord): void {
    const json = JSON.stringify(record);
    const body = `${json.slice(0, -1)},"prev":"${this.prev}"}`;
    const hash = chainHash(this.prev, body);
    this.sink.write(`${body.slice(0, -1)},"hash":"${hash}"}\n`);
    this.prev = hash;
  }
}

export interface AuditVerification {
  ok: boolean;
  lines: number;
  /** 1-based. */
  firstBrokenLine?: number;
  reason?: string;
}

/** Walks the chain from the first line; any edit, insertion, deletion or reordering breaks it at that line. */
export async function verifyAuditLog(path: string): Promise<AuditVerification> {
  let content: string;
  try {
    content = await readFile(path, 'utf8');
  } catch (error) {
    return { ok: false, lines: 0, reason: `cannot read the audit log: ${(error as Error).message}` };
  }
  const lines = content.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  let prev = GENESIS;
  for (const [index, text] of lines.entries()) {
    const broken = (reason: string): AuditVerification => ({
      ok: false,
      lines: lines.length,
      firstBrokenLine: index + 1,
      reason,
    });
    let line: unknown;
    try {
      line = JSON.parse(text);
    } catch {
      return broken('not valid JSON');
    }
    if (line === null || typeof line !== 'object' || Array.isArray(line)) return broken('not a JSON object');
    if ((line as { prev?: unknown }).prev !== prev) return broken('prev does not match the previous line');
    const hash = HASH_SUFFIX.exec(text);
    if (hash === null) return broken('the line does not end with its hash');
    if (hash[1] !== chainHash(prev, `${text.slice(0, hash.index)}}`)) return broken('hash does not match the line');
    prev = hash[1];
  }
  return { ok: true, lines: lines.length };
}
