import { hash } from 'node:crypto';
import type { AuditSigner } from './audit-key.js';

// The line format: each entry's JSON with, appended in this order, `seq` (its 1-based line number), `prev`
// (the hash of the line before, GENESIS for the first), `hash` = sha256(prev + the line's text up to and
// including `prev`, closed with `}`) and `sig`, the Ed25519 signature of the statement "line seq has this hash"
// (audit-key.ts): a line the key did not sign is visible as such. A line's signature is not a checkpoint's
// (the statement's kind is signed too), so no kept line can vouch that the log ended with it.

export const GENESIS = '0'.repeat(64);

const SEALED_SUFFIX = /,"hash":"([0-9a-f]{64})","sig":"([A-Za-z0-9_-]+)"}$/;

export function chainHash(prev: string, body: string): string {
  return hash('sha256', prev + body);
}

export interface SealedLine {
  text: string;
  hash: string;
  sig: string;
}

/** `entry` as line number `seq` after the line whose hash is `prev`, signed. */
export function sealLine(entry: object, seq: number, prev: string, signer: AuditSigner): SealedLine {
  const json = JSON.stringify(entry);
  const body = `${json.slice(0, -1)}${json === '{}' ? '' : ','}"seq":${seq},"prev":"${prev}"}`;
  const digest = chainHash(prev, body);
  const sig = signer.sign('audit-line', seq, digest);
  return { text: `${body.slice(0, -1)},"hash":"${digest}","sig":"${sig}"}`, hash: digest, sig };
}

export type ParsedLine =
  | {
      sealed: true;
      entry: Record<string, unknown>;
      seq: unknown;
      prev: unknown;
      hash: string;
      sig: string;
      /** The text the hash covers. */
      body: string;
    }
  | { sealed: false; problem: string };

export function parseLine(text: string): ParsedLine {
  let entry: unknown;
  try {
    entry = JSON.parse(text);
  } catch {
    return { sealed: false, problem: 'is not valid JSON' };
  }
  if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) {
    return { sealed: false, problem: 'is not a JSON object' };
  }
  const suffix = SEALED_SUFFIX.exec(text);
  if (suffix === null) return { sealed: false, problem: 'does not end with a hash and a signature' };
  const { seq, prev } = entry as { seq?: unknown; prev?: unknown };
  return {
    sealed: true,
    entry: entry as Record<string, unknown>,
    seq,
    prev,
    hash: suffix[1] as string,
    sig: suffix[2] as string,
    body: `${text.slice(0, suffix.index)}}`,
  };
}

/** What the next line chains to: the line's own hash, or for a line without one, the hash of its bytes. */
export function headOf(text: string, parsed: ParsedLine = parseLine(text)): string {
  return parsed.sealed ? parsed.hash : hash('sha256', text);
}
