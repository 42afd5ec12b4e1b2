// Whether the OpenAPI contract tests run, skip or fail. A developer without the reference spec checked out skips
// them with a notice; CI must not: a contract suite that silently skips there checks nothing, so it fails.

export type SpecVerdict = { kind: 'run' } | { kind: 'skip' | 'fail'; reason: string };

/** CI set to anything but '', '0' or 'false' (GitHub Actions, GitLab CI and most runners set CI=true). */
export function inCi(env: Readonly<Record<string, string | undefined>>): boolean {
  const value = env.CI?.trim().toLowerCase();
  return value !== undefined && value !== '' && value !== '0' && value !== 'false';
}

/**
 * `missing`: the spec files not found; `where`: where they are expected, as the reason should show it. Run when
 * none is missing; otherwise fail under CI and skip elsewhere, either way naming the files and where.
 */
export function specVerdict(
  env: Readonly<Record<string, string | undefined>>,
  missing: readonly string[],
  where: string,
): SpecVerdict {
  if (missing.length === 0) return { kind: 'run' };
  const reason = `Visier OpenAPI spec not found: expected ${missing.join(', ')} in ${where}`;
  return inCi(env)
    ? {
        kind: 'fail',
        reason: `${reason}. CI=${env.CI}: the contract tests must run there, so they fail instead of skipping`,
      }
    : { kind: 'skip', reason: `${reason}; contract tests skipped (under CI they fail)` };
}
