import { createPublicKey, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { counted } from '../grammar.js';
import { chainHash, GENESIS, headOf, type ParsedLine, parseLine } from './audit-chain.js';
import { type Checkpoint, checkpointPathOf, checkpointSigned, parseCheckpoint } from './audit-checkpoint.js';
import { keyId, readPublicKey, readSigningPublicKey, verifyStatement } from './audit-key.js';

/**
 * - truncated: the log ends before the line count a valid checkpoint signs;
 * - rewritten: a line a valid signature covers (a checkpoint or a later signed line) was edited, removed,
 *   inserted or reordered, or replaced with re-computed hashes it cannot sign;
 * - forged: a line past everything signed that the key did not sign (unsigned, badly signed, not chained);
 * - forged checkpoint: a checkpoint (beside the log or from the anchor) the key did not sign as one (a line's
 *   own signature is not a checkpoint's);
 * - no checkpoint: the checkpoint beside an existing log (even an empty one) is gone, so cut lines would go
 *   unnoticed;
 * - no log: the log is gone while a checkpoint of it exists;
 * - gap: a server found the log not matching its last checkpoint and said so in a signed line;
 * - replaced key: the public key beside the log is not the signing key's (the log re-signed with another key).
 */
export type AuditFindingKind =
  | 'truncated'
  | 'rewritten'
  | 'forged'
  | 'forged checkpoint'
  | 'no checkpoint'
  | 'no log'
  | 'gap'
  | 'replaced key';

export interface AuditFinding {
  kind: AuditFindingKind;
  /** 1-based line number. */
  line: number;
  /** Last line of a run of lines with the same finding. */
  through?: number;
  detail: string;
}

export interface AuditVerification {
  ok: boolean;
  lines: number;
  /** Id of the public key the signatures were checked with. */
  keyId?: string;
  /**
   * Where that key came from: given (`--public-key`), the server's signing key, or only the `.pub` beside the
   * log, which whoever can rewrite the log can also replace (a re-keyed log then reads intact).
   */
  keyFrom?: 'given' | 'signing key' | 'beside the log' | 'the anchored checkpoint';
  findings: AuditFinding[];
  /** Set when the log, the key or a checkpoint given could not be read: nothing was judged. */
  unreadable?: string;
  /**
   * Set when neither the log nor its checkpoint exists, and no checkpoint was given: a log never written,
   * or one removed with its checkpoint, which only a checkpoint kept elsewhere (the anchor's) can tell apart.
   */
  nothing?: string;
}

export interface VerifyOptions {
  /** The trusted public key (SPKI PEM). Default: `<log>.pub`, which whoever can rewrite the log can replace. */
  publicKeyFile?: string;
  /**
   * The server's private signing key, when readable here: without `publicKeyFile`, its public key is the
   * trusted one, and a `.pub` beside the log that differs is reported as `replaced key`.
   */
  signingKeyFile?: string;
  /** A checkpoint kept elsewhere (the anchor's last), as JSON or a syslog message. */
  checkpointFile?: string;
}

const short = (head: string) => `${head.slice(0, 12)}…`;

interface SourcedCheckpoint extends Checkpoint {
  source: string;
}

async function readText(path: string, what: string): Promise<string | { unreadable: string; missing: boolean }> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { unreadable: `cannot read the ${what} ${path}: ${code ?? 'error'}`, missing: code === 'ENOENT' };
  }
}

/**
 * The problem with line `n`, or undefined if it is a correctly numbered, chained, hashed and signed line.
 * `prev` is undefined after a line without a hash: that line is reported, and this one is judged on its own.
 */
function lineProblem(line: ParsedLine, n: number, prev: string | undefined, key: KeyObject): string | undefined {
  if (!line.sealed) return line.problem;
  if (line.seq !== n) return `carries seq ${String(line.seq)}: lines before it were removed or inserted`;
  if (prev !== undefined && line.prev !== prev) return 'does not chain to the line before it';
  if (line.hash !== chainHash(String(line.prev), line.body)) return 'has a hash that does not match its content';
  if (!verifyStatement(key, 'audit-line', n, line.hash, line.sig)) return `is not signed by key ${keyId(key)}`;
  return undefined;
}

/** Merges runs of consecutive lines with the same kind into one finding. */
function collapse(findings: AuditFinding[]): AuditFinding[] {
  const merged: AuditFinding[] = [];
  for (const finding of findings) {
    const last = merged.at(-1);
    if (last?.kind === finding.kind && finding.kind !== 'gap' && (last.through ?? last.line) + 1 === finding.line) {
      last.through = finding.line;
    } else {
      merged.push({ ...finding });
    }
  }
  return merged;
}

/**
 * Checks every line (number, chain, hash, signature), the checkpoint beside the log and, if given, one kept
 * elsewhere; reports what was found, by kind and line. Reads the whole file.
 */
/**
 * The public key a checkpoint kept elsewhere carries (SPKI DER, base64, as the anchor receives it), when its id is
 * the one the checkpoint states: with the pod's volume gone it is the key left to check the log with, trusted as
 * far as the anchor is. Undefined when there is no such checkpoint or key.
 */
async function keyOfAnchored(options: VerifyOptions): Promise<KeyObject | undefined> {
  if (options.checkpointFile === undefined) return undefined;
  const text = await readText(options.checkpointFile, 'checkpoint');
  const checkpoint = typeof text === 'string' ? parseCheckpoint(text) : undefined;
  if (checkpoint?.publicKey === undefined) return undefined;
  try {
    const key = createPublicKey({ key: Buffer.from(checkpoint.publicKey, 'base64'), format: 'der', type: 'spki' });
    return key.asymmetricKeyType === 'ed25519' && keyId(key) === checkpoint.key ? key : undefined;
  } catch {
    return undefined;
  }
}

/** The public half of the signing key at `file`, when it is there and readable; undefined otherwise. */
const publicKeyOfSigningKey = (file: string | undefined) =>
  file === undefined ? undefined : readSigningPublicKey(file);

export async function verifyAuditLog(path: string, options: VerifyOptions = {}): Promise<AuditVerification> {
  const content = await readText(path, 'audit log');
  const local = await readText(checkpointPathOf(path), 'checkpoint');
  if (typeof content !== 'string' && !content.missing) return { ok: false, lines: 0, findings: [], ...content };
  if (typeof content !== 'string' && typeof local !== 'string' && options.checkpointFile === undefined) {
    return { ok: false, lines: 0, findings: [], nothing: `neither ${path} nor its checkpoint exists` };
  }
  const keyFile = options.publicKeyFile ?? `${path}.pub`;
  const beside = readPublicKey(keyFile);
  const signing = options.publicKeyFile === undefined ? publicKeyOfSigningKey(options.signingKeyFile) : undefined;
  const anchored =
    signing === undefined && beside === undefined && options.publicKeyFile === undefined
      ? await keyOfAnchored(options)
      : undefined;
  const key = signing ?? beside ?? anchored;
  if (key === undefined) {
    return {
      ok: false,
      lines: 0,
      findings: [],
      unreadable: `cannot read an Ed25519 public key from ${keyFile}${options.checkpointFile === undefined ? '' : ` nor from the checkpoint in ${options.checkpointFile}`}`,
    };
  }
  const keyFrom =
    options.publicKeyFile !== undefined
      ? 'given'
      : signing !== undefined
        ? 'signing key'
        : beside !== undefined
          ? 'beside the log'
          : 'the anchored checkpoint';
  const lines = typeof content === 'string' ? content.split('\n') : [];
  if (lines.at(-1) === '') lines.pop();
  const checkpoints: SourcedCheckpoint[] = [];
  const findings: AuditFinding[] = [];
  if (signing !== undefined && beside !== undefined && keyId(beside) !== keyId(signing)) {
    findings.push({
      kind: 'replaced key',
      line: 1,
      detail: `the public key beside the log (${keyId(beside)}) is not the signing key's (${keyId(signing)})`,
    });
  }
  if (typeof content !== 'string') {
    findings.push({ kind: 'no log', line: 1, detail: `the log ${path} is missing while a checkpoint of it exists` });
  }
  const sources: [string, string][] = typeof local === 'string' ? [[local, 'the checkpoint beside the log']] : [];
  if (options.checkpointFile !== undefined) {
    const given = await readText(options.checkpointFile, 'checkpoint');
    if (typeof given !== 'string') return { ok: false, lines: 0, findings: [], unreadable: given.unreadable };
    if (parseCheckpoint(given) === undefined) {
      return {
        ok: false,
        lines: 0,
        findings: [],
        unreadable: `no checkpoint (lines, head, sig) in ${options.checkpointFile}`,
      };
    }
    sources.push([given, `the checkpoint in ${options.checkpointFile}`]);
  }
  for (const [text, source] of sources) {
    const checkpoint = parseCheckpoint(text);
    if (checkpoint !== undefined && checkpointSigned(key, checkpoint)) {
      checkpoints.push({ ...checkpoint, source });
    } else {
      const asLine =
        checkpoint !== undefined &&
        verifyStatement(key, 'audit-line', checkpoint.lines, checkpoint.head, checkpoint.sig);
      findings.push({
        kind: 'forged checkpoint',
        line: Math.max(1, checkpoint?.lines ?? lines.length),
        detail: asLine
          ? `${source} carries line ${checkpoint.lines}'s own signature, which signs that line, not the end of the log`
          : `${source} is not signed by key ${keyId(key)}`,
      });
    }
  }

  const heads: string[] = [];
  const problems: (string | undefined)[] = [];
  let prev: string | undefined = GENESIS;
  for (const [index, text] of lines.entries()) {
    const line = parseLine(text);
    problems.push(lineProblem(line, index + 1, prev, key));
    heads.push(headOf(text, line));
    prev = line.sealed ? line.hash : undefined;
  }
  // Everything up to the last line a valid signature covers was signed once: a bad line there was rewritten.
  const lastSigned = problems.lastIndexOf(undefined) + 1;
  const covered = Math.max(lastSigned, ...checkpoints.map((c) => c.lines));
  for (const [index, problem] of problems.entries()) {
    const n = index + 1;
    if (problem !== undefined) {
      findings.push({ kind: n <= covered ? 'rewritten' : 'forged', line: n, detail: `the line ${problem}` });
      continue;
    }
    const entry = JSON.parse(lines[index] as string) as {
      event?: unknown;
      expected?: { lines: number; head: string };
      found: { lines: number; head: string };
    };
    if (entry.event === 'gap') {
      const { expected, found } = entry;
      findings.push({
        kind: 'gap',
        line: n,
        detail: `a server ${expected ? `expected ${counted(expected.lines, 'line')} (head ${short(expected.head)}) by its last checkpoint` : 'found no valid checkpoint'} and found ${counted(found.lines, 'line')} (head ${short(found.head)})`,
      });
    }
  }
  for (const checkpoint of checkpoints) {
    if (checkpoint.lines > lines.length) {
      findings.push({
        kind: 'truncated',
        line: lines.length + 1,
        detail: `the log ends after ${counted(lines.length, 'line')}; ${checkpoint.source} signs ${counted(checkpoint.lines, 'line')}`,
      });
    } else if ((checkpoint.lines === 0 ? GENESIS : heads[checkpoint.lines - 1]) !== checkpoint.head) {
      findings.push({
        kind: 'rewritten',
        line: checkpoint.lines,
        detail: `the log up to here differs from what ${checkpoint.source} signs`,
      });
    }
  }
  // A server signs a 0-line checkpoint before it creates the log: an empty log without one was emptied. A
  // checkpoint kept elsewhere (the anchor's, checked above) stands in for it: a log copied out of a pod that is
  // gone has none beside it.
  if (typeof local !== 'string' && typeof content === 'string' && options.checkpointFile === undefined) {
    findings.push({
      kind: 'no checkpoint',
      line: Math.max(1, lines.length),
      detail: `the checkpoint beside the log is missing: lines cut from the end would go unnoticed${lines.length === 0 ? ' (and a log no server wrote to still has one, for 0 lines)' : ''}`,
    });
  }
  const sorted = collapse(findings.sort((a, b) => a.line - b.line));
  return { ok: sorted.length === 0, lines: lines.length, keyId: keyId(key), keyFrom, findings: sorted };
}
