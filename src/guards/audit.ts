import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { constants, mkdirSync, type Stats } from 'node:fs';
import { dirname, join } from 'node:path';
import type pino from 'pino';
import type { Person } from '../auth/person.js';
import { counted } from '../grammar.js';
import type { JournalSeal } from '../journal/journal.js';
import type { ApprovalTrail } from './approval-desk.js';
import type { AuditAnchor } from './audit-anchor.js';
import { GENESIS, type SealedLine, sealLine } from './audit-chain.js';
import {
  type Checkpoint,
  checkpointPathOf,
  checkpointText,
  type LogState,
  type Mismatch,
  readCheckpointText,
  reconcile,
} from './audit-checkpoint.js';
import { FollowedFile, statOf } from './audit-files.js';
import {
  AuditKeyError,
  type AuditSigner,
  keyId,
  loadOrCreatePrivateKey,
  publicKeyPem,
  publishOnce,
  readPublicKey,
  signerOf,
  verifyStatement,
} from './audit-key.js';
import { withFileLock } from './audit-lock.js';

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
  confirmation?: {
    method: 'elicitation' | 'token' | 'input-request' | 'web' | 'app';
    outcome: string;
    /** A digest of the confirmation token, input-request state or view approval issued (never the value itself). */
    token?: string;
    /** Decided on the approvals page: the requester, every approver (and a denier), and the count required. */
    approvals?: ApprovalTrail;
  };
  client?: { name?: string; version?: string };
  sessionId?: string;
  /**
   * The person an OAuth access token named (issuer, subject; e-mail and name as the issuer's claims said them):
   * on every line of a call made with such a token. Absent for a static bearer, loopback or stdio.
   */
  caller?: Person;
  counts?: { succeeded?: number; failed?: number };
  rci?: string;
  durationMs: number;
  isError: boolean;
}

/** Where one line sits in the log: its 1-based line number and its chain hash. */
export interface AuditLineRef {
  seq: number;
  hash: string;
}

export type AuditDecision = 'allowed' | 'refused' | 'confirmation-required' | 'confirmed' | 'declined';

/**
 * Written by a server that found the log not matching its last checkpoint (lines cut, rewritten or added
 * by someone without the key, or the checkpoint gone): what it expected and what it found, signed, so the
 * break stays on record after the chain goes on.
 */
export interface AuditGap {
  time: string;
  event: 'gap';
  reason: Mismatch['reason'];
  expected?: { lines: number; head: string };
  found: { lines: number; head: string };
}

export interface AuditOptions {
  /** Append-only JSON lines file; created with its folders if missing. */
  path?: string;
  /** Alternatively (tests, benchmarks), a stream that receives each line, signed with a key of this process. */
  stream?: NodeJS.WritableStream;
  /** Ed25519 private key file (PKCS#8 PEM), created mode 0600 on first use. Default: audit-key.pem beside the log. */
  keyFile?: string;
  /** Where each checkpoint is also sent, outside this machine. */
  anchor?: AuditAnchor;
  /** Start-up line (the public key), gap warnings. */
  logger?: pino.Logger;
}

/** The key beside the log is not this server's: its lines would not verify against the key people check. */
function publishPublicKey(path: string, signer: AuditSigner): string {
  const pub = `${path}.pub`;
  if (!publishOnce(pub, publicKeyPem(signer.publicKey), 0o644)) {
    const existing = readPublicKey(pub);
    if (existing === undefined || keyId(existing) !== keyId(signer.publicKey)) {
      throw new AuditKeyError(
        `audit log ${path} is signed with another key (${pub}); give this server that key (--audit-key) or another --audit-log`,
      );
    }
  }
  return pub;
}

/**
 * Append-only, hash-chained, signed JSON lines (format in audit-chain.ts). Each append, under a lock file
 * shared by every server on the same log, checks the log is as this process left it (if not, takes up the
 * head the checkpoint beside it names), appends one line and overwrites the checkpoint. So several servers
 * share one file and one chain, and
 * each line is on disk before the call's answer leaves. A log that does not match its checkpoint (at start-up
 * or between appends) gets a signed gap line and a warning, never a silent continuation.
 */
export class AuditLog {
  private readonly signer: AuditSigner;
  private readonly keyId: string;
  /** The public key as SPKI DER in base64: the .pub file's body, and what each anchored checkpoint carries. */
  private readonly publicKey: string;
  private state: LogState = { lines: 0, head: GENESIS, bytes: 0 };
  /** The log's inode after this process's last append: same file and size means no other writer since. */
  private appended: { ino: number; bytes: number } | undefined;
  private files: { log: FollowedFile; checkpoint: FollowedFile } | undefined;

  constructor(private readonly options: AuditOptions) {
    const { path, stream, logger } = options;
    if (stream === undefined && path === undefined) throw new Error('audit log: give a path or a stream');
    let privateKey: KeyObject;
    if (path === undefined) {
      privateKey = generateKeyPairSync('ed25519').privateKey;
    } else {
      mkdirSync(dirname(path), { recursive: true });
      privateKey = loadOrCreatePrivateKey(options.keyFile ?? join(dirname(path), 'audit-key.pem'));
    }
    this.signer = signerOf(privateKey);
    this.keyId = keyId(this.signer.publicKey);
    this.publicKey = this.signer.publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
    if (path === undefined) return;
    this.files = {
      log: new FollowedFile(path, constants.O_WRONLY | constants.O_APPEND),
      checkpoint: new FollowedFile(checkpointPathOf(path), constants.O_WRONLY),
    };
    const publicKey = publishPublicKey(path, this.signer);
    logger?.info(
      {
        auditLog: path,
        publicKeyFile: publicKey,
        keyId: this.keyId,
        // The body of the .pub file, to compare with a copy kept elsewhere.
        publicKey: this.publicKey,
      },
      'audit log signed with Ed25519; verify with visier-admin-mcp verify-audit',
    );
    // The log exists from start-up on, even before its first line.
    this.ensureWritable();
  }

  /**
   * Throws (AuditLogLocked, or the file system's error) when an append could not be made now: the guard asks
   * before sending a change, so that no change goes out while its line could not follow.
   */
  ensureWritable(): void {
    const { path } = this.options;
    if (path === undefined) return;
    withFileLock(`${path}.lock`, () => this.files?.log.open(this.catchUp(path)));
  }

  /** The seal of change journal entries: signed with this log's key, checked against its public half. */
  journalSeal(): JournalSeal {
    const { signer } = this;
    return {
      sign: (seq, digest) => signer.sign('journal-entry', seq, digest),
      verify: (seq, digest, sig) => verifyStatement(signer.publicKey, 'journal-entry', seq, digest, sig),
    };
  }

  /** Appends the call's line; returns its line number and hash (what a change journal entry links to). */
  write(record: AuditRecord): AuditLineRef {
    const { path, stream } = this.options;
    if (path === undefined) {
      this.append(record, (line) => (stream as NodeJS.WritableStream).write(`${line.text}\n`));
    } else {
      withFileLock(`${path}.lock`, () => this.appendToFile(record, '', this.catchUp(path)));
    }
    return { seq: this.state.lines, hash: this.state.head };
  }

  /** Appends `entry`; returns the log's new checkpoint when a file or an anchor takes one. */
  private append(entry: object, put: (line: SealedLine) => void, prefix = ''): Checkpoint | undefined {
    const seq = this.state.lines + 1;
    const line = sealLine(entry, seq, this.state.head, this.signer);
    put(line);
    this.state = {
      lines: seq,
      head: line.hash,
      bytes: this.state.bytes + Buffer.byteLength(prefix) + Buffer.byteLength(line.text) + 1,
    };
    if (this.files === undefined && this.options.anchor === undefined) return undefined;
    const checkpoint = this.checkpoint();
    // The key goes with each checkpoint: once a pod and its volume are gone, the anchor alone verifies its log.
    this.options.anchor?.send({ ...checkpoint, key: this.keyId, publicKey: this.publicKey });
    return checkpoint;
  }

  /** The log as it stands, signed as a checkpoint (a second signature: a line's own never is one). */
  private checkpoint(): Checkpoint {
    const { lines, head } = this.state;
    return { lines, head, sig: this.signer.sign('audit-checkpoint', lines, head) };
  }

  private writeCheckpoint(checkpoint = this.checkpoint()): void {
    const files = this.files as NonNullable<typeof this.files>;
    files.checkpoint.write(checkpointText({ ...checkpoint, bytes: this.state.bytes, key: this.keyId }), undefined, 0);
  }

  private appendToFile(entry: object, prefix: string, stat: Stats | undefined): void {
    const files = this.files as NonNullable<typeof this.files>;
    let ino = 0;
    const checkpoint = this.append(entry, (line) => (ino = files.log.write(`${prefix}${line.text}\n`, stat)), prefix);
    this.writeCheckpoint(checkpoint);
    this.appended = { ino, bytes: this.state.bytes };
  }

  /**
   * Under the lock, before an append: when the log is no longer as this process left it, takes up the head
   * another writer left, or records a gap when the log is not what its checkpoint signs.
   */
  private catchUp(path: string): Stats | undefined {
    const stat = statOf(path);
    const bytes = stat?.size ?? 0;
    if (stat !== undefined && stat.ino === this.appended?.ino && bytes === this.appended.bytes) return stat;
    const found = reconcile(path, stat?.size, readCheckpointText(path), this.signer.publicKey);
    if (!('reason' in found)) {
      const { fresh, ...state } = found;
      this.state = state;
      // A new log is signed as empty before it exists: an empty log without a checkpoint is then never
      // a log nobody wrote yet, but one whose lines and checkpoint were removed.
      if (fresh) this.writeCheckpoint();
      return stat;
    }
    this.state = { lines: found.found.lines, head: found.found.head, bytes };
    const gap: AuditGap = {
      time: new Date().toISOString(),
      event: 'gap',
      reason: found.reason,
      ...(found.expected ? { expected: found.expected } : {}),
      found: { lines: found.found.lines, head: found.found.head },
    };
    const { time: _time, ...facts } = gap;
    this.options.logger?.warn(
      { auditLog: path, ...facts },
      `audit log does not match its last checkpoint (${found.expected ? `expected ${counted(found.expected.lines, 'line')}` : found.reason}, found ${counted(found.found.lines, 'line')}); recorded a signed gap line`,
    );
    this.appendToFile(gap, found.torn ? '\n' : '', stat);
    return statOf(path);
  }
}
