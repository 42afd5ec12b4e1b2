// Converts between the normalised types of api.ts and Visier's wire DTOs, resolving the quirks in one
// place: string booleans, `userName`, ElementIDsDTO wrappers, nested V2 successes, absent defaults.

import type { z } from 'zod';
import type {
  DynamicFilterDefinition,
  Profile,
  ProfileUserError,
  Project,
  TenantOutcome,
  User,
  UserGroupDefinition,
  UserGroupMembershipRule,
  UserInput,
  UserPatch,
} from './api.js';
import type {
  WireDynamicFilter,
  WireProfile,
  WireProject,
  WireUser,
  WireUserGroupDefinition,
  WireUsersV2Failure,
  WireUsersV2Success,
  wirePermissionAssignmentResponse,
  wireSecurityAssignmentResponse,
  wireUsersV2Response,
} from './wire.js';

export function fromWireBool(v: boolean | string | undefined): boolean | undefined {
  if (typeof v === 'boolean') return v;
  if (v === undefined) return undefined;
  const s = v.trim().toLowerCase();
  if (s === 'true') return true;
  if (s === 'false') return false;
  return undefined;
}

/** The user fields of a request DTO: `accountEnabled` as Visier's string, nothing undefined. */
export function toWireUser(input: UserPatch): Record<string, string> {
  const out: Record<string, string> = {};
  if (input.username !== undefined) out.username = input.username;
  if (input.displayName !== undefined) out.displayName = input.displayName;
  if (input.employeeId !== undefined) out.employeeId = input.employeeId;
  if (input.email !== undefined) out.email = input.email;
  if (input.accountEnabled !== undefined) out.accountEnabled = String(input.accountEnabled);
  return out;
}

export function fromWireUser(w: WireUser): User {
  const user: User = { userId: w.userId, username: w.username ?? '' };
  assignDefined(user, {
    displayName: w.displayName,
    employeeId: w.employeeId,
    email: w.email,
    accountEnabled: fromWireBool(w.accountEnabled),
    lastLogin: w.lastLogin?.timestamp,
  });
  if (w.profiles) {
    user.profiles = (w.profiles.assignedProfiles ?? []).map((p) =>
      assignDefined(
        { profileId: p.profileId },
        { displayName: p.displayName, validityStartTime: p.validityStartTime, validityEndTime: p.validityEndTime },
      ),
    );
  }
  if (w.permissions) {
    user.permissions = (w.permissions.assignedPermissions ?? []).map((p) =>
      assignDefined({ permissionId: p.permissionId }, { displayName: p.displayName, description: p.description }),
    );
  }
  if (w.userGroups) {
    user.userGroups = (w.userGroups.assignedUserGroups ?? []).map((g) =>
      assignDefined({ userGroupId: g.userGroupId }, { displayName: g.displayName }),
    );
  }
  return user;
}

/** V2 bulk successes, flattened from either the spec's flat list or the nested `{users}` form. */
export function flattenV2Successes(res: z.infer<typeof wireUsersV2Response>): WireUsersV2Success[] {
  return (res.successes ?? []).flatMap((s) => ('users' in s && Array.isArray(s.users) ? s.users : [s]));
}

export function v2FailureUsername(f: WireUsersV2Failure): string | undefined {
  return f.userName ?? f.username;
}

export function v2FailureMessage(f: WireUsersV2Failure): { message: string; rci?: string } {
  const message = f.error?.message ?? f.message ?? 'Visier reported a failure without a message';
  const rci = f.error?.rci ?? f.rci;
  return rci === undefined ? { message } : { message, rci };
}

export function newUserFromInput(input: UserInput, success: WireUsersV2Success): User {
  return fromWireUser({ ...toWireUser(input), ...success, userId: success.userId ?? '' });
}

type PermissionAssignmentWire = z.infer<typeof wirePermissionAssignmentResponse>;
type SecurityAssignmentWire = z.infer<typeof wireSecurityAssignmentResponse>;

export function fromPermissionAssignment(res: PermissionAssignmentWire): TenantOutcome[] {
  return (res.tenants ?? []).map((t) =>
    assignDefined(
      {
        status: t.status ?? 'Unknown',
        changes: (t.permissions ?? []).map((p) =>
          assignDefined(
            { id: p.permission?.permissionId ?? '', users: (p.users ?? []).map(member) },
            { name: p.permission?.displayName },
          ),
        ),
      },
      { tenantCode: t.tenantCode, message: t.message, projectId: t.projectId },
    ),
  );
}

export function fromSecurityAssignment(res: SecurityAssignmentWire): TenantOutcome[] {
  return (res.tenants ?? []).map((t) =>
    assignDefined(
      {
        status: t.status ?? 'Unknown',
        changes: (t.assignments ?? []).map((a) =>
          assignDefined({ id: a.id ?? '', users: (a.users ?? []).map(member) }, { name: a.name }),
        ),
      },
      { tenantCode: t.tenantCode, message: t.message, projectId: t.projectId },
    ),
  );
}

function member(u: { userId: string; username?: string | undefined }): { userId: string; username?: string } {
  return assignDefined({ userId: u.userId }, { username: u.username });
}

function ids(v: WireUserGroupDefinition['permissionIds']): string[] | undefined {
  if (v === undefined) return undefined;
  return Array.isArray(v) ? v : (v.ids ?? []);
}

export function fromWireGroup(w: WireUserGroupDefinition): UserGroupDefinition {
  const group: UserGroupDefinition = assignDefined(
    {},
    {
      userGroupId: w.userGroupId,
      displayName: w.displayName,
      description: w.description,
      permissionIds: ids(w.permissionIds),
      tenantCode: w.tenantCode,
      projectId: w.projectId,
      correlationId: w.correlationId,
    },
  );
  if (w.users) {
    group.users = assignDefined(
      {},
      {
        includeAllUsers: w.users.includeAllUsers,
        manuallyIncludedIds: ids(w.users.manuallyIncludedIds),
        manuallyExcludedIds: ids(w.users.manuallyExcludedIds),
        dynamicFilterDefinition: w.users.dynamicFilterDefinition && fromWireFilter(w.users.dynamicFilterDefinition),
      },
    );
  }
  if (w.visibleForSelection) {
    group.visibleForSelection = assignDefined(
      {},
      { enabled: w.visibleForSelection.enabled, features: w.visibleForSelection.features },
    );
  }
  return group;
}

export function toWireGroup(g: UserGroupDefinition): Record<string, unknown> {
  return assignDefined(
    {},
    {
      userGroupId: g.userGroupId,
      displayName: g.displayName,
      description: g.description,
      permissionIds: g.permissionIds === undefined ? undefined : { ids: g.permissionIds },
      users: g.users === undefined ? undefined : toWireMembership(g.users),
      tenantCode: g.tenantCode,
      projectId: g.projectId,
      visibleForSelection: g.visibleForSelection,
      correlationId: g.correlationId,
    },
  );
}

function toWireMembership(rule: UserGroupMembershipRule): Record<string, unknown> {
  return assignDefined(
    {},
    {
      includeAllUsers: rule.includeAllUsers,
      manuallyIncludedIds: rule.manuallyIncludedIds === undefined ? undefined : { ids: rule.manuallyIncludedIds },
      manuallyExcludedIds: rule.manuallyExcludedIds === undefined ? undefined : { ids: rule.manuallyExcludedIds },
      dynamicFilterDefinition: rule.dynamicFilterDefinition && toWireFilter(rule.dynamicFilterDefinition),
    },
  );
}

function fromWireFilter(w: WireDynamicFilter): DynamicFilterDefinition {
  return {
    filters: (w.filters ?? []).map((f) =>
      assignDefined(
        {
          dimensionFilters: (f.dimensionFilters ?? []).map((d) =>
            assignDefined(
              {
                dimensionId: d.dimensionId,
                memberSelections: (d.memberSelections ?? []).map((m) =>
                  assignDefined({ namePath: m.namePath ?? [] }, { isExcluded: m.isExcluded }),
                ),
              },
              { subjectReferencePath: ids(d.subjectReferencePath) },
            ),
          ),
        },
        { filterId: f.filterId, analyticObjectId: f.analyticObjectId },
      ),
    ),
  };
}

function toWireFilter(definition: DynamicFilterDefinition): Record<string, unknown> {
  return {
    filters: definition.filters.map((f) =>
      assignDefined(
        {
          dimensionFilters: f.dimensionFilters.map((d) =>
            assignDefined(
              { dimensionId: d.dimensionId, memberSelections: d.memberSelections },
              { subjectReferencePath: d.subjectReferencePath && { ids: d.subjectReferencePath } },
            ),
          ),
        },
        { filterId: f.filterId, analyticObjectId: f.analyticObjectId },
      ),
    ),
  };
}

/** Copies only the defined values of `extra` onto `target`, so results never carry `key: undefined`. */
export function assignDefined<T extends object, E extends object>(target: T, extra: E): T & DefinedOnly<E> {
  for (const [k, v] of Object.entries(extra)) {
    if (v !== undefined) (target as Record<string, unknown>)[k] = v;
  }
  return target as T & DefinedOnly<E>;
}

type DefinedOnly<E> = { [K in keyof E]?: Exclude<E[K], undefined> };

/** A profile with its capability lists always present (empty when Visier leaves them out). */
export function fromWireProfile(w: WireProfile): Profile {
  const extra = w.additionalCapabilities;
  return assignDefined(
    {
      profileId: w.profileId,
      capabilities: (w.capabilities ?? []).map((c) =>
        assignDefined({ capability: c.capability }, { accessLevel: c.accessLevel, viewLevel: c.viewLevel }),
      ),
      additionalCapabilities: Array.isArray(extra) ? extra : (extra?.additionalCapabilities ?? []),
    },
    { displayName: w.displayName },
  );
}

/** Visier's `{userId, error: {rootCauseId, errorCode, errorMessage}}` in our names. */
export function fromProfileUserError(w: {
  userId: string;
  error?: { rootCauseId?: string | undefined; errorCode?: string | undefined; errorMessage?: string | undefined };
}): ProfileUserError {
  return assignDefined(
    { userId: w.userId },
    { message: w.error?.errorMessage, errorCode: w.error?.errorCode, rci: w.error?.rootCauseId },
  );
}

export function fromWireProject(w: WireProject): Project {
  return assignDefined(
    { projectId: w.id },
    {
      name: w.name,
      description: w.description,
      releaseVersion: w.releaseVersion,
      ticketNumber: w.ticketNumber,
      versionNumber: w.versionNumber,
      capabilities: w.capabilities,
      projectType: w.projectType,
    },
  );
}
