import type { ImpactPreview } from '../../contract/tool.js';
import { counted } from '../../grammar.js';
import type { UserGroupMembershipRule } from '../../providers/visier/api.js';
import type { DirectorySnapshot } from '../../providers/visier/directory.js';
import type { ToolContext } from './define.js';
import { SCAN_PAGE } from './preview.js';

// How many people a group change reaches: what caps, budgets and the confirmation threshold count instead of
// "one group".

/** How many people a set of groups reaches, and whether that is only an upper bound Visier cannot list. */
export interface Reach {
  peopleReached: number;
  reachUnknown?: boolean;
  /** "all 1204 users", "3 users", "up to 1204 users (a dynamic filter)". */
  phrase: string;
}

/**
 * The people the union of these membership rules reaches. Visier has no user count: an all-users rule costs one
 * pass over the directory, a page (no holdings) per 1,000 users, and counts every user (its exclusions are not
 * subtracted: an upper bound). A dynamic filter cannot be listed (Visier matches it against employee data; the
 * members endpoint lists only users added by hand), so it counts as its upper bound, every user of the tenant,
 * from the same one pass: caps and budgets then apply to the bound, and `reachUnknown` says the count is a bound
 * (the guard always asks a person). With `directory` the count comes from it, at no call.
 */
export async function reachOf(
  ctx: ToolContext,
  rules: readonly (UserGroupMembershipRule | undefined)[],
  directory?: DirectorySnapshot,
): Promise<Reach> {
  const dynamic = rules.some((r) => r?.dynamicFilterDefinition !== undefined);
  if (dynamic || rules.some((r) => r?.includeAllUsers)) {
    // A directory already read counts every user without a call.
    let users = directory?.users.size ?? 0;
    if (directory === undefined) {
      for await (const page of ctx.api.userPages({ pageSize: SCAN_PAGE }, ctx.call)) users += page.length;
    }
    return dynamic
      ? { peopleReached: users, phrase: `up to ${counted(users, 'user')} (a dynamic filter)`, reachUnknown: true }
      : { peopleReached: users, phrase: `all ${counted(users, 'user')}` };
  }
  const people = new Set<string>();
  for (const rule of rules) {
    const excluded = new Set(rule?.manuallyExcludedIds ?? []);
    for (const userId of rule?.manuallyIncludedIds ?? []) if (!excluded.has(userId)) people.add(userId);
  }
  return { peopleReached: people.size, phrase: counted(people.size, 'user') };
}

/** The preview fields that carry reach and privileged grants, omitted when there is nothing to say. */
export function effectFields(
  reach: Reach | undefined,
  privilegedGrants: readonly string[],
): Pick<ImpactPreview, 'peopleReached' | 'reachUnknown' | 'privilegedGrants'> {
  return {
    ...(reach ? { peopleReached: reach.peopleReached } : {}),
    ...(reach?.reachUnknown ? { reachUnknown: true } : {}),
    ...(privilegedGrants.length ? { privilegedGrants: [...new Set(privilegedGrants)] } : {}),
  };
}
