import type { KeyObject } from 'node:crypto';
import { closeSync, fstatSync, openSync, readFileSync, readSync } from 'node:fs';
import { GENESIS, headOf, parseLine } from './audit-chain.js';
import { verifyStatement } from './audit-key.js';

// The latest checkpoint lives beside the log (`<log>.checkpoint`, overwritten after every append, and
// written for 0 lines when a server creates the log): cutting lines from the log's end leaves it pointing
// past the end. Each checkpoint also goes to the anchor, where a local attacker cannot reach it. Its
// signature is over an 'audit-checkpoint' statement, which no line carries (see audit-key.ts).

/** A signed statement that the log had `lines` lines, the last with hash `head` (GENESIS for 0 lines). */
export interface Checkpoint {
  lines: number;
  head: string;
  /** base64url Ed25519 signature of the 'audit-checkpoint' statement (lines, head). */
  sig: string;
}

/** Whether `checkpoint` was signed by the key as a checkpoint (a line's own signature is not one). */
export const checkpointSigned = (publicKey: KeyObject, checkpoint: Checkpoint) =>
  verifyStatement(publicKey, 'audit-checkpoint', checkpoint.lines, checkpoint.head, checkpoint.sig);

/** As kept beside the log: also the log's size in bytes then, so the next append can tell by a stat. */
export interface LocalCheckpoint extends Checkpoint {
  bytes: number;
  /** Id of the signing key (see keyId), for people reading the file. */
  key: string;
}

export const checkpointPathOf = (log: string) => `${log}.checkpoint`;

/**
 * A checkpoint from JSON text: the file beside the log, a webhook body, or a syslog message (its JSON part,
 * from the first `{`). Undefined when it has no valid lines/head/sig.
 */
export function parseCheckpoint(
  text: string,
): (Checkpoint & { bytes?: number; key?: string; publicKey?: string }) | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text.slice(Math.max(0, text.indexOf('{'))));
  } catch {
    return undefined;
  }
  const { lines, head, sig, bytes, key, publicKey } = (value ?? {}) as Partial<
    Record<keyof LocalCheckpoint | 'publicKey', unknown>
  >;
  if (!Number.isInteger(lines) || (lines as number) < 0) return undefined;
  if (typeof head !== 'string' || !/^[0-9a-f]{64}$/.test(head) || typeof sig !== 'string') return undefined;
  return {
    lines: lines as number,
    head,
    sig,
    ...(Number.isInteger(bytes) ? { bytes: bytes as number } : {}),
    ...(typeof key === 'string' ? { key } : {}),
    ...(typeof publicKey === 'string' ? { publicKey } : {}),
  };
}

export function readCheckpointText(log: string): string | undefined {
  try {
    return readFileSync(checkpointPathOf(log), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

// Every checkpoint is padded to one size and written over the last in one write at offset 0: no rename per
// call (a rename costs up to a millisecond on some file systems), and no shorter text leaves a stale tail.
// Writers read it under the append lock; one torn by a crash fails its signature and is recorded as a gap.
const CHECKPOINT_BYTES = 512;

/** The checkpoint file's whole text: its JSON padded with spaces to a fixed size. */
export function checkpointText(checkpoint: LocalCheckpoint): string {
  return `${JSON.stringify(checkpoint).padEnd(CHECKPOINT_BYTES - 1, ' ')}\n`;
}

/** The log's head as a writer continues it. */
export interface LogState {
  lines: number;
  head: string;
  bytes: number;
}

/** What a writer found when the log did not match its last checkpoint. */
export interface Mismatch {
  reason: 'checkpoint-missing' | 'checkpoint-invalid' | 'log-differs';
  expected?: { lines: number; head: string };
  found: LogState;
  /** The log ends inside a line (a torn write): the next line must start on a new one. */
  torn: boolean;
}

const CHUNK = 1 << 20;

/** The last line (without its newline), whether the file ends in a newline, and the number of lines. */
function scan(log: string, count: boolean): { last?: string; torn: boolean; lines: number } {
  const fd = openSync(log, 'r');
  try {
    const size = fstatSync(fd).size;
    let lines = 0;
    if (count) {
      const chunk = Buffer.alloc(CHUNK);
      for (let pos = 0; pos < size; pos += CHUNK) {
        const n = readSync(fd, chunk, 0, CHUNK, pos);
        for (let i = chunk.indexOf(10); i !== -1 && i < n; i = chunk.indexOf(10, i + 1)) lines++;
      }
    }
    // Backwards from the end: a line may be longer than any fixed tail.
    let tail = Buffer.alloc(0);
    let pos = size;
    let torn = false;
    while (pos > 0) {
      const length = Math.min(CHUNK, pos);
      pos -= length;
      const chunk = Buffer.alloc(length);
      readSync(fd, chunk, 0, length, pos);
      tail = Buffer.concat([chunk, tail]);
      torn = tail.at(-1) !== 10;
      const end = torn ? tail.length : tail.length - 1;
      const start = end === 0 ? -1 : tail.lastIndexOf(10, end - 1);
      if (start >= 0 || pos === 0) {
        return { last: tail.subarray(start + 1, end).toString('utf8'), torn, lines: lines + (torn ? 1 : 0) };
      }
    }
    return { torn: false, lines: 0 };
  } finally {
    closeSync(fd);
  }
}

/**
 * Whether the log at `log` (`bytes` long, or absent) is what `checkpointText` signed, or that plus the one
 * line a writer appended before it died ahead of replacing the checkpoint. Neither log nor checkpoint is a
 * new log (`fresh`: the writer signs its 0-line checkpoint). Anything else is a Mismatch, described by what
 * was expected and what was found (line count and head), for the writer's signed gap line: among them an
 * existing log, even an empty one, without its checkpoint, which is what cutting every line and deleting the
 * checkpoint leaves.
 */
export function reconcile(
  log: string,
  bytes: number | undefined,
  checkpointText: string | undefined,
  publicKey: KeyObject,
): (LogState & { fresh?: true }) | Mismatch {
  if (checkpointText === undefined && bytes === undefined) return { lines: 0, head: GENESIS, bytes: 0, fresh: true };
  const size = bytes ?? 0;
  const checkpoint = checkpointText === undefined ? undefined : parseCheckpoint(checkpointText);
  const valid = checkpoint !== undefined && checkpointSigned(publicKey, checkpoint);
  if (valid && size === 0 && checkpoint.lines === 0) return { lines: 0, head: GENESIS, bytes: 0 };
  const tail = size === 0 ? { torn: false, lines: 0 } : scan(log, false);
  const parsed = tail.last === undefined ? undefined : parseLine(tail.last);
  if (valid && parsed?.sealed && !tail.torn) {
    if (size === checkpoint.bytes && parsed.seq === checkpoint.lines && parsed.hash === checkpoint.head) {
      return { lines: checkpoint.lines, head: checkpoint.head, bytes: size };
    }
    const lastBytes = Buffer.byteLength(tail.last as string) + 1;
    if (
      size === (checkpoint.bytes ?? Number.NaN) + lastBytes &&
      parsed.seq === checkpoint.lines + 1 &&
      parsed.prev === checkpoint.head &&
      verifyStatement(publicKey, 'audit-line', parsed.seq, parsed.hash, parsed.sig)
    ) {
      return { lines: parsed.seq, head: parsed.hash, bytes: size };
    }
  }
  const counted = size === 0 ? tail : scan(log, true);
  return {
    reason: checkpointText === undefined ? 'checkpoint-missing' : valid ? 'log-differs' : 'checkpoint-invalid',
    ...(valid ? { expected: { lines: checkpoint.lines, head: checkpoint.head } } : {}),
    found: {
      lines: counted.lines,
      head: tail.last === undefined ? GENESIS : headOf(tail.last, parsed),
      bytes: size,
    },
    torn: tail.torn,
  };
}
