import type { PrivilegedPolicy } from './define.js';

// An administrative permission by its name: Visier's seeded "Admin (Full Access)" and names like it.
const ADMINISTRATIVE_NAME = /\badmin(istrator|istrative)?\b|\bfull access\b|\bsuperuser\b/i;

/**
 * The default policy, or exactly the permission ids (or display names) the operator lists in
 * `--privileged-permissions`.
 */
export function privilegedPolicy(listed?: readonly string[]): PrivilegedPolicy {
  if (listed !== undefined && listed.length > 0) {
    const named = new Set(listed);
    return {
      isPrivileged: (p) => named.has(p.permissionId) || (p.displayName !== undefined && named.has(p.displayName)),
    };
  }
  return { isPrivileged: (p) => p.displayName !== undefined && ADMINISTRATIVE_NAME.test(p.displayName) };
}
