// The wire shapes of a user. GET responses carry accountEnabled as a boolean; every write response as a
// string, which is the split Visier's spec documents.
import type { TenantState, UserRecord } from './tenant-state.js';

export interface UserInclude {
  profiles: boolean;
  permissions: boolean;
  userGroups: boolean;
}

export function userGetDto(tenant: TenantState, user: UserRecord, include: UserInclude): Record<string, unknown> {
  const dto: Record<string, unknown> = {
    userId: user.userId,
    username: user.username,
    displayName: user.displayName,
    employeeId: user.employeeId,
    accountEnabled: user.accountEnabled,
    email: user.email,
  };
  if (user.lastLogin !== undefined) dto.lastLogin = { timestamp: String(user.lastLogin) };
  // Visier leaves `profiles` out for a user who has none; the other wrappers are always sent when asked.
  if (include.profiles && user.profiles.length > 0) dto.profiles = userProfilesDto(tenant, user);
  if (include.permissions) {
    dto.permissions = {
      assignedPermissions: tenant
        .directPermissions(user.userId)
        .map(({ permissionId, displayName, description }) => ({ permissionId, displayName, description })),
    };
  }
  if (include.userGroups) {
    dto.userGroups = {
      assignedUserGroups: tenant
        .groupsOf(user.userId)
        .map(({ userGroupId, displayName }) => ({ userGroupId, displayName })),
    };
  }
  return dto;
}

export function userWriteDto(user: UserRecord): Record<string, string> {
  return {
    userId: user.userId,
    username: user.username,
    displayName: user.displayName,
    employeeId: user.employeeId,
    accountEnabled: String(user.accountEnabled),
    email: user.email,
  };
}

/**
 * `servicing.AllProfileAssignedForLocalTenantDTO`: each profile the user holds, with this assignment's validity and
 * the profile's capabilities (`additionalCapabilities` wrapped, as this DTO has it).
 */
export function userProfilesDto(
  tenant: TenantState,
  user: UserRecord,
): { assignedProfiles: Record<string, unknown>[] } {
  return {
    assignedProfiles: user.profiles.flatMap((held) => {
      const profile = tenant.profiles.get(held.profileId);
      if (!profile) return [];
      return [
        {
          profileId: held.profileId,
          displayName: profile.displayName,
          ...(held.validityStartTime === undefined ? {} : { validityStartTime: held.validityStartTime }),
          ...(held.validityEndTime === undefined ? {} : { validityEndTime: held.validityEndTime }),
          capabilities: profile.capabilities,
          additionalCapabilities: { additionalCapabilities: profile.additionalCapabilities },
        },
      ];
    }),
  };
}
