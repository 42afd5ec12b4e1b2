import { z } from 'zod';
import type { PrivilegedPolicy } from '../../contract/tool.js';
import { counted } from '../../grammar.js';
import type { DirectorySnapshot, DirectoryUser } from '../../providers/visier/directory.js';
import { instantMs, userLine, withLastLoginIso } from '../shared/format.js';
import { accessOf, type HeldProfile, KIND_WORDS, named, type UserAccess } from './access-paths.js';
import { type PlanRouting, type PlanStep, planLines, planOut, planStep } from './access-plan.js';
import { answerText } from './answer-text.js';
import { defineTool } from './define.js';
import { projectRouting } from './fields.js';
import { asOfOut, freshness } from './freshness.js';
import { userOut } from './schemas.js';
import { candidatesOut, candidatesOutput, resolveUser, userReference } from './user-reference.js';

// Two users side by side, from the directory snapshot, and the exact plan that makes the first match the second:
// "make Lee's access like Sam's".

const itemOut = z.object({
  id: z.string(),
  displayName: z.string().optional(),
  user: z.string().optional().describe('How the user holds it (groups: how they are in it); absent: does not'),
  model: z.string().optional().describe('How the model user holds it; absent: does not'),
});
type Item = z.infer<typeof itemOut>;

const sideBySideOut = z
  .array(itemOut)
  .describe('Every item either holds, each with how the user and the model user hold it');

/** Items of both sides by id, sorted by name; `how` says how one side holds an item. */
function sideBySide<T>(
  user: readonly T[],
  model: readonly T[],
  idOf: (t: T) => string,
  nameOf: (id: string) => string | undefined,
  how: (t: T) => string,
): Item[] {
  const items = new Map<string, Item>();
  const add = (side: 'user' | 'model', t: T) => {
    const id = idOf(t);
    const displayName = nameOf(id);
    const item = items.get(id) ?? { id, ...(displayName !== undefined ? { displayName } : {}) };
    items.set(id, { ...item, [side]: how(t) });
  };
  for (const t of user) add('user', t);
  for (const t of model) add('model', t);
  return [...items.values()].sort(
    (a, b) => (a.displayName ?? a.id).localeCompare(b.displayName ?? b.id) || a.id.localeCompare(b.id),
  );
}

const differs = (item: Item) => item.user !== item.model;
/**
 * Groups compare by what a person can do: in the group or not. How each is in it (by hand, all-users rule,
 * dynamic filter) is shown but is no difference: the group grants the same either way.
 */
const held = (item: Item) => (item.user === undefined) !== (item.model === undefined);
const onlyModel = (items: Item[]) => items.filter((i) => i.model !== undefined && i.user === undefined);
const onlyUser = (items: Item[]) => items.filter((i) => i.user !== undefined && i.model === undefined);

interface Comparison {
  groups: Item[];
  directPermissions: Item[];
  effectivePermissions: Item[];
  profiles: Item[];
}

/** The differences counted: groups by membership alone (`held`), direct permissions and profiles as shown. */
const differencesOf = (c: Comparison) =>
  c.groups.filter(held).length + c.directPermissions.filter(differs).length + c.profiles.filter(differs).length;

/** The model's window of a profile as `assign_profile` takes it: epoch-ms strings; an unreadable time is left out. */
function windowOf(profile: HeldProfile | undefined) {
  const ms = (value: string | undefined) => {
    const at = value === undefined ? undefined : instantMs(value);
    return at === undefined ? undefined : String(at);
  };
  return { validityStartTime: ms(profile?.validityStartTime), validityEndTime: ms(profile?.validityEndTime) };
}

function compare(snapshot: DirectorySnapshot, user: UserAccess, model: UserAccess): Comparison {
  const permissionName = (id: string) => snapshot.permissions.get(id)?.displayName;
  return {
    groups: sideBySide(
      user.groups,
      model.groups,
      (g) => g.userGroupId,
      (id) => snapshot.groups.get(id)?.displayName,
      (g) => KIND_WORDS[g.kind],
    ),
    directPermissions: sideBySide(
      user.direct,
      model.direct,
      (p) => p,
      permissionName,
      () => 'direct',
    ),
    effectivePermissions: sideBySide(
      user.permissions,
      model.permissions,
      (p) => p.permissionId,
      permissionName,
      (p) => `${counted(p.paths.length, 'path')}${p.privileged ? ', privileged' : ''}`,
    ),
    profiles: sideBySide(
      user.profiles,
      model.profiles,
      (p) => p.profileId,
      (id) => [...user.profiles, ...model.profiles].find((p) => p.profileId === id)?.displayName,
      (p) => p.validity,
    ),
  };
}

/**
 * The steps that make `user` hold what `model` holds, in the order a person would approve them: the account
 * first, then joins, direct grants, profiles given (with the model's validity window), direct revokes, profiles
 * taken and leaves. What no change tool can do (leave a group the user is in by its all-users rule or dynamic
 * filter, disable the account) is listed in `unplanned`, with why.
 */
function planToMatch(
  user: DirectoryUser,
  model: DirectoryUser,
  modelProfiles: readonly HeldProfile[],
  c: Comparison,
  routing: PlanRouting,
): { plan: PlanStep[]; unplanned: string[] } {
  const plan: PlanStep[] = [];
  const unplanned: string[] = [];
  const ids = [user.userId];
  if (user.accountEnabled === false && model.accountEnabled !== false) {
    plan.push(planStep.enableAccount(user.userId, routing, 'the model account is enabled; this one is disabled'));
  } else if (user.accountEnabled !== false && model.accountEnabled === false) {
    unplanned.push('account: the model account is disabled; the plan does not disable this one');
  }
  for (const g of onlyModel(c.groups)) {
    plan.push(
      planStep.joinGroup(g.id, ids, routing, `the model user is in group ${named(g.id, g.displayName)}: ${g.model}`),
    );
  }
  const grant = onlyModel(c.directPermissions);
  if (grant.length > 0) {
    const names = grant.map((p) => named(p.id, p.displayName)).join(', ');
    plan.push(
      planStep.grant(
        grant.map((p) => p.id),
        ids,
        routing,
        `the model user holds ${names} directly`,
      ),
    );
  }
  for (const p of c.profiles.filter((i) => differs(i) && i.model !== undefined)) {
    const window = windowOf(modelProfiles.find((m) => m.profileId === p.id));
    plan.push(
      planStep.assignProfile(
        p.id,
        ids,
        window,
        routing,
        `the model user holds profile ${named(p.id, p.displayName)} (${p.model}); user: ${p.user ?? 'none'}`,
      ),
    );
  }
  const revoke = onlyUser(c.directPermissions);
  if (revoke.length > 0) {
    const names = revoke.map((p) => named(p.id, p.displayName)).join(', ');
    plan.push(
      planStep.revoke(
        revoke.map((p) => p.id),
        ids,
        routing,
        `the model user does not hold ${names} directly`,
      ),
    );
  }
  for (const p of onlyUser(c.profiles)) {
    plan.push(
      planStep.removeProfile(p.id, ids, routing, `the model user does not hold profile ${named(p.id, p.displayName)}`),
    );
  }
  for (const g of onlyUser(c.groups)) {
    if (g.user === KIND_WORDS['by-hand']) {
      plan.push(
        planStep.leaveGroup(g.id, ids, routing, `the model user is not in group ${named(g.id, g.displayName)}`),
      );
    } else {
      unplanned.push(
        `group ${named(g.id, g.displayName)}: the user is in it by its ${g.user}, which no membership call undoes; change the group's rule instead`,
      );
    }
  }
  return { plan, unplanned };
}

/**
 * `user` and `model` side by side, how many items they hold differently (groups: in it or not, whatever the
 * kind; plus 1 when only one account is enabled), and the plan that makes `user` match `model`, with the
 * differences no step removes.
 */
export function comparison(
  snapshot: DirectorySnapshot,
  user: DirectoryUser,
  model: DirectoryUser,
  policy: PrivilegedPolicy,
  routing: PlanRouting,
) {
  const modelAccess = accessOf(snapshot, model.userId, policy);
  const c = compare(snapshot, accessOf(snapshot, user.userId, policy), modelAccess);
  const account = (user.accountEnabled !== false) !== (model.accountEnabled !== false) ? 1 : 0;
  const differences = account + differencesOf(c);
  return { ...c, differences, ...planToMatch(user, model, modelAccess.profiles, c, routing) };
}

const sideLine = (kind: string, item: Item) =>
  `${kind} ${named(item.id, item.displayName)}: user ${item.user ?? '-'} | model ${item.model ?? '-'}`;

export const compareUserAccess = defineTool({
  name: 'compare_user_access',
  title: 'Compare user access',
  description:
    "Two users side by side, and the plan (not applied) that makes the first one's access match the second's.",
  classification: 'read',
  inputSchema: {
    userId: userReference('The user to change'),
    modelUserId: userReference('The user whose access to copy'),
    ...projectRouting,
  },
  outputSchema: {
    asOf: asOfOut,
    ...candidatesOut,
    user: userOut.optional(),
    model: userOut.optional(),
    groups: sideBySideOut.optional(),
    directPermissions: sideBySideOut.optional(),
    effectivePermissions: sideBySideOut.optional(),
    profiles: sideBySideOut.optional(),
    differences: z
      .number()
      .int()
      .optional()
      .describe(
        'Groups (in it or not: how is no difference), direct permissions and profiles held differently, plus 1 when only one account is enabled',
      ),
    plan: planOut.optional(),
    unplanned: z.array(z.string()).optional().describe('Differences no step of the plan removes, each with why'),
  },
  handler: async (args, ctx) => {
    const snapshot = await ctx.api.directory(ctx.call);
    const fresh = freshness(snapshot);
    const { asOf, phrase } = fresh;
    const userFound = resolveUser(snapshot, args.userId, 'userId');
    if (!('user' in userFound)) return candidatesOutput('userId', userFound, ctx, fresh);
    const modelFound = resolveUser(snapshot, args.modelUserId, 'modelUserId');
    if (!('user' in modelFound)) return candidatesOutput('modelUserId', modelFound, ctx, fresh);
    const { user } = userFound;
    const model = modelFound.user;
    const { plan, unplanned, differences, ...c } = comparison(snapshot, user, model, ctx.privileged, args);
    const header =
      differences === 0
        ? `User ${user.userId} already has the access of user ${model.userId}: no difference; ${phrase}.`
        : `User ${user.userId} differs from model user ${model.userId} in ${counted(differences, 'item')}; ${counted(plan.length, 'step')} would make them match${unplanned.length ? `, ${counted(unplanned.length, 'difference')} no step removes` : ''} (plan below, not applied); ${phrase}.`;
    const lines = [
      `user: ${userLine(user)}`,
      `model: ${userLine(model)}`,
      ...c.groups.map((i) => sideLine('group', i)),
      ...c.directPermissions.map((i) => sideLine('direct permission', i)),
      ...c.effectivePermissions.map((i) => sideLine('effective permission', i)),
      ...c.profiles.map((i) => sideLine('profile', i)),
      ...planLines(plan),
      ...unplanned.map((u) => `not in the plan: ${u}`),
    ];
    return {
      text: answerText(header, lines, ctx),
      structured: {
        asOf,
        user: withLastLoginIso({ ...user }),
        model: withLastLoginIso({ ...model }),
        ...c,
        differences,
        plan,
        unplanned,
      },
    };
  },
});
