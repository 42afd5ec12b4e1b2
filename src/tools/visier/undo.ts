import { z } from 'zod';
import type { ImpactPreview, ImpactTarget, PreviewRead } from '../../contract/tool.js';
import { counted } from '../../grammar.js';
import type { JournalEntry } from '../../journal/journal.js';
import type {
  AssignmentResult,
  GroupPermissionsResult,
  UserGroupChangeResult,
  UserGroupDefinition,
  UserGroupDeleteResult,
} from '../../providers/visier/api.js';
import { fencedText, quoted, quotedList } from '../shared/format.js';
import {
  type AccessView,
  accessLines,
  effectLines,
  escalation,
  type PaperChange,
  personEffect,
  previewAccess,
} from './access-effect.js';
import { defineTool, type ToolContext } from './define.js';
import { projectRouting } from './fields.js';
import {
  captureState,
  changedFields,
  fieldLines,
  fieldValue,
  GROUP_CHANGES,
  type GroupState,
  objectsOf,
  ruleOf,
  type StateObject,
  stateOfObject,
  USER_CHANGES,
  type UserState,
  type VisierState,
  visierState,
} from './journal-state.js';
import { type PermissionCatalogue, permissionCatalogue } from './permission-catalogue.js';
import { fingerprint } from './preview.js';
import { effectFields, reachOf } from './reach.js';

// undo_change: puts every user and group one journaled change touched back as the journal says it was before,
// provided each is still as the change left it. It acts through the same client calls the change tools use, and
// is itself journaled (so an undo can be undone).

export const UNDO_CHANGES = 'visier-undo';
/** Change classes whose states undo_change reads: users and groups by id (journal-state.ts). */
const UNDOABLE = new Set([USER_CHANGES, GROUP_CHANGES, UNDO_CHANGES]);

export const changeId = z
  .string()
  .regex(/^chg_[0-9a-f]{16}$/, {
    error: 'must be a change id as list_recent_changes shows it (chg_ and 16 hex digits)',
  })
  .describe('Change id from list_recent_changes or the change result');

/** One object to put back: what it is now and what it becomes. */
interface Restore {
  object: StateObject;
  current: UserState | GroupState | null;
  target: UserState | GroupState | null;
  fields: string[];
}

interface Plan {
  entry: JournalEntry;
  restores: Restore[];
  current: VisierState;
}

type Refused = { refusal: { reason: string; text: string } };

const refuse = (reason: string, text: string): Refused => ({ refusal: { reason, text: `${text} Nothing was sent.` } });

const where = (scope: { tenant?: string | undefined; project?: string | undefined }) =>
  `tenant ${quoted(scope.tenant ?? '(default)')}, ${scope.project ? `project ${quoted(scope.project)}` : 'production'}`;

/** The objects an entry names, users and groups, before or after. */
function entryIds(entry: JournalEntry): { users: string[]; groups: string[] } {
  const states = [visierState(entry.before), visierState(entry.after)];
  const objects = objectsOf(...states);
  return {
    users: objects.filter((o) => o.kind === 'user').map((o) => o.id),
    groups: objects.filter((o) => o.kind === 'user-group').map((o) => o.id),
  };
}

/**
 * What undoing `changeId` would do, read live; or why it cannot be done: no such change, another place, a
 * change the journal could not follow, or an object that changed since (the text names each field and both
 * values).
 */
async function planOf(args: { changeId: string }, ctx: ToolContext): Promise<Plan | Refused> {
  if (ctx.journal === undefined) return refuse('no-journal', 'This server keeps no change journal (--journal).');
  const entry = ctx.journal.find(args.changeId);
  if (entry === undefined) {
    return refuse('unknown-change', `No change ${args.changeId} in the journal; list_recent_changes shows the ids.`);
  }
  const unsealed = ctx.journal.unsealed(entry);
  if (unsealed !== undefined) {
    return refuse('not-undoable', `Change ${entry.id} cannot be undone: ${unsealed}.`);
  }
  if (!UNDOABLE.has(entry.changeClass)) {
    return refuse('not-undoable', `Change ${entry.id} (${entry.tool}) is not a Visier change undo_change can reverse.`);
  }
  const place = { tenant: ctx.scope.tenant, project: ctx.scope.project };
  if (
    (entry.scope.tenant ?? null) !== (place.tenant ?? null) ||
    (entry.scope.project ?? null) !== (place.project ?? null)
  ) {
    return refuse(
      'wrong-place',
      `Change ${entry.id} was made on ${where(entry.scope)}, not ${where(place)}; call undo_change with tenantCode${entry.scope.project ? ' and projectId' : ''} of that place.`,
    );
  }
  if (entry.after === undefined) {
    return refuse(
      'not-undoable',
      `The state after change ${entry.id} was not recorded (${entry.afterError ?? 'unknown reason'}), so whether it still stands cannot be checked.`,
    );
  }
  const before = visierState(entry.before);
  const after = visierState(entry.after);
  if (after.unsupported)
    return refuse('not-undoable', `Change ${entry.id} cannot be undone here: ${after.unsupported}.`);
  const current = await captureState(ctx, entryIds(entry));
  const drift = objectsOf(after).flatMap((object) => {
    const differs = driftOf(object, stateOfObject(after, object), stateOfObject(current, object));
    return differs === undefined ? [] : [differs];
  });
  if (drift.length > 0) {
    return refuse(
      'changed-since',
      // The values quoted are directory text (names people typed): inside the call's fence, like every other.
      fencedText(
        `Refused: ${counted(drift.length, 'object')} changed since change ${entry.id} (${entry.tool} at ${entry.time}), so undoing it would overwrite a later change; what differs, one object a line:`,
        drift,
        ctx,
      ),
    );
  }
  const restores = objectsOf(before, after).flatMap((object): Restore[] => {
    const target = stateOfObject(before, object) ?? null;
    const now = stateOfObject(current, object) ?? null;
    const fields = changedFields(now, target);
    return fields.length ? [{ object, current: now, target, fields }] : [];
  });
  return { entry, restores, current };
}

/** What differs between the state a change left and the state now, in words; undefined when nothing does. */
function driftOf(object: StateObject, recorded: UserState | GroupState | null | undefined, now: typeof recorded) {
  const fields = changedFields(recorded, now);
  if (fields.length === 0) return undefined;
  if (!recorded || !now) {
    return `${object.kind} ${object.id}: ${recorded ? 'existed' : 'did not exist'} after the change, ${now ? 'exists' : 'no longer exists'} now`;
  }
  return `${object.kind} ${object.id}: ${fields.map((f) => `${f} was ${fieldValue(recorded, f)}, now ${fieldValue(now, f)}`).join('; ')}`;
}

const nameOf = (state: UserState | GroupState | null) =>
  state === null ? undefined : 'username' in state ? state.username : state.displayName;

/** Permissions the restore gives back to a user or a group (and so to its members). */
const regained = (r: Restore) =>
  r.target === null ? [] : r.target.permissionIds.filter((p) => !(r.current?.permissionIds ?? []).includes(p));

function targetOf(r: Restore, catalogue: PermissionCatalogue | undefined): ImpactTarget {
  const name = nameOf(r.current) ?? nameOf(r.target);
  const shown = r.fields.includes('exists') ? Object.keys(r.target ?? r.current ?? {}) : r.fields;
  const privileged = catalogue?.privileged(regained(r)) ?? [];
  return {
    kind: r.object.kind,
    id: r.object.id,
    ...(name === undefined ? {} : { name }),
    before: fieldLines(r.current, shown, catalogue?.describe),
    after:
      r.target === null
        ? ['deleted']
        : [
            ...(r.current === null ? ['re-created with a new id'] : []),
            ...fieldLines(r.target, shown, catalogue?.describe),
          ],
    ...(privileged.length ? { elevated: [`grants privileged ${quotedList(privileged)} again`] } : {}),
    // What the restore does, the same words for every object put back the same way: a preview of many (the undo
    // of a bulk change) is then grouped with counts by the guard instead of refused as too large to show.
    change: `${r.object.kind} ${r.target === null ? 'deleted' : r.current === null ? 're-created' : `${r.fields.join(', ')} put back`} as before the change`,
  };
}

/**
 * The restore on paper, for what it does to each person (access-effect.ts): users get back their direct
 * permissions and groups, groups what they grant, and people a group's hand-picked list takes back in (or out)
 * join (or leave) it. A group deleted by the undo is left by everyone in it.
 */
function paperOf(restores: Restore[]): PaperChange {
  const users = new Map(restores.filter((r) => r.object.kind === 'user').map((r) => [r.object.id, r]));
  const groups = restores.filter((r) => r.object.kind === 'user-group');
  const grants = new Map(groups.map((r) => [r.object.id, r.target as GroupState | null]));
  return {
    direct: (userId, held) => (users.get(userId)?.target as UserState | null | undefined)?.permissionIds ?? held,
    groups: (userId, inGroups) => {
      const restored = users.get(userId)?.target as UserState | null | undefined;
      let after = restored ? [...restored.userGroupIds] : [...inGroups];
      for (const r of groups) {
        const was = (r.current as GroupState | null)?.manuallyIncludedIds ?? [];
        const will = (r.target as GroupState | null)?.manuallyIncludedIds;
        if (will === undefined || (was.includes(userId) && !will.includes(userId))) {
          after = after.filter((g) => g !== r.object.id);
        } else if (!was.includes(userId) && will.includes(userId) && !after.includes(r.object.id)) {
          after.push(r.object.id);
        }
      }
      return after;
    },
    grants: (userGroupId, granted) =>
      grants.has(userGroupId) ? (grants.get(userGroupId)?.permissionIds ?? []) : granted,
  };
}

/** The people whose access the restore can change: users put back, hand-picked lists, members of regranted groups. */
function peopleOf(restores: Restore[], view: AccessView): string[] {
  const people = new Set<string>();
  for (const r of restores) {
    if (r.object.kind === 'user') {
      if (r.current !== null) people.add(r.object.id);
      continue;
    }
    const was = r.current as GroupState | null;
    const will = r.target as GroupState | null;
    for (const id of [...(was?.manuallyIncludedIds ?? []), ...(will?.manuallyIncludedIds ?? [])]) people.add(id);
    for (const [userId, memberships] of view.snapshot.memberships) {
      if (memberships.some((m) => m.userGroupId === r.object.id)) people.add(userId);
    }
  }
  return [...people].filter((id) => view.snapshot.users.has(id)).sort();
}

/**
 * Each person's effective change, as the forward tools show it: what they can newly use or no longer use, and
 * a privileged permission newly held flagged as elevated, whichever path (direct or a group) gives it back.
 */
function personTargets(restores: Restore[], view: AccessView): { targets: ImpactTarget[]; privileged: string[] } {
  const change = paperOf(restores);
  const privileged: string[] = [];
  const targets = peopleOf(restores, view).flatMap((userId): ImpactTarget[] => {
    const effect = personEffect(view.snapshot, userId, change);
    if (effect.gained.length === 0 && effect.lost.length === 0) return [];
    const gainedPrivileged = view.catalogue.privileged(effect.gained);
    privileged.push(...gainedPrivileged);
    const user = view.snapshot.users.get(userId);
    const name = user?.displayName ?? user?.username;
    const after = effectLines(view, effect);
    const elevated = escalation(gainedPrivileged, 'regains');
    return [
      {
        kind: 'user',
        id: userId,
        ...(name === undefined ? {} : { name }),
        before: accessLines(view, userId),
        after,
        change: ['access after the undo', ...after].join('; '),
        ...(elevated.length ? { elevated } : {}),
      },
    ];
  });
  return { targets, privileged };
}

async function previewOf(args: { changeId: string }, ctx: ToolContext, read: PreviewRead): Promise<ImpactPreview> {
  const plan = await planOf(args, ctx);
  if ('refusal' in plan) return { summary: `Undo change ${args.changeId}`, targets: [], fingerprint: '', ...plan };
  const deletes = plan.restores.filter((r) => r.target === null);
  // The catalogue names the permissions shown, and says which of those given back are privileged.
  const catalogue = plan.restores.some((r) => r.fields.includes('permissionIds') || r.fields.includes('exists'))
    ? await permissionCatalogue(ctx)
    : undefined;
  // What each person ends up able to use, read from the directory the forward tools' previews read.
  // (A user re-created or deleted has no access to compare: their own target says what they get or lose.)
  const touchesAccess = plan.restores.some((r) =>
    r.object.kind === 'user'
      ? r.current !== null && r.target !== null && ['permissionIds', 'userGroupIds'].some((f) => r.fields.includes(f))
      : ['exists', 'permissionIds', 'manuallyIncludedIds'].some((f) => r.fields.includes(f)),
  );
  const view = touchesAccess ? await previewAccess(ctx, read) : undefined;
  const people = view ? personTargets(plan.restores, view) : undefined;
  const targets = [...plan.restores.map((r) => targetOf(r, catalogue)), ...(people?.targets ?? [])];
  const privilegedGrants = [
    ...new Set([...(catalogue?.privileged(plan.restores.flatMap(regained)) ?? []), ...(people?.privileged ?? [])]),
  ];
  // A group put back reaches the members of its rule now and of the rule it returns to, as a group update does.
  const groups = plan.restores.filter((r) => r.object.kind === 'user-group');
  const reach = groups.length
    ? await reachOf(
        ctx,
        groups.flatMap((r) => [r.current, r.target].flatMap((g) => (g ? [ruleOf(g as GroupState)] : []))),
        // The directory the people's effects were read from counts an all-users or dynamic rule without a pass.
        view?.snapshot,
      )
    : undefined;
  const users = plan.restores.length - groups.length;
  return {
    summary: plan.restores.length
      ? `Undo change ${plan.entry.id} (${plan.entry.tool} at ${plan.entry.time}): restore ${counted(plan.restores.length, 'object')}`
      : `Undo change ${plan.entry.id} (${plan.entry.tool}): everything is already as it was before; nothing to change`,
    targets,
    fingerprint: fingerprint(['undo_change', plan.entry.id, plan.current]),
    ...effectFields(
      reach ? { ...reach, peopleReached: reach.peopleReached + users } : { peopleReached: users },
      privilegedGrants,
    ),
    ...(deletes.length
      ? {
          classification: 'destructive' as const,
          classificationReason: `deletes ${counted(deletes.length, 'object')} the change created`,
        }
      : {}),
  };
}

/** One action of an undo and how it went. */
interface Step {
  kind: 'user' | 'user-group';
  id: string;
  action: string;
  status: 'succeeded' | 'failed';
  newId?: string;
  message?: string;
}

const failure = (error: unknown) => (error as Error)?.message ?? String(error);

/** Visier's own verdict on an assignment: every tenant `Succeed` and no request left unsent. */
function assignmentProblem(result: AssignmentResult | GroupPermissionsResult): string | undefined {
  if ('tenants' in result) {
    const bad = result.tenants.find((t) => t.status !== 'Succeed');
    if (bad) return `${bad.status}${bad.message ? `: ${bad.message}` : ''}`;
    return result.incomplete?.message;
  }
  return result.status === 'Succeed' ? undefined : `${result.status}${result.message ? `: ${result.message}` : ''}`;
}

function groupChangeProblem(result: UserGroupChangeResult | UserGroupDeleteResult): string | undefined {
  const failed = result.failures[0];
  return failed ? (failed.message ?? 'failed') : undefined;
}

function definitionOf(state: GroupState, fields: readonly string[] | undefined): UserGroupDefinition {
  const wants = (f: string) => fields === undefined || fields.includes(f);
  const users = {
    ...(wants('includeAllUsers') ? { includeAllUsers: state.includeAllUsers } : {}),
    ...(wants('manuallyIncludedIds') && !state.includeAllUsers
      ? { manuallyIncludedIds: state.manuallyIncludedIds }
      : {}),
    ...(wants('manuallyExcludedIds') ? { manuallyExcludedIds: state.manuallyExcludedIds } : {}),
    ...(wants('dynamicFilterDefinition') && state.dynamicFilterDefinition
      ? { dynamicFilterDefinition: state.dynamicFilterDefinition }
      : {}),
  };
  return {
    ...(wants('displayName') && state.displayName !== undefined ? { displayName: state.displayName } : {}),
    ...(wants('description') ? { description: state.description ?? '' } : {}),
    ...(wants('permissionIds') ? { permissionIds: state.permissionIds } : {}),
    ...(Object.keys(users).length ? { users } : {}),
  };
}

/** What one action of an undo came to: Visier's complaint when it failed, the new id when it created. */
type Outcome = { problem?: string | undefined; newId?: string | undefined } | undefined;

/** Runs one action of the undo; a throw or a failure Visier reports is a failed step. Returns a created id. */
async function step(
  steps: Step[],
  base: Omit<Step, 'status'>,
  act: () => Promise<Outcome>,
): Promise<string | undefined> {
  let outcome: Outcome;
  try {
    outcome = await act();
  } catch (error) {
    outcome = { problem: failure(error) };
  }
  const { problem, newId } = outcome ?? {};
  steps.push({
    ...base,
    status: problem === undefined ? 'succeeded' : 'failed',
    ...(problem === undefined ? {} : { message: problem }),
    ...(newId === undefined ? {} : { newId }),
  });
  return problem === undefined ? newId : undefined;
}

const defined = <T extends object>(value: T) =>
  Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;

/** Groups first (a re-created user rejoins them), then users: each put back to its state before the change. */
async function restore(plan: Plan, ctx: ToolContext): Promise<Step[]> {
  const steps: Step[] = [];
  const newGroupIds = new Map<string, string>();
  for (const r of plan.restores.filter((x) => x.object.kind === 'user-group')) {
    const id = r.object.id;
    const target = r.target as GroupState | null;
    if (target === null) {
      await step(steps, { kind: 'user-group', id, action: 'delete' }, async () => ({
        problem: groupChangeProblem(await ctx.api.deleteUserGroups([{ userGroupId: id }], ctx.call)),
      }));
    } else if (r.current === null) {
      const newId = await step(steps, { kind: 'user-group', id, action: 're-create' }, async () => {
        const result = await ctx.api.createUserGroups([definitionOf(target, undefined)], ctx.call);
        const created = result.successes[0]?.userGroupId;
        return created ? { newId: created } : { problem: groupChangeProblem(result) ?? 'Visier named no new group' };
      });
      if (newId) newGroupIds.set(id, newId);
    } else if (target.dynamicFilterDefinition === undefined && (r.current as GroupState).dynamicFilterDefinition) {
      // A PATCH keeps a field it omits, so it cannot take a filter off: the group is sent whole by PUT (omitted
      // values are removed, reference §2.7), then read again, and a filter still there is a failed step.
      await step(
        steps,
        { kind: 'user-group', id, action: `restore ${r.fields.join(', ')} (whole group)` },
        async () => {
          const problem = groupChangeProblem(
            await ctx.api.replaceUserGroups([{ userGroupId: id, ...definitionOf(target, undefined) }], ctx.call),
          );
          if (problem !== undefined) return { problem };
          const now = (await captureState(ctx, { groups: [id] })).groups[id];
          return now?.dynamicFilterDefinition === undefined
            ? undefined
            : { problem: 'Visier still holds the dynamic filter after the group was replaced' };
        },
      );
    } else {
      await step(steps, { kind: 'user-group', id, action: `restore ${r.fields.join(', ')}` }, async () => ({
        problem: groupChangeProblem(
          await ctx.api.updateUserGroups([{ userGroupId: id, ...definitionOf(target, r.fields) }], ctx.call),
        ),
      }));
    }
  }

  // Users: identity first, then what they hold, compared with what each holds now (a re-created user starts
  // with what the directory gives everyone, e.g. all-users groups).
  const holdings: { userId: string; current: UserState; target: UserState }[] = [];
  for (const r of plan.restores.filter((x) => x.object.kind === 'user')) {
    const id = r.object.id;
    const target = r.target as UserState | null;
    const current = r.current as UserState | null;
    if (target === null) {
      await step(steps, { kind: 'user', id, action: 'delete' }, async () => {
        await ctx.api.deleteUser(id, ctx.call);
        return undefined;
      });
      continue;
    }
    const { username, displayName, employeeId, email, accountEnabled } = target;
    const profile = defined({ username, displayName, employeeId, email, accountEnabled });
    if (current === null) {
      const newId = await step(steps, { kind: 'user', id, action: 're-create' }, async () => ({
        newId: (await ctx.api.createUser(profile, ctx.call)).userId,
      }));
      if (newId === undefined) continue;
      // Its permissions and groups are given back against what the new account holds already.
      try {
        const now = (await captureState(ctx, { users: [newId] })).users[newId];
        if (!now) throw new Error('Visier does not find the account it just created');
        holdings.push({ userId: newId, current: now, target });
      } catch (error) {
        steps.push({ kind: 'user', id: newId, action: 'restore holdings', status: 'failed', message: failure(error) });
      }
      continue;
    }
    const patch = Object.fromEntries(Object.entries(profile).filter(([k]) => r.fields.includes(k)));
    if (Object.keys(patch).length) {
      await step(steps, { kind: 'user', id, action: `restore ${Object.keys(patch).join(', ')}` }, async () => {
        await ctx.api.updateUser(id, patch, ctx.call);
        return undefined;
      });
    }
    holdings.push({ userId: id, current, target });
  }
  await restoreHoldings(holdings, newGroupIds, steps, ctx);
  return steps;
}

/** Ids in `a` not in `b`. */
const minus = (a: readonly string[], b: readonly string[]) => a.filter((x) => !b.includes(x));

/** Collects, per permission or group, the users that gain or lose it: one Visier call per kind of change. */
function byId(pairs: { id: string; userId: string }[]): { id: string; userIds: string[] }[] {
  const map = new Map<string, string[]>();
  for (const { id, userId } of pairs) map.set(id, [...(map.get(id) ?? []), userId]);
  return [...map].map(([id, userIds]) => ({ id, userIds }));
}

async function restoreHoldings(
  holdings: { userId: string; current: UserState; target: UserState }[],
  newGroupIds: Map<string, string>,
  steps: Step[],
  ctx: ToolContext,
): Promise<void> {
  const group = (id: string) => newGroupIds.get(id) ?? id;
  const diff = (pick: (s: UserState) => string[], map: (id: string) => string = (id) => id) => ({
    add: byId(
      holdings.flatMap((h) => minus(pick(h.target).map(map), pick(h.current)).map((id) => ({ id, userId: h.userId }))),
    ),
    remove: byId(
      holdings.flatMap((h) => minus(pick(h.current), pick(h.target).map(map)).map((id) => ({ id, userId: h.userId }))),
    ),
  });
  const perms = diff((s) => s.permissionIds);
  const groups = diff((s) => s.userGroupIds, group);
  const each = async (
    changes: { id: string; userIds: string[] }[],
    action: string,
    send: () => Promise<AssignmentResult>,
  ) => {
    if (changes.length === 0) return;
    let problem: string | undefined;
    try {
      problem = assignmentProblem(await send());
    } catch (error) {
      problem = failure(error);
    }
    for (const { id, userIds } of changes) {
      for (const userId of userIds) {
        steps.push({
          kind: 'user',
          id: userId,
          action: `${action} ${id}`,
          status: problem === undefined ? 'succeeded' : 'failed',
          ...(problem ? { message: problem } : {}),
        });
      }
    }
  };
  await each(perms.remove, 'remove permission', () =>
    ctx.api.removePermissionsFromUsers(
      perms.remove.map((c) => ({ permissionId: c.id, userIds: c.userIds })),
      ctx.call,
    ),
  );
  await each(perms.add, 'grant permission', () =>
    ctx.api.assignPermissionsToUsers(
      perms.add.map((c) => ({ permissionId: c.id, userIds: c.userIds })),
      ctx.call,
    ),
  );
  await each(groups.remove, 'leave group', () =>
    ctx.api.removeUsersFromGroups(
      groups.remove.map((c) => ({ userGroupId: c.id, userIds: c.userIds })),
      ctx.call,
    ),
  );
  await each(groups.add, 'join group', () =>
    ctx.api.addUsersToGroups(
      groups.add.map((c) => ({ userGroupId: c.id, userIds: c.userIds })),
      ctx.call,
    ),
  );
  await restoreProfiles(holdings, steps, ctx);
}

type HeldProfile = UserState['profiles'][number];

/** A profile held with its validity: re-dating an assignment is a change like giving or taking it. */
const profileKey = (p: HeldProfile) =>
  JSON.stringify([p.profileId, p.validityStartTime ?? null, p.validityEndTime ?? null]);

/**
 * Profiles a user holds now but did not before are removed; those held before and not now (or with another
 * validity) are assigned with that validity: one Visier call per profile (and validity), answered per user.
 */
async function restoreProfiles(
  holdings: { userId: string; current: UserState; target: UserState }[],
  steps: Step[],
  ctx: ToolContext,
): Promise<void> {
  const removals = byId(
    holdings.flatMap((h) =>
      h.current.profiles
        .filter((p) => !h.target.profiles.some((t) => t.profileId === p.profileId))
        .map((p) => ({ id: p.profileId, userId: h.userId })),
    ),
  );
  const assignments = byId(
    holdings.flatMap((h) =>
      h.target.profiles
        .filter((t) => !h.current.profiles.some((p) => profileKey(p) === profileKey(t)))
        .map((t) => ({ id: profileKey(t), userId: h.userId })),
    ),
  );
  const perUser = (action: string, userIds: string[], problems: Map<string, string> | string) => {
    for (const userId of userIds) {
      const problem = typeof problems === 'string' ? problems : problems.get(userId);
      steps.push({
        kind: 'user',
        id: userId,
        action,
        status: problem === undefined ? 'succeeded' : 'failed',
        ...(problem === undefined ? {} : { message: problem }),
      });
    }
  };
  for (const { id: profileId, userIds } of removals) {
    try {
      const result = await ctx.api.removeProfile(profileId, userIds, ctx.call);
      perUser(
        `remove profile ${profileId}`,
        userIds,
        new Map(result.failed.map((f) => [f.userId, f.message ?? 'failed'])),
      );
    } catch (error) {
      perUser(`remove profile ${profileId}`, userIds, failure(error));
    }
  }
  for (const { id: key, userIds } of assignments) {
    const [profileId, start, end] = JSON.parse(key) as [string, string | null, string | null];
    const validity = {
      ...(start === null ? {} : { validityStartTime: start }),
      ...(end === null ? {} : { validityEndTime: end }),
    };
    try {
      const result = await ctx.api.assignProfile(profileId, { userIds, ...validity }, ctx.call);
      const refused = [...result.badUserIds, ...result.failedAssignments];
      perUser(
        `assign profile ${profileId}`,
        userIds,
        new Map(refused.map((f) => [f.userId, f.message ?? f.errorCode ?? 'failed'])),
      );
    } catch (error) {
      perUser(`assign profile ${profileId}`, userIds, failure(error));
    }
  }
}

const stepOut = z.object({
  kind: z.enum(['user', 'user-group']),
  id: z.string().describe('The object as the journal names it'),
  action: z.string(),
  status: z.enum(['succeeded', 'failed']),
  newId: z.string().optional().describe('The id Visier gave a re-created user or group'),
  message: z.string().optional(),
});

/** Ids a result line names of steps that went alike; the rest are counted (structured output has every step). */
const STEP_IDS = 3;

/**
 * The steps in words, those that went alike (same outcome, action and message, no new id) on one line with a
 * count, so the undo of a bulk change answers in a few lines, not one per person.
 */
function stepLines(steps: Step[]): string[] {
  const alike = new Map<string, Step[]>();
  for (const s of steps) {
    const key = s.newId ? `${s.kind}\u0000${s.id}` : JSON.stringify([s.status, s.kind, s.action, s.message ?? '']);
    alike.set(key, [...(alike.get(key) ?? []), s]);
  }
  return [...alike.values()].map((group) => {
    const [s] = group as [Step, ...Step[]];
    const outcome = `${s.status === 'succeeded' ? 'ok' : 'failed'}`;
    const tail = `${s.action}${s.newId ? ` -> new id ${s.newId}` : ''}${s.message ? `: ${s.message}` : ''}`;
    if (group.length === 1) return `${outcome} ${s.kind} ${s.id} ${tail}`;
    const named = group
      .slice(0, STEP_IDS)
      .map((g) => g.id)
      .join(', ');
    const more = group.length > STEP_IDS ? ` and ${group.length - STEP_IDS} more` : '';
    return `${outcome} ${group.length} x ${s.kind} ${tail} (${named}${more})`;
  });
}

export const undoChange = defineTool({
  name: 'undo_change',
  title: 'Undo a change',
  description:
    'Puts back what one journaled change changed (users, groups, grants, profiles); refused if any of it changed since.',
  classification: 'access',
  inputSchema: { changeId, ...projectRouting },
  outputSchema: {
    changeId: z.string(),
    tool: z.string().optional().describe('The tool that made the change undone'),
    steps: z.array(stepOut),
    succeeded: z.number().int(),
    failed: z.number().int(),
  },
  journal: {
    changeClass: UNDO_CHANGES,
    capture: async (args, ctx, output) => {
      const entry = ctx.journal?.find(args.changeId);
      const ids = entry ? entryIds(entry) : { users: [], groups: [] };
      const created = ((output?.structured as { steps?: Step[] } | undefined)?.steps ?? []).flatMap((s) =>
        s.newId ? [s] : [],
      );
      return (await captureState(ctx, {
        users: [...ids.users, ...created.filter((s) => s.kind === 'user').map((s) => s.newId as string)],
        groups: [...ids.groups, ...created.filter((s) => s.kind === 'user-group').map((s) => s.newId as string)],
      })) as unknown as Record<string, unknown>;
    },
  },
  preview: previewOf,
  handler: async (args, ctx) => {
    const plan = await planOf(args, ctx);
    if ('refusal' in plan) {
      return {
        text: plan.refusal.text,
        structured: { changeId: args.changeId, steps: [], succeeded: 0, failed: 0 },
        isError: true,
      };
    }
    const steps = await restore(plan, ctx);
    const failed = steps.filter((s) => s.status === 'failed').length;
    const lines = stepLines(steps);
    const header = steps.length
      ? `Undo of ${plan.entry.id} (${plan.entry.tool}): ${counted(steps.length - failed, 'step')} done, ${failed} failed.`
      : `Undo of ${plan.entry.id} (${plan.entry.tool}): everything was already as before; nothing sent.`;
    return {
      text: fencedText(header, lines, ctx),
      structured: { changeId: plan.entry.id, tool: plan.entry.tool, steps, succeeded: steps.length - failed, failed },
      isError: failed > 0,
    };
  },
});
