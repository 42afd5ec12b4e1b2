import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { counted } from './grammar.js';
import { type AuditFinding, verifyAuditLog } from './guards/index.js';

/** Exit codes of `verify-audit`, as the README documents them. */
export const VERIFY_EXIT = { intact: 0, tampered: 1, usage: 2, unreadable: 3, nothing: 4 } as const;

const OPTIONS = {
  'public-key': { type: 'string' },
  'signing-key': { type: 'string' },
  checkpoint: { type: 'string' },
} as const;
const USAGE =
  'usage: visier-admin-mcp verify-audit FILE [--public-key FILE | --signing-key FILE] [--checkpoint FILE]\n';

function describe(finding: AuditFinding): string {
  const through = finding.through === undefined ? '' : ` (through line ${finding.through})`;
  return `  line ${finding.line}: ${finding.kind}: ${finding.detail}${through}`;
}

/**
 * `verify-audit FILE [--public-key FILE] [--checkpoint FILE]`: checks the log's lines, signatures and
 * checkpoints (see verifyAuditLog), with the key given, the signing key or `.pub` beside the log, else the one an
 * anchored checkpoint carries; prints "audit log intact" on stdout, or what it found wrong on stderr, one
 * line per finding.
 */
export async function verifyAuditCommand(argv: string[]): Promise<number> {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true });
  } catch (error) {
    process.stderr.write(`visier-admin-mcp verify-audit: ${(error as Error).message}\n${USAGE}`);
    return VERIFY_EXIT.usage;
  }
  const [file, ...extra] = parsed.positionals;
  if (file === undefined || extra.length > 0) {
    process.stderr.write(USAGE);
    return VERIFY_EXIT.usage;
  }
  const { 'public-key': publicKeyFile, 'signing-key': signingKey, checkpoint: checkpointFile } = parsed.values;
  // Without a key given, a signing key kept beside the log (the default layout: both in the state directory)
  // is trusted where this user can read it, so a log re-signed with another key and a swapped .pub is caught.
  // Another key is never looked for elsewhere: a copied log would then read as re-keyed.
  const signingKeyFile = signingKey ?? join(dirname(file), 'audit-key.pem');
  const result = await verifyAuditLog(file, {
    ...(publicKeyFile === undefined ? { signingKeyFile } : { publicKeyFile }),
    ...(checkpointFile === undefined ? {} : { checkpointFile }),
  });
  if (result.nothing !== undefined) {
    // Not tampering: there is no log to judge (a typo in the path, or a server that never ran here).
    process.stderr.write(`audit log NOT VERIFIED: no such file: ${result.nothing}\n`);
    return VERIFY_EXIT.nothing;
  }
  if (result.unreadable !== undefined) {
    process.stderr.write(`audit log NOT VERIFIED: ${result.unreadable}\n`);
    return VERIFY_EXIT.unreadable;
  }
  if (result.ok) {
    const trust =
      result.keyFrom === 'beside the log'
        ? ' (checked against the public key beside the log only: keep a copy elsewhere and pass --public-key)'
        : result.keyFrom === 'the anchored checkpoint'
          ? ` (the public key carried by the checkpoint in ${checkpointFile}: as trustworthy as the anchor that kept it)`
          : '';
    // The verdict a script reads; problems go to stderr.
    process.stdout.write(`audit log intact: ${counted(result.lines, 'line')}, signed by key ${result.keyId}${trust}\n`);
    return VERIFY_EXIT.intact;
  }
  process.stderr.write(
    `audit log TAMPERED (${counted(result.lines, 'line')}, key ${result.keyId}):\n${result.findings.map(describe).join('\n')}\n`,
  );
  return VERIFY_EXIT.tampered;
}
