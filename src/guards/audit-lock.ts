import { closeSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';

// Several servers append to one audit file (desktop clients each start their own): every append happens
// under an exclusive lock file beside the log, held for the microseconds one append takes. A lock whose
// holder has died is taken over.

const WAIT = new Int32Array(new SharedArrayBuffer(4));
const RETRY_MS = 1;

/** The lock stayed held by a live process for longer than an append can take. */
export class AuditLogLocked extends Error {
  constructor(
    readonly lock: string,
    readonly holder: number | undefined,
    timeoutMs: number,
  ) {
    super(`audit lock ${lock} held by process ${holder ?? 'unknown'} for over ${timeoutMs} ms; nothing was appended`);
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

/** The holder's pid; undefined while the holder is still writing it, or when the lock just went away. */
function holderOf(lock: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(lock, 'utf8'), 10);
    return Number.isInteger(pid) ? pid : undefined;
  } catch {
    return undefined;
  }
}

function isAbandoned(lock: string, holder: number | undefined, timeoutMs: number): boolean {
  if (holder !== undefined) return holder !== process.pid && !isAlive(holder);
  try {
    // A lock without a pid for this long was left by a process that died between creating and writing it.
    return Date.now() - statSync(lock).mtimeMs > timeoutMs;
  } catch {
    return false;
  }
}

/**
 * Runs `fn` holding `lock` (created exclusively, holding our pid; removed after). Synchronous like the
 * append it guards, so a line is on disk before the call's answer leaves. Throws AuditLogLocked after
 * `timeoutMs` of a live holder.
 */
export function withFileLock<T>(lock: string, fn: () => T, timeoutMs = 5000): T {
  const started = Date.now();
  for (;;) {
    try {
      const fd = openSync(lock, 'wx');
      try {
        writeSync(fd, String(process.pid));
      } finally {
        closeSync(fd);
      }
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = holderOf(lock);
    if (isAbandoned(lock, holder, timeoutMs)) {
      try {
        unlinkSync(lock);
      } catch {
        // Another waiter took it over first.
      }
      continue;
    }
    if (Date.now() - started > timeoutMs) throw new AuditLogLocked(lock, holder, timeoutMs);
    Atomics.wait(WAIT, 0, 0, RETRY_MS);
  }
  try {
    return fn();
  } finally {
    unlinkSync(lock);
  }
}
