import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  hash,
  type KeyObject,
  sign,
  verify,
} from 'node:crypto';
import { existsSync, linkSync, mkdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

// The signing key of the audit log: Ed25519 (node:crypto), private key as PKCS#8 PEM, public key as SPKI PEM.

/**
 * What a signature covers: the statement's kind, a line count (for a line, its number) and a hash (the head).
 * The kind is part of what is signed, so a line's signature says "line n has this hash" and never "the log
 * ends here": a line kept after a cut cannot stand in for a checkpoint of the shorter log. A change journal entry
 * is signed as `journal-entry` (its audit line number, the sha256 of its canonical JSON), so no audit signature
 * can stand in for an entry's and no entry's for a line's.
 */
export type AuditStatement = 'audit-line' | 'audit-checkpoint' | 'journal-entry';

export function statementText(kind: AuditStatement, lines: number, head: string): Buffer {
  return Buffer.from(`visier-admin-mcp/${kind} v2\n${lines}\n${head}`);
}

export interface AuditSigner {
  readonly publicKey: KeyObject;
  /** base64url Ed25519 signature of the statement (`kind`, `lines`, `head`). */
  sign(kind: AuditStatement, lines: number, head: string): string;
}

export function signerOf(privateKey: KeyObject): AuditSigner {
  return {
    publicKey: createPublicKey(privateKey),
    sign: (kind, lines, head) => sign(null, statementText(kind, lines, head), privateKey).toString('base64url'),
  };
}

export function verifyStatement(
  publicKey: KeyObject,
  kind: AuditStatement,
  lines: number,
  head: string,
  sig: string,
): boolean {
  try {
    return verify(null, statementText(kind, lines, head), publicKey, Buffer.from(sig, 'base64url'));
  } catch {
    return false;
  }
}

/** A short name for a public key, shown at start-up and by verify: sha256 of its SPKI DER, 16 hex digits. */
export function keyId(publicKey: KeyObject): string {
  return hash('sha256', publicKey.export({ type: 'spki', format: 'der' }), 'hex').slice(0, 16);
}

export function publicKeyPem(publicKey: KeyObject): string {
  return publicKey.export({ type: 'spki', format: 'pem' }) as string;
}

/** A key file in the wrong shape or readable by others stops start-up, naming the file and the rule. */
export class AuditKeyError extends Error {
  override readonly name = 'AuditKeyError';
}

/**
 * Publishes `text` at `path` only if nothing is there yet, whole or not at all: written to a temporary file
 * and hard-linked into place, so a second server starting at the same moment reads the first's file, never a
 * half-written one. Returns false when the file already existed.
 */
export function publishOnce(path: string, text: string, mode: number): boolean {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, text, { mode });
  try {
    linkSync(tmp, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return false;
  } finally {
    unlinkSync(tmp);
  }
}

/**
 * Why the key file's permissions let someone other than the server's operator read or replace it, or undefined
 * when they do not. Others may never have any access, nor the group write. The group may read only a file owned
 * by root or by this process's user: a Kubernetes Secret mounted with `defaultMode: 0440` (or 0640) under an
 * `fsGroup` is such a file (root's, read-only, shared with the pod's group on purpose), where a group-readable
 * key of some third user is a mistake. ssh's rule, 0600 and no other, otherwise holds.
 */
function looseness(path: string): string | undefined {
  const { mode, uid } = statSync(path);
  if ((mode & 0o007) !== 0) return 'readable or writable by others; allow only its owner (chmod 600)';
  if ((mode & 0o020) !== 0) return 'writable by its group; allow only its owner (chmod 600)';
  const owners = new Set([0, process.getuid?.()]);
  if ((mode & 0o040) !== 0 && !owners.has(uid)) {
    return `readable by its group while owned by uid ${uid}, neither root nor this server's user; allow only its owner (chmod 600)`;
  }
  return undefined;
}

/**
 * The private key at `path`, created (Ed25519, mode 0600) on first use. Refused if others may read it or the
 * group write it, or the group read it when neither root nor this user owns it (see looseness), or if it is not
 * an Ed25519 private key. The key's text is never logged.
 */
export function loadOrCreatePrivateKey(path: string): KeyObject {
  if (!existsSync(path)) {
    const { privateKey } = generateKeyPairSync('ed25519');
    publishOnce(path, privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, 0o600);
  }
  const loose = process.platform === 'win32' ? undefined : looseness(path);
  if (loose !== undefined) throw new AuditKeyError(`audit key ${path}: ${loose}`);
  let key: KeyObject;
  try {
    key = createPrivateKey(readFileSync(path));
  } catch {
    throw new AuditKeyError(`audit key ${path}: not a PEM private key`);
  }
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new AuditKeyError(`audit key ${path}: must be an Ed25519 key, not ${key.asymmetricKeyType ?? 'unknown'}`);
  }
  return key;
}

/** The public half of an Ed25519 private key file; undefined when it is absent, unreadable or another kind. */
export function readSigningPublicKey(path: string): KeyObject | undefined {
  try {
    const key = createPublicKey(createPrivateKey(readFileSync(path)));
    return key.asymmetricKeyType === 'ed25519' ? key : undefined;
  } catch {
    return undefined;
  }
}

/** Reads a public key (SPKI PEM) as verify takes it; undefined when the file cannot be read or parsed. */
export function readPublicKey(path: string): KeyObject | undefined {
  try {
    return createPublicKey(readFileSync(path));
  } catch {
    return undefined;
  }
}
