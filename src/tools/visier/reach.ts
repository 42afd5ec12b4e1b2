import type { ImpactPreview } from '../../contract/tool.js';
import { counted } from '../../grammar.js';
import type { EmployeeFilter, User, UserGroupMembershipRule } from '../../providers/visier/api.js';
import type { DirectorySnapshot } from '../../providers/visier/directory.js';
import { quoted } from '../shared/format.js';
import type { ToolContext } from './define.js';
import { SCAN_PAGE } from './preview.js';

// How many people a group change reaches: what caps, budgets and the confirmation threshold count instead of
// "one group".

/** A user a membership rule reaches, as a preview names them. */
export interface ReachedUser {
  userId: string;
  username: string;
  displayName?: string;
}

/** How many people a set of groups reaches, and whether that is only an upper bound Visier cannot list. */
export interface Reach {
  peopleReached: number;
  reachUnknown?: boolean;
  /** "all 1204 users", "3 users (2 through a dynamic filter)", "up to 1204 users (a dynamic filter: …)". */
  phrase: string;
  /** Visier's reason when it would not evaluate a dynamic filter (then `reachUnknown` is set). */
  refused?: string;
  /**
   * The users a rule's dynamic filter reaches, its manual exclusions subtracted, ordered by username; undefined
   * when the rule has no dynamic filter, or one this reach did not evaluate (not among its rules, or refused).
   */
  dynamicMembers(rule: UserGroupMembershipRule | undefined): ReachedUser[] | undefined;
}

/** The filter's conditions, without the id Visier gives a stored filter: what decides whom it matches. */
const filterKey = (filter: EmployeeFilter) =>
  JSON.stringify([filter.analyticObjectId ?? 'Employee', filter.dimensionFilters]);

/** Visier's answer to a query it would not run (no Data Query capability, unknown dimension): its words. */
function refusal(error: unknown): string | undefined {
  const status = (error as { status?: unknown } | null)?.status;
  if (typeof status !== 'number' || status < 400 || status >= 500 || status === 401 || status === 429) return undefined;
  const { localizedMessage, message } = error as { localizedMessage?: string; message?: string };
  return localizedMessage ?? message ?? `HTTP ${status}`;
}

/**
 * The people the union of these membership rules reaches, each rule's manual exclusions subtracted.
 *
 * A dynamic filter is evaluated as Visier evaluates it, against employee data: one Data Query list query per
 * distinct filter (`VisierApi.employeesMatching`) gives the matching employee ids, and the users whose
 * `employeeId` is one of them are reached (a user whose employee id matches no employee is not). An all-users
 * rule, or any dynamic filter, also costs one pass over the directory, a page (no holdings) per 1,000 users.
 * So the Visier calls are the distinct filters plus the directory pages, however many people are reached.
 *
 * When Visier refuses a filter's query (4xx: e.g. the credentials lack the Data Query capability), the reach
 * is its upper bound, every user, with `reachUnknown` and Visier's reason in the phrase: caps and budgets then
 * apply to the bound, and the guard always asks a person. Other failures (network, 5xx, 429) are thrown.
 * With `snapshot` the directory comes from it, at no call.
 */
export async function reachOf(
  ctx: ToolContext,
  rules: readonly (UserGroupMembershipRule | undefined)[],
  snapshot?: DirectorySnapshot,
): Promise<Reach> {
  const filters = new Map<string, EmployeeFilter>();
  for (const rule of rules) {
    for (const filter of rule?.dynamicFilterDefinition?.filters ?? []) filters.set(filterKey(filter), filter);
  }
  const needsDirectory = filters.size > 0 || rules.some((r) => r?.includeAllUsers);
  const [directory, matches] = await Promise.all([
    needsDirectory ? (snapshot ? [...snapshot.users.values()] : allUsers(ctx)) : [],
    Promise.all(
      [...filters].map(async ([key, filter]) => {
        try {
          return { key, employeeIds: new Set(await ctx.api.employeesMatching(filter, ctx.call)) };
        } catch (error) {
          const reason = refusal(error);
          if (reason === undefined) throw error;
          return { key, refused: reason };
        }
      }),
    ),
  ]);
  const refused = matches.find((m) => m.refused !== undefined)?.refused;
  const matched = new Map(matches.map((m) => [m.key, m.employeeIds]));

  const dynamicMembers = (rule: UserGroupMembershipRule | undefined): ReachedUser[] | undefined => {
    const ruleFilters = rule?.dynamicFilterDefinition?.filters;
    const sets = ruleFilters?.map((f) => matched.get(filterKey(f)));
    if (!sets || sets.some((s) => s === undefined)) return undefined;
    const excluded = new Set(rule?.manuallyExcludedIds ?? []);
    return directory
      .filter(
        (u) =>
          u.employeeId !== undefined && !excluded.has(u.userId) && sets.some((s) => s?.has(u.employeeId as string)),
      )
      .map((u) => ({
        userId: u.userId,
        username: u.username,
        ...(u.displayName ? { displayName: u.displayName } : {}),
      }))
      .sort((a, b) => (a.username < b.username ? -1 : a.username > b.username ? 1 : 0));
  };

  if (refused !== undefined) {
    return {
      peopleReached: directory.length,
      reachUnknown: true,
      refused,
      phrase: `up to ${counted(directory.length, 'user')} (a dynamic filter Visier would not evaluate: ${quoted(refused)})`,
      dynamicMembers,
    };
  }
  const people = new Set<string>();
  const throughFilters = new Set<string>();
  for (const rule of rules) {
    const excluded = new Set(rule?.manuallyExcludedIds ?? []);
    const add = (userId: string) => {
      if (!excluded.has(userId)) people.add(userId);
    };
    if (rule?.includeAllUsers) for (const u of directory) add(u.userId);
    for (const userId of rule?.manuallyIncludedIds ?? []) add(userId);
    for (const u of dynamicMembers(rule) ?? []) {
      people.add(u.userId);
      throughFilters.add(u.userId);
    }
  }
  const allReached = rules.some((r) => r?.includeAllUsers) && people.size === directory.length;
  const phrase = allReached
    ? `all ${counted(people.size, 'user')}`
    : filters.size > 0
      ? `${counted(people.size, 'user')} (${throughFilters.size} through a dynamic filter)`
      : counted(people.size, 'user');
  return { peopleReached: people.size, phrase, dynamicMembers };
}

async function allUsers(ctx: ToolContext): Promise<User[]> {
  const users: User[] = [];
  for await (const page of ctx.api.userPages({ pageSize: SCAN_PAGE }, ctx.call)) users.push(...page);
  return users;
}

const NAMED = 10;

/**
 * The users a rule's dynamic filter reaches, as preview lines: how many, and the first few by name (directory
 * text, quoted). Nothing when the rule has no dynamic filter; when Visier would not evaluate it, says so.
 */
export function dynamicReachLines(reach: Reach, rule: UserGroupMembershipRule | undefined): string[] {
  const members = reach.dynamicMembers(rule);
  if (!members) {
    return rule?.dynamicFilterDefinition && reach.refused !== undefined
      ? [`dynamic filter reaches: unknown (Visier would not evaluate it: ${quoted(reach.refused)})`]
      : [];
  }
  const named = members
    .slice(0, NAMED)
    .map((u) => `${quoted(u.displayName ?? u.username)} ${u.userId}`)
    .join(', ');
  const more = members.length > NAMED ? `, and ${members.length - NAMED} more` : '';
  return [`dynamic filter reaches ${counted(members.length, 'user')}${named ? `: ${named}${more}` : ''}`];
}

/** The preview fields that carry reach and privileged grants, omitted when there is nothing to say. */
export function effectFields(
  reach: Pick<Reach, 'peopleReached' | 'reachUnknown'> | undefined,
  privilegedGrants: readonly string[],
): Pick<ImpactPreview, 'peopleReached' | 'reachUnknown' | 'privilegedGrants'> {
  return {
    ...(reach ? { peopleReached: reach.peopleReached } : {}),
    ...(reach?.reachUnknown ? { reachUnknown: true } : {}),
    ...(privilegedGrants.length ? { privilegedGrants: [...new Set(privilegedGrants)] } : {}),
  };
}
