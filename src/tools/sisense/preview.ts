import type { ImpactTarget } from '../../contract/tool.js';
import { type Group, isPrivilegedGroup, sameName, type User } from '../../providers/sisense/domain.js';
import { SisenseApiError } from '../../providers/sisense/errors.js';
import { quoted, quotedList } from '../shared/format.js';
import { isNotFound } from '../visier/preview.js';
import { siteOf, type ToolContext } from './define.js';

// Live reads and dry runs shared by the previews of Sisense's change tools. What a target is and holds now
// (identity and groups) goes into `before`, which the guard's fingerprint covers; what the dry run answered goes
// into `after`, so it informs the person without voiding an approval.

/** What a preview's `after` says when Sisense's test_mode=true accepted the change. */
export const DRY_RUN_ACCEPTED = 'dry run (test_mode=true): Sisense accepted it; nothing stored yet';

/**
 * Sends the change with test_mode=true. When Sisense refuses it, throws an Error carrying Sisense's reason, which
 * the guard turns into a refusal (preview-failed) without asking anyone: a change Sisense would refuse is not
 * worth a person's approval.
 */
export async function dryRun(run: () => Promise<unknown>): Promise<string> {
  try {
    await run();
    return DRY_RUN_ACCEPTED;
  } catch (error) {
    if (error instanceof SisenseApiError && error.status !== undefined && error.status < 500) {
      throw new Error(`Sisense's dry run (test_mode=true) refused this change: ${error.message}`);
    }
    throw error;
  }
}

/** As dryRun, for one item of many: the refusal becomes that item's line instead of stopping the preview. */
export async function dryRunItem(run: () => Promise<unknown>): Promise<string> {
  try {
    return await dryRun(run);
  } catch (error) {
    if (error instanceof SisenseApiError) throw error;
    return (error as Error).message;
  }
}

/** The user, or undefined when Sisense answers 404. */
export async function currentUser(ctx: ToolContext, email: string): Promise<User | undefined> {
  const { client, options } = siteOf(ctx);
  try {
    return await client.getUser(email, options);
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

/** `Dana Whitfield`, or undefined when Sisense sent no name: a target's `name`, which the guard quotes. */
export function fullName(user: Pick<User, 'firstName' | 'lastName'>): string | undefined {
  return [user.firstName, user.lastName].filter((n) => n !== undefined).join(' ') || undefined;
}

/** `dana@x.example "Dana Whitfield"`: who a user is, directory text quoted. */
export function identityOf(user: Pick<User, 'email' | 'firstName' | 'lastName'>): string {
  const name = fullName(user);
  return `${user.email}${name ? ` ${quoted(name)}` : ''}`;
}

export function groupsLine(groups: readonly string[]): string {
  return `groups: ${groups.length ? quotedList(groups) : 'none'}`;
}

/** A user's current state as `before` lines: identity, then groups in a stable order. */
export function userBefore(user: User): string[] {
  return [`identity: ${identityOf(user)}`, groupsLine([...user.groups].sort())];
}

export function missingUser(email: string): ImpactTarget {
  return { kind: 'user', id: email, missing: true, before: ['not found'] };
}

/** Groups of the call's site by folded name: what each grants. */
export async function siteGroups(ctx: ToolContext): Promise<Group[]> {
  const { client, options } = siteOf(ctx);
  return client.listGroups(options);
}

/** Of `names`, those whose membership makes a user an Admin (Administrators, or an Admin-level group). */
export function privilegedAmong(names: readonly string[], groups: readonly Group[]): string[] {
  return names.filter((n) => {
    const group = groups.find((g) => sameName(g.name, n));
    return isPrivilegedGroup(group ?? { name: n, accessLevel: undefined });
  });
}

/** The elevated reasons of joining `privileged` groups. */
export function joinsPrivileged(privileged: readonly string[]): string[] {
  return privileged.map((g) => `joins ${quoted(g)}: becomes an Admin of the site`);
}

/** The `privilegedGrants` of a preview: each privileged group once, named as the person reads it. */
export function grantNames(privileged: readonly string[]): string[] {
  return [...new Set(privileged.map((g) => `Admin access (group ${quoted(g)})`))];
}
