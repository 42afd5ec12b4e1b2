import { createHash } from 'node:crypto';
import { appendFileSync, closeSync, fstatSync, mkdirSync, openSync, readFileSync, readSync } from 'node:fs';
import { dirname } from 'node:path';
import { withFileLock } from '../guards/audit-lock.js';
import { canonicalJson } from '../guards/canonical.js';

// An append-only JSON-lines file beside the audit log, appended under the audit log's kind of lock so several
// servers share one journal. Not a database: better-sqlite3 needs a native build (its prebuilt binaries come
// from GitHub releases, node-gyp fetches Node headers from nodejs.org) and Node 20 has no node:sqlite, while
// a line file has the audit log's durability and is read with the same tools.

/** What a change tool read of what it changed, provider-defined (Visier: users and groups by id). */
export type JournalState = Record<string, unknown>;

/** One successful (or partly successful) change: its prior and resulting state, linked to its audit line. */
export interface JournalEntry {
  /** The change id `undo_change` takes. */
  id: string;
  /** ISO-8601 UTC instant the change was made. */
  time: string;
  tool: string;
  /** The tool's change class: what kind of state `before` and `after` hold. */
  changeClass: string;
  /** The class the guard acted on (the stronger of the tool's and its effect's). */
  classification: string;
  /** Where it acted: tenant and, for a project change, the project. */
  scope: { tenant?: string; project?: string };
  /** The call's arguments, redacted as in the audit line. */
  args: Record<string, unknown>;
  /** `allowed` (no person asked) or `confirmed`, and through which channel the person said yes. */
  decision: string;
  confirmation?: { method: string; outcome: string };
  /** The call's audit line: its 1-based line number and hash in the audit log. */
  audit?: { seq: number; hash: string };
  /** The tool reported part of the change as failed: `after` still says what did happen. */
  partial: boolean;
  /** Live state right before the change was sent. */
  before: JournalState;
  /** Live state right after; absent when it could not be read (`afterError` says why). */
  after?: JournalState;
  afterError?: string;
  /**
   * Ed25519 signature (base64url) with the audit log's key over the entry's audit line number and the sha256 of
   * its canonical JSON without `sig`: an entry written or edited by hand does not verify, and is never undone.
   */
  sig?: string;
}

/** Signs and checks journal entries with the audit log's key (AuditLog.journalSeal); the key never leaves it. */
export interface JournalSeal {
  sign(seq: number, digest: string): string;
  verify(seq: number, digest: string, sig: string): boolean;
}

/** What an entry's signature covers: the sha256 (hex) of its canonical JSON without `sig`. */
export function entryDigest(entry: JournalEntry): string {
  const { sig: _sig, ...signed } = entry;
  return createHash('sha256').update(canonicalJson(signed)).digest('hex');
}

/** What tools read of the journal (list_recent_changes, undo_change). */
export interface JournalReader {
  /** Every entry, oldest first; lines that are not an entry (a torn last line) are skipped. */
  entries(): JournalEntry[];
  find(id: string): JournalEntry | undefined;
  /**
   * Why `entry` is not one this server's key signed (no signature, a signature that does not verify, or no key
   * to check it with); undefined when it verifies.
   */
  unsealed(entry: JournalEntry): string | undefined;
}

export class ChangeJournal implements JournalReader {
  private seal: JournalSeal | undefined;

  constructor(readonly path: string) {
    mkdirSync(dirname(path), { recursive: true });
  }

  /** The guard gives its audit log's seal: entries appended from then on are signed, and read ones checked. */
  sealWith(seal: JournalSeal): void {
    this.seal = seal;
  }

  unsealed(entry: JournalEntry): string | undefined {
    if (this.seal === undefined) return 'this server has no audit key to check journal entries with';
    if (typeof entry.sig !== 'string') return 'the entry carries no signature, so this server did not write it';
    return this.seal.verify(entry.audit?.seq ?? 0, entryDigest(entry), entry.sig)
      ? undefined
      : "the entry's signature does not verify with this server's audit key: it was written or edited by hand, or by a server with another key";
  }

  /** Appends one entry, on disk before the call's answer leaves; a torn last line of a crashed writer stays alone. */
  append(entry: JournalEntry): void {
    const { sig: _sig, ...unsigned } = entry;
    const sealed: JournalEntry =
      this.seal === undefined
        ? unsigned
        : { ...unsigned, sig: this.seal.sign(unsigned.audit?.seq ?? 0, entryDigest(unsigned)) };
    withFileLock(`${this.path}.lock`, () => {
      const line = `${JSON.stringify(sealed)}\n`;
      appendFileSync(this.path, endsTorn(this.path) ? `\n${line}` : line, { mode: 0o600 });
    });
  }

  entries(): JournalEntry[] {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    return text.split('\n').flatMap((line) => {
      if (line === '') return [];
      try {
        const entry = JSON.parse(line) as JournalEntry;
        return typeof entry?.id === 'string' && typeof entry.tool === 'string' ? [entry] : [];
      } catch {
        return [];
      }
    });
  }

  find(id: string): JournalEntry | undefined {
    return this.entries().find((entry) => entry.id === id);
  }
}

/** Whether the file's last byte is not a newline (a writer died mid-line). */
function endsTorn(path: string): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
  try {
    const { size } = fstatSync(fd);
    if (size === 0) return false;
    const last = Buffer.alloc(1);
    readSync(fd, last, 0, 1, size - 1);
    return last[0] !== 0x0a;
  } finally {
    closeSync(fd);
  }
}
