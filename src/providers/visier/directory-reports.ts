// Reading a whole directory's people from two downloads: the permission-assignments report (every user, including
// those with no permission, and how each permission is held) and the profile-assignments report. Visier does not
// publish their layouts (reference §2.4), so columns are found by header name, in every worksheet, and anything
// not recognised sends the fill back to the user list pages rather than guess.
import { VisierApiError } from '../http/errors.js';
import type { AssignedProfile, CallOptions, VisierApi } from './api.js';
import type { DirectoryGroup, DirectoryUser } from './directory.js';
import type { ReportCell, ReportRow } from './reports.js';

/** What the fill of people yields, before memberships are classified. */
export interface PeopleFacts {
  users: Map<string, DirectoryUser>;
  directPermissions: Map<string, readonly string[]>;
  /** userId -> ids of the groups the source names the person in. */
  groupIds: Map<string, string[]>;
  profiles: Map<string, readonly AssignedProfile[]>;
}

/** Either the people, or why the reports cannot give them exactly; `requests` counts the reports asked for. */
export type ReportsOutcome = { facts: PeopleFacts; requests: number } | { fallback: string; requests: number };

// Header names are matched without case, spaces or punctuation ("User ID", "userId", "USER_ID").
const ASSIGNMENT_COLUMNS = {
  userId: ['userid'],
  username: ['username'],
  displayName: ['displayname'],
  email: ['email', 'emailaddress'],
  employeeId: ['employeeid'],
  accountEnabled: ['accountenabled'],
  lastLogin: ['lastlogin'],
  permissionId: ['permissionid'],
  assignedThrough: ['assignedthrough'],
} as const;
/** Without these a sheet is not about assignments (a summary tab) and is skipped. */
const ASSIGNMENT_KEYS = ['userId', 'permissionId', 'assignedThrough'] as const;

const PROFILE_COLUMNS = {
  userId: ['userid'],
  profileId: ['profileid'],
  profileName: ['profilename'],
  validityStart: ['validitystart', 'validitystarttime'],
  validityEnd: ['validityend', 'validityendtime'],
} as const;
const PROFILE_KEYS = ['userId', 'profileId'] as const;

type Columns = Record<string, readonly string[]>;
type Resolved<C extends Columns> = { [K in keyof C]?: string };

const normalise = (header: string) => header.toLowerCase().replace(/[^a-z0-9]/g, '');

/** Maps each field to the header naming it in one sheet's rows; cached per header set, since a sheet shares one. */
function resolver<C extends Columns>(columns: C): (row: ReportRow) => Resolved<C> {
  const cache = new Map<string, Resolved<C>>();
  return (row) => {
    const headers = Object.keys(row);
    const signature = headers.join('\u0000');
    let resolved = cache.get(signature);
    if (!resolved) {
      const byName = new Map(headers.map((h) => [normalise(h), h]));
      resolved = {};
      for (const [field, names] of Object.entries(columns)) {
        const header = names.map((n) => byName.get(n)).find((h) => h !== undefined);
        if (header !== undefined) resolved[field as keyof C] = header;
      }
      cache.set(signature, resolved);
    }
    return resolved;
  };
}

/**
 * Thrown for a cell whose text XLSX could not carry: XML 1.0 has no place for most control characters or a lone
 * surrogate, which Visier's JSON can hold, and a workbook comes back with U+FFFD in their place. Such a report no
 * longer says exactly what the directory holds.
 */
class LostText extends Error {}

function text(cell: ReportCell | undefined): string | undefined {
  if (cell === null || cell === undefined) return undefined;
  const value = String(cell).trim();
  if (value.includes('\uFFFD')) throw new LostText();
  return value === '' ? undefined : value;
}

function enabled(cell: ReportCell | undefined): boolean | undefined {
  if (typeof cell === 'boolean') return cell;
  const value = text(cell)?.toLowerCase();
  return value === 'true' ? true : value === 'false' ? false : undefined;
}

/** The user endpoints send a logon as epoch milliseconds in a string; a date cell is turned into the same. */
function epochText(cell: ReportCell | undefined): string | undefined {
  const value = text(cell);
  if (value === undefined || /^\d+$/.test(value)) return value;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? value : String(ms);
}

const DIRECT = 'user';
const GROUP_PREFIX = /^user group:\s*/i;

/**
 * The groups a report can name unambiguously, by display name: a name shared by two groups, or holding the `;`
 * that separates sources in a cell, cannot be read back to one group.
 */
function groupsByName(groups: ReadonlyMap<string, DirectoryGroup>): Map<string, string> {
  const byName = new Map<string, string | null>();
  for (const group of groups.values()) {
    const name = group.displayName;
    if (name === undefined || name.includes(';')) continue;
    byName.set(name, byName.has(name) ? null : group.userGroupId);
  }
  return new Map([...byName].filter((entry): entry is [string, string] => entry[1] !== null));
}

/**
 * Why the reports cannot describe this directory exactly, before asking for them; undefined when they can. The
 * reports take no ProjectID (they read production), and a dynamic group's members are known only from the report
 * naming it as the source of a permission.
 */
function cannotUseReports(
  groups: ReadonlyMap<string, DirectoryGroup>,
  named: ReadonlyMap<string, string>,
  options: CallOptions | undefined,
): string | undefined {
  if (options?.projectId !== undefined) return "Visier's reports read production only, and this reads a project";
  const namedIds = new Set(named.values());
  for (const group of groups.values()) {
    if (group.users?.dynamicFilterDefinition === undefined) continue;
    if (group.permissionIds.length === 0) {
      return `dynamic group ${group.userGroupId} grants no permission, so no report names its members`;
    }
    if (!namedIds.has(group.userGroupId)) {
      return `dynamic group ${group.userGroupId} has a name the reports cannot tell apart from another group's`;
    }
  }
  return undefined;
}

/**
 * Reads every user, direct grant, report-named membership and profile from the permission-assignments and
 * profile-assignments reports (two requests, whatever the directory's size). Falls back, saying why, when a report
 * is refused or fails, when its columns are not recognised, or when a cell cannot be read exactly. Throws only a
 * cancellation.
 */
export async function peopleFromReports(
  api: VisierApi,
  groups: ReadonlyMap<string, DirectoryGroup>,
  options: CallOptions | undefined,
): Promise<ReportsOutcome> {
  const named = groupsByName(groups);
  const refusal = cannotUseReports(groups, named, options);
  if (refusal !== undefined) return { fallback: refusal, requests: 0 };
  const facts: PeopleFacts = {
    users: new Map(),
    directPermissions: new Map(),
    groupIds: new Map(),
    profiles: new Map(),
  };
  let requests = 0;
  try {
    requests++;
    const assignments = await readAssignments(api.reportRows('permission-assignments', options), named, facts);
    if (assignments !== undefined) return { fallback: assignments, requests };
    requests++;
    const profiles = await readProfiles(api.reportRows('profile-assignments', options), facts);
    if (profiles !== undefined) return { fallback: profiles, requests };
  } catch (error) {
    if (error instanceof LostText) {
      return { fallback: 'a report cell holds text an XLSX workbook cannot carry (shown as U+FFFD)', requests };
    }
    if (!(error instanceof VisierApiError) || error.kind === 'aborted') throw error;
    return { fallback: `a report failed: ${error.message}`, requests };
  }
  return { facts, requests };
}

/** Fills users, direct grants and named memberships; returns why not when the report cannot be read exactly. */
async function readAssignments(
  rows: AsyncIterable<ReportRow>,
  named: ReadonlyMap<string, string>,
  facts: PeopleFacts,
): Promise<string | undefined> {
  const columnsOf = resolver(ASSIGNMENT_COLUMNS);
  const direct = new Map<string, string[]>();
  let rowsSeen = 0;
  for await (const row of rows) {
    rowsSeen++;
    const at = columnsOf(row);
    if (ASSIGNMENT_KEYS.some((key) => at[key] === undefined)) continue;
    const missing = Object.keys(ASSIGNMENT_COLUMNS).find((key) => at[key as keyof typeof at] === undefined);
    if (missing !== undefined) return `the permission-assignments report has no ${missing} column`;
    const cell = (field: keyof typeof ASSIGNMENT_COLUMNS) => row[at[field] as string];
    const userId = text(cell('userId'));
    const username = text(cell('username'));
    if (userId === undefined || username === undefined)
      return 'a permission-assignments row has no user id or username';
    if (!facts.users.has(userId)) {
      const user: DirectoryUser = { userId, username };
      const fields = {
        displayName: text(cell('displayName')),
        employeeId: text(cell('employeeId')),
        email: text(cell('email')),
        accountEnabled: enabled(cell('accountEnabled')),
        lastLogin: epochText(cell('lastLogin')),
      };
      for (const [key, value] of Object.entries(fields)) {
        if (value !== undefined) (user as unknown as Record<string, unknown>)[key] = value;
      }
      facts.users.set(userId, user);
    }
    const permissionId = text(cell('permissionId'));
    if (permissionId === undefined) continue;
    for (const source of (text(cell('assignedThrough')) ?? '').split(';').map((s) => s.trim())) {
      if (source.toLowerCase() === DIRECT) {
        const held = direct.get(userId);
        if (held) held.push(permissionId);
        else direct.set(userId, [permissionId]);
      } else if (GROUP_PREFIX.test(source)) {
        const groupId = named.get(source.replace(GROUP_PREFIX, ''));
        if (groupId === undefined) continue;
        const ids = facts.groupIds.get(userId);
        if (!ids) facts.groupIds.set(userId, [groupId]);
        else if (!ids.includes(groupId)) ids.push(groupId);
      } else {
        return `the permission-assignments report names a source it does not explain: "${source.slice(0, 40)}"`;
      }
    }
  }
  if (facts.users.size === 0) {
    return rowsSeen > 0
      ? "the permission-assignments report's columns are not recognised"
      : 'the permission-assignments report lists no user';
  }
  for (const [userId, held] of direct) facts.directPermissions.set(userId, held);
  return undefined;
}

async function readProfiles(rows: AsyncIterable<ReportRow>, facts: PeopleFacts): Promise<string | undefined> {
  const columnsOf = resolver(PROFILE_COLUMNS);
  const profiles = new Map<string, AssignedProfile[]>();
  let rowsSeen = 0;
  let recognised = 0;
  for await (const row of rows) {
    rowsSeen++;
    const at = columnsOf(row);
    if (PROFILE_KEYS.some((key) => at[key] === undefined)) continue;
    recognised++;
    const cell = (field: keyof typeof PROFILE_COLUMNS) => (at[field] === undefined ? undefined : row[at[field]]);
    const userId = text(cell('userId'));
    const profileId = text(cell('profileId'));
    if (userId === undefined || profileId === undefined) continue;
    const profile: AssignedProfile = { profileId };
    const displayName = text(cell('profileName'));
    const validityStartTime = text(cell('validityStart'));
    const validityEndTime = text(cell('validityEnd'));
    if (displayName !== undefined) profile.displayName = displayName;
    if (validityStartTime !== undefined) profile.validityStartTime = validityStartTime;
    if (validityEndTime !== undefined) profile.validityEndTime = validityEndTime;
    const list = profiles.get(userId);
    if (list) list.push(profile);
    else profiles.set(userId, [profile]);
  }
  // A sheet with a header and no rows says nobody holds a profile; rows none of which is understood say nothing.
  if (rowsSeen > 0 && recognised === 0) return "the profile-assignments report's columns are not recognised";
  for (const [userId, list] of profiles) facts.profiles.set(userId, list);
  return undefined;
}
