import type { JournalCapture, ToolOutput } from '../../contract/tool.js';
import type { JournalState } from '../../journal/journal.js';
import type {
  CallOptions,
  DynamicFilterDefinition,
  User,
  UserGroupDefinition,
  UserGroupMembershipRule,
  VisierApi,
} from '../../providers/visier/api.js';
import { quoted } from '../shared/format.js';
import type { ToolContext } from './define.js';
import { currentGroups, currentUsersMany, fingerprint } from './preview.js';
import { HOLDINGS } from './user-effect.js';

// What the change journal records of a Visier change: every user or group it touched, by id, as it stood
// (null: no such object). Never `lastLogin`, which a sign-in moves: a login is not a change to undo.

export interface UserState {
  username: string;
  displayName?: string;
  employeeId?: string;
  email?: string;
  accountEnabled?: boolean;
  /** Granted directly (not through a group), sorted. */
  permissionIds: string[];
  /** Every group the user is a member of, sorted. */
  userGroupIds: string[];
  /** Assigned profiles, sorted by id, with their validity as Visier sent it. */
  profiles: { profileId: string; validityStartTime?: string; validityEndTime?: string }[];
}

export interface GroupState {
  displayName?: string;
  description?: string;
  permissionIds: string[];
  includeAllUsers: boolean;
  /** Members added by hand, sorted. */
  manuallyIncludedIds: string[];
  manuallyExcludedIds: string[];
  /** Visier's filter as received. */
  dynamicFilterDefinition?: DynamicFilterDefinition;
}

export interface VisierState {
  users: Record<string, UserState | null>;
  groups: Record<string, GroupState | null>;
  /** Set when the change reached places the capture cannot read (project fan-out): undo refuses with this. */
  unsupported?: string;
}

export const USER_CHANGES = 'visier-users';
export const GROUP_CHANGES = 'visier-user-groups';

const sorted = (values: readonly string[] | undefined) => [...new Set(values ?? [])].sort();

/** Only the fields Visier sent, so a state compares equal to itself read again. */
function defined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

export function userState(user: User): UserState {
  return defined({
    username: user.username,
    displayName: user.displayName,
    employeeId: user.employeeId,
    email: user.email,
    accountEnabled: user.accountEnabled,
    permissionIds: sorted(user.permissions?.map((p) => p.permissionId)),
    userGroupIds: sorted(user.userGroups?.map((g) => g.userGroupId)),
    profiles: (user.profiles ?? [])
      .map(({ profileId, validityStartTime, validityEndTime }) =>
        defined({ profileId, validityStartTime, validityEndTime }),
      )
      .sort((a, b) => a.profileId.localeCompare(b.profileId)),
  });
}

export function groupState(group: UserGroupDefinition): GroupState {
  return defined({
    displayName: group.displayName,
    description: group.description,
    permissionIds: sorted(group.permissionIds),
    includeAllUsers: group.users?.includeAllUsers === true,
    manuallyIncludedIds: sorted(group.users?.manuallyIncludedIds),
    manuallyExcludedIds: sorted(group.users?.manuallyExcludedIds),
    dynamicFilterDefinition: group.users?.dynamicFilterDefinition,
  });
}

export async function captureUsers(ctx: ToolContext, userIds: readonly string[]): Promise<VisierState['users']> {
  if (userIds.length === 0) return {};
  const current = await currentUsersMany(ctx, userIds, HOLDINGS);
  return Object.fromEntries(current.map(({ userId, user }) => [userId, user ? userState(user) : null]));
}

export async function captureGroups(ctx: ToolContext, groupIds: readonly string[]): Promise<VisierState['groups']> {
  if (groupIds.length === 0) return {};
  const current = await currentGroups(ctx, groupIds);
  return Object.fromEntries(current.map(({ userGroupId, group }) => [userGroupId, group ? groupState(group) : null]));
}

export async function captureState(
  ctx: ToolContext,
  ids: { users?: readonly string[]; groups?: readonly string[] },
): Promise<VisierState> {
  const [users, groups] = await Promise.all([captureUsers(ctx, ids.users ?? []), captureGroups(ctx, ids.groups ?? [])]);
  return { users, groups };
}

type Capture<A> = JournalCapture<A, VisierApi, CallOptions>;

/** A change whose project fan-out the capture cannot follow: recorded, but undo_change refuses it. */
const FANNED_OUT =
  'the change was made through targetProjectForTenants, in places other than the call routing; undo it there by hand';

/**
 * The journal capture of a change to users: `idsOf` names them from the arguments, and after the call from its
 * output too (the users it created).
 */
export function usersJournal<A>(idsOf: (args: A, output?: ToolOutput) => readonly string[]): Capture<A> {
  return {
    changeClass: USER_CHANGES,
    capture: async (args, ctx, output) => stateOf(args, await captureState(ctx, { users: idsOf(args, output) })),
  };
}

/** The journal capture of a change to user groups (their definitions and members). */
export function groupsJournal<A>(idsOf: (args: A, output?: ToolOutput) => readonly string[]): Capture<A> {
  return {
    changeClass: GROUP_CHANGES,
    capture: async (args, ctx, output) => stateOf(args, await captureState(ctx, { groups: idsOf(args, output) })),
  };
}

function stateOf(args: unknown, state: VisierState): JournalState {
  const fanned = (args as { targetProjectForTenants?: unknown[] }).targetProjectForTenants?.length;
  return (fanned ? { ...state, unsupported: FANNED_OUT } : state) as unknown as JournalState;
}

/** What a change created, by its output: users by `user` or succeeded bulk items, groups by successes. */
export const createdUserIds = (output: ToolOutput | undefined): string[] => {
  const s = output?.structured as
    | { user?: { userId?: string }; items?: { status: string; userId?: string }[] }
    | undefined;
  if (s?.user?.userId) return [s.user.userId];
  return (s?.items ?? []).flatMap((i) => (i.status === 'succeeded' && i.userId ? [i.userId] : []));
};

export const createdGroupIds = (output: ToolOutput | undefined): string[] =>
  ((output?.structured as { successes?: { userGroupId?: string }[] } | undefined)?.successes ?? []).flatMap((s) =>
    s.userGroupId ? [s.userGroupId] : [],
  );

/** A journal state read back as Visier's (empty when the entry holds none). */
export function visierState(state: JournalState | undefined): VisierState {
  const s = (state ?? {}) as Partial<VisierState>;
  return { users: s.users ?? {}, groups: s.groups ?? {}, ...(s.unsupported ? { unsupported: s.unsupported } : {}) };
}

/** One object a state names: a user or a group, by id. */
export interface StateObject {
  kind: 'user' | 'user-group';
  id: string;
}

export function objectsOf(...states: VisierState[]): StateObject[] {
  const users = new Set(states.flatMap((s) => Object.keys(s.users)));
  const groups = new Set(states.flatMap((s) => Object.keys(s.groups)));
  return [
    ...[...groups].map((id) => ({ kind: 'user-group' as const, id })),
    ...[...users].map((id) => ({ kind: 'user' as const, id })),
  ];
}

export function stateOfObject(state: VisierState, object: StateObject): UserState | GroupState | null | undefined {
  return object.kind === 'user' ? state.users[object.id] : state.groups[object.id];
}

/** A field's value as a line: text quoted (directory text), lists of ids comma-separated. */
function valueText(value: unknown): string {
  if (Array.isArray(value)) {
    if (value.length === 0) return 'none';
    return value.map((v) => (typeof v === 'string' ? v : (v as { profileId?: string }).profileId)).join(', ');
  }
  if (value !== null && typeof value === 'object') return `filter #${fingerprint(value).slice(0, 12)}`;
  return quoted(value);
}

/** The fields whose values differ between two states of one object, in the order the newer one lists them. */
export function changedFields(
  a: UserState | GroupState | null | undefined,
  b: UserState | GroupState | null | undefined,
): string[] {
  if (!a || !b) return (a ?? null) === (b ?? null) ? [] : ['exists'];
  const keys = new Set([...Object.keys(b), ...Object.keys(a)]);
  const field = (state: object, k: string) => JSON.stringify((state as Record<string, unknown>)[k] ?? null);
  return [...keys].filter((k) => field(a, k) !== field(b, k));
}

/**
 * `field: value` lines of the given fields of a state; an absent object is one line. `permissions` names the
 * permission ids when given (a preview reads the catalogue).
 */
export function fieldLines(
  state: UserState | GroupState | null | undefined,
  fields: readonly string[],
  permissions?: (ids: readonly string[]) => string,
): string[] {
  if (!state) return ['does not exist'];
  return fields.filter((f) => f !== 'exists').map((f) => `${f}: ${fieldValue(state, f, permissions)}`);
}

/** One field of a state in words, as `fieldLines` shows it. */
export function fieldValue(
  state: UserState | GroupState,
  field: string,
  permissions?: (ids: readonly string[]) => string,
): string {
  const value = (state as unknown as Record<string, unknown>)[field];
  return field === 'permissionIds' && permissions ? permissions(value as string[]) : valueText(value);
}

/** A group state's membership rule, as Visier's definitions carry it. */
export function ruleOf(state: GroupState): UserGroupMembershipRule {
  return {
    includeAllUsers: state.includeAllUsers,
    manuallyIncludedIds: state.manuallyIncludedIds,
    manuallyExcludedIds: state.manuallyExcludedIds,
    ...(state.dynamicFilterDefinition ? { dynamicFilterDefinition: state.dynamicFilterDefinition } : {}),
  };
}
