import type { Classification, ImpactTarget } from '../../contract/tool.js';
import { counted } from '../../grammar.js';
import { strongerClass } from '../../guards/modes.js';
import type { SalescookieUser, UpsertPlan, UserUpsert } from '../../providers/salescookie/index.js';
import { planUpsert } from '../../providers/salescookie/upsert-plan.js';
import { quoted, quotedList } from '../shared/format.js';
import { fingerprintOf } from '../visier/preview.js';
import type { ToolContext } from './define.js';

// Live reads shared by the previews of Sales Cookie's change tools: who each target is and holds now (identity,
// role, tags, aliases, teams) as the `before` lines the human reads and the fingerprint covers, and what the
// SetUser upsert will do to it, classed by its effect.

/** Teams a listing shows at most; a workspace with more shows the rest of them by id. */
const TEAM_PAGE = 1000;

/** "First Last", or the e-mail when the user has no name. Directory text: untrusted. */
export function displayName(user: Pick<SalescookieUser, 'email' | 'firstName' | 'lastName'>): string {
  const full = [user.firstName, user.lastName].filter((part) => part).join(' ');
  return full === '' ? user.email : full;
}

/** Team names by teamId (one request). */
export async function teamNames(ctx: ToolContext): Promise<Map<string, string>> {
  const page = await ctx.api.listTeams({ limit: TEAM_PAGE }, ctx.call);
  return new Map(page.items.map((team) => [team.teamId, team.name]));
}

/** Each user's teams as quoted names (sorted), by systemUserId. Requests: about one per 20 users, plus one. */
export async function teamsOf(ctx: ToolContext, users: readonly SalescookieUser[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>(users.map((user) => [user.systemUserId, []]));
  if (users.length === 0) return out;
  const [memberships, names] = await Promise.all([
    ctx.api.teamsOfUsers(
      users.map((user) => user.systemUserId),
      ctx.call,
    ),
    teamNames(ctx),
  ]);
  for (const m of memberships)
    out.get(m.systemUserId)?.push(names.has(m.teamId) ? `${quoted(names.get(m.teamId))} (${m.teamId})` : m.teamId);
  for (const list of out.values()) list.sort();
  return out;
}

/** Who a user is and what they hold, as `before` lines: the state a fingerprint binds. */
export function stateLines(user: SalescookieUser, teams: readonly string[]): string[] {
  return [
    `identity: ${quoted(user.email)} name ${quoted(displayName(user))}`,
    `role: ${user.role}`,
    `tags: ${user.tags.length ? quotedList(user.tags) : 'none'}`,
    `aliases: ${user.aliases.length ? quotedList(user.aliases) : 'none'}`,
    `teams: ${teams.length ? teams.join(', ') : 'none'}`,
  ];
}

export function missingUser(email: string): ImpactTarget {
  return { kind: 'user', id: email, missing: true, before: ['no user has this e-mail'] };
}

/** What one upsert means to the guards: its class by effect, why, and any privileged grant. */
export interface UpsertEffect {
  classification?: Classification;
  reason?: string;
  elevated: string[];
  privilegedGrants: string[];
}

/**
 * A role change is an access change; to FullAdmin it is a privileged grant; to Deactivated from an active role
 * it takes all access away, the destructive one (Sales Cookie has no delete); from Deactivated it gives access
 * back (elevated). A user created gets a role, so access: SetUser creates or updates, and an account not found now
 * may be there when it lands. Names, tags and aliases alone are a `write`.
 */
export function upsertEffect(plan: UpsertPlan): UpsertEffect {
  const change = plan.roleChange;
  const none: UpsertEffect = { elevated: [], privilegedGrants: [] };
  if (change === undefined) return none;
  const { from, to } = change;
  if (to === 'FullAdmin') {
    return {
      classification: 'access',
      elevated: ['role FullAdmin: administers every user, plan and payout of the workspace'],
      privilegedGrants: ['role FullAdmin'],
    };
  }
  if (from === 'Deactivated') {
    return { classification: 'access', elevated: [`deactivated account re-activated as ${to}`], privilegedGrants: [] };
  }
  // An account not found now may exist when the upsert lands (SetUser is create-or-update by e-mail, and a
  // create may race this call): the role it sets is judged as the change it would be to an existing account.
  if (to === 'Deactivated') {
    return {
      classification: 'destructive',
      reason:
        from === null
          ? 'sets role Deactivated on an account not found now: if it exists when the change lands, it loses all access'
          : `role ${from} -> Deactivated: the user loses all access (Sales Cookie has no delete)`,
      elevated: [],
      privilegedGrants: [],
    };
  }
  if (from === null) {
    return {
      classification: 'access',
      reason: `creates a user with the ${to} role (an upsert: an account with this e-mail existing by then would get this role)`,
      elevated: [],
      privilegedGrants: [],
    };
  }
  return { classification: 'access', reason: `role ${from} -> ${to}`, elevated: [], privilegedGrants: [] };
}

/** The preview target of one upsert plan, with the user's teams when they exist. */
export function upsertTarget(plan: UpsertPlan, teams: readonly string[]): ImpactTarget {
  const { before, after } = plan;
  const role = plan.roleChange ? `role ${plan.roleChange.from ?? '(none)'} -> ${plan.roleChange.to}` : undefined;
  const parts = [
    plan.action === 'create'
      ? `CREATE as ${after.role}`
      : plan.noChange
        ? 'UPDATE: nothing changes; nothing will be sent'
        : 'UPDATE',
    ...(plan.action === 'update' && role ? [role] : []),
    ...(before && after.firstName !== before.firstName ? [`firstName -> ${quoted(after.firstName)}`] : []),
    ...(before && after.lastName !== before.lastName ? [`lastName -> ${quoted(after.lastName)}`] : []),
    ...(plan.addedTags.length ? [`ADD tags ${quotedList(plan.addedTags)}`] : []),
    ...(plan.addedAliases.length ? [`ADD aliases ${quotedList(plan.addedAliases)}`] : []),
  ];
  const effect = upsertEffect(plan);
  return {
    kind: 'user',
    id: plan.email,
    name: displayName(before ?? after),
    before: before ? stateLines(before, teams) : ['no user has this e-mail: SetUser will CREATE one'],
    after: [
      `identity: ${quoted(after.email)} name ${quoted(displayName(after))}`,
      `role: ${after.role}`,
      `tags: ${after.tags.length ? quotedList(after.tags) : 'none'}`,
      `aliases: ${after.aliases.length ? quotedList(after.aliases) : 'none'}`,
    ],
    change: parts.join('; '),
    ...(effect.elevated.length ? { elevated: effect.elevated } : {}),
  };
}

/**
 * Plans for every upsert, read from the workspace (users by e-mail, then their teams), in input order.
 * Requests: about 3 per 20 e-mails, plus 2 when any user exists.
 */
export async function upsertPlans(
  ctx: ToolContext,
  inputs: readonly UserUpsert[],
): Promise<{ plan: UpsertPlan; teams: string[] }[]> {
  const found = await ctx.api.findUsersByEmail(
    [...new Set(inputs.map((input) => input.email.toLowerCase()))],
    ctx.call,
  );
  const byEmail = new Map(found.map((user) => [user.email.toLowerCase(), user]));
  const teams = await teamsOf(ctx, found);
  return inputs.map((input) => {
    const before = byEmail.get(input.email.toLowerCase());
    return { plan: planUpsert(input, before), teams: before ? (teams.get(before.systemUserId) ?? []) : [] };
  });
}

const WORDS = { create: 'CREATE', update: 'UPDATE' } as const;

function previewOf(plans: { plan: UpsertPlan; teams: string[] }[], targets: ImpactTarget[], summary: string) {
  const effects = plans.map(({ plan }) => upsertEffect(plan));
  const classification = effects.reduce<Classification | undefined>(
    (strongest, effect) => (effect.classification ? strongerClass(effect.classification, strongest) : strongest),
    undefined,
  );
  const reasons = [...new Set(effects.flatMap((effect) => (effect.reason ? [effect.reason] : [])))];
  const grants = [...new Set(effects.flatMap((effect) => effect.privilegedGrants))];
  // A destructive effect is said where the person reads first, not only in the target's after line.
  const said = classification === 'destructive' && reasons.length ? `${summary}. ${reasons.join('; ')}` : summary;
  return {
    summary: said,
    targets,
    fingerprint: fingerprintOf(
      targets,
      plans.map(({ plan }) => [plan.action, plan.email]),
    ),
    ...(classification ? { classification } : {}),
    ...(reasons.length ? { classificationReason: reasons.join('; ') } : {}),
    ...(grants.length ? { privilegedGrants: grants } : {}),
  };
}

/**
 * The preview of a set of upserts: says per target whether SetUser CREATES or UPDATES, that tags and aliases
 * are added and never removed, and classes the call by its strongest effect.
 */
export async function upsertPreview(ctx: ToolContext, inputs: readonly UserUpsert[], verb: string) {
  const plans = await upsertPlans(ctx, inputs);
  const count = (action: UpsertPlan['action']) => plans.filter((p) => p.plan.action === action).length;
  const [only] = plans;
  const what =
    plans.length === 1 && only
      ? `${WORDS[only.plan.action]} user ${quoted(only.plan.email)}`
      : `${count('create')} CREATE, ${count('update')} UPDATE`;
  const targets = plans.map(({ plan, teams }) => upsertTarget(plan, teams));
  return previewOf(plans, targets, `${verb}: ${what}; tags and aliases are ADDED, never removed`);
}

/**
 * The preview of deactivating these e-mails (Sales Cookie has no delete): an e-mail nobody has is a missing
 * target, never a creation, because the client refuses to send it.
 */
export async function deactivationPreview(ctx: ToolContext, emails: readonly string[]) {
  const all = await upsertPlans(
    ctx,
    emails.map((email) => ({ email, role: 'Deactivated' as const })),
  );
  const plans = all.filter(({ plan }) => plan.action === 'update');
  const targets = all.map(({ plan, teams }) =>
    plan.action === 'create'
      ? missingUser(plan.email)
      : {
          ...upsertTarget(plan, teams),
          change: plan.noChange
            ? 'already Deactivated; nothing will be sent'
            : 'role -> Deactivated: loses all access; the account stays',
        },
  );
  const missing = all.length - plans.length;
  const summary = `Deactivate ${counted(all.length, 'user')}${missing ? ` (${missing} not found)` : ''}: role Deactivated, Sales Cookie's only removal (there is no delete)`;
  return previewOf(plans, targets, summary);
}
