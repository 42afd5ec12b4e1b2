// Zod schemas of Visier's response bodies as they arrive on the wire. Every object is loose (Visier adds
// fields without notice) and every field optional (proto3-style backends leave defaults out), except
// the identifiers without which a row means nothing.
import { z } from 'zod';

const str = z.string().optional();
/** `accountEnabled` is a boolean in GET users and a string everywhere else. */
const wireBool = z.union([z.boolean(), z.string()]).optional();
/** `admin.ElementIDsDTO` ({ids: [...]}) or, tolerantly, a bare array. */
const elementIds = z.union([z.array(z.string()), z.looseObject({ ids: z.array(z.string()).optional() })]).optional();
const list = <T extends z.ZodType>(item: T) => z.array(item).optional();

export const wireUser = z.looseObject({
  userId: z.string(),
  username: str,
  displayName: str,
  employeeId: str,
  email: str,
  accountEnabled: wireBool,
  lastLogin: z.looseObject({ timestamp: str }).optional(),
  profiles: z
    .looseObject({
      assignedProfiles: list(
        z.looseObject({ profileId: z.string(), displayName: str, validityStartTime: str, validityEndTime: str }),
      ),
    })
    .optional(),
  permissions: z
    .looseObject({
      assignedPermissions: list(z.looseObject({ permissionId: z.string(), displayName: str, description: str })),
    })
    .optional(),
  userGroups: z
    .looseObject({ assignedUserGroups: list(z.looseObject({ userGroupId: z.string(), displayName: str })) })
    .optional(),
});
export type WireUser = z.infer<typeof wireUser>;

export const wireUserPage = z.looseObject({
  users: list(wireUser),
  limit: z.number().optional(),
  start: z.number().optional(),
});

/** PUT /v1/admin/users/{id} echoes the request DTO, which has no userId. */
export const wireUserEcho = wireUser.extend({ userId: str });

export const wireUsersV2Success = z.looseObject({
  userId: str,
  username: str,
  displayName: str,
  employeeId: str,
  email: str,
  accountEnabled: wireBool,
});
export type WireUsersV2Success = z.infer<typeof wireUsersV2Success>;

export const wireUsersV2Failure = z.looseObject({
  userId: str,
  userName: str,
  username: str,
  displayName: str,
  error: z.looseObject({ message: str, rci: str }).optional(),
  message: str,
  rci: str,
});
export type WireUsersV2Failure = z.infer<typeof wireUsersV2Failure>;

/** Successes are flat per the spec, or nested in `{users: [...]}` per a documentation sample. */
export const wireUsersV2Response = z.looseObject({
  successes: list(z.union([z.looseObject({ users: z.array(wireUsersV2Success) }), wireUsersV2Success])),
  failures: list(wireUsersV2Failure),
});

const wirePermissionRef = z.looseObject({ permissionId: z.string(), displayName: str, description: str });

export const wirePermissions = z.looseObject({ permissions: list(wirePermissionRef) });

const wireTenantUsers = <T extends z.ZodType>(user: T) =>
  z.looseObject({
    tenants: list(z.looseObject({ tenantCode: str, users: list(user) })),
    limit: z.number().optional(),
    start: z.number().optional(),
  });

export const wirePermissionUsers = wireTenantUsers(
  z.looseObject({ userId: z.string(), username: str, permissionFrom: str }),
);

export const wireGroupMembers = wireTenantUsers(z.looseObject({ userId: z.string(), username: str }));

const wireAssignedUser = z.looseObject({ userId: z.string(), username: str, message: str });

/** What both V1 assignment responses report per tenant; partial failure arrives here inside a 200. */
const wireTenantOutcome = { tenantCode: str, status: str, message: str, projectId: str };

export const wirePermissionAssignmentResponse = z.looseObject({
  tenants: list(
    z.looseObject({
      ...wireTenantOutcome,
      permissions: list(
        z.looseObject({ permission: wirePermissionRef.partial().optional(), users: list(wireAssignedUser) }),
      ),
    }),
  ),
});

export const wireSecurityAssignmentResponse = z.looseObject({
  tenants: list(
    z.looseObject({
      ...wireTenantOutcome,
      assignments: list(z.looseObject({ id: str, name: str, users: list(wireAssignedUser) })),
    }),
  ),
});

export const wireUserGroupsV1 = z.looseObject({
  userGroups: list(
    z.looseObject({
      userGroupId: z.string(),
      displayName: str,
      permissions: list(wirePermissionRef),
    }),
  ),
  limit: z.number().optional(),
  start: z.number().optional(),
});

export const wireGroupPermissionsResponse = z.looseObject({
  tenantCode: str,
  status: str,
  message: str,
  userGroups: list(z.looseObject({ userGroupId: z.string(), displayName: str, permissions: list(wirePermissionRef) })),
});

/** `admin.UserGroupFiltersDTO`: a group's dynamic membership filter. */
const wireDynamicFilter = z.looseObject({
  filters: list(
    z.looseObject({
      filterId: str,
      analyticObjectId: str,
      dimensionFilters: list(
        z.looseObject({
          dimensionId: z.string(),
          subjectReferencePath: elementIds,
          memberSelections: list(z.looseObject({ isExcluded: z.boolean().optional(), namePath: list(z.string()) })),
        }),
      ),
    }),
  ),
});
export type WireDynamicFilter = z.infer<typeof wireDynamicFilter>;

export const wireUserGroupDefinition = z.looseObject({
  userGroupId: str,
  displayName: str,
  description: str,
  permissionIds: elementIds,
  users: z
    .looseObject({
      includeAllUsers: z.boolean().optional(),
      manuallyIncludedIds: elementIds,
      manuallyExcludedIds: elementIds,
      dynamicFilterDefinition: wireDynamicFilter.optional(),
    })
    .optional(),
  tenantCode: str,
  projectId: str,
  visibleForSelection: z.looseObject({ enabled: z.boolean().optional(), features: list(z.string()) }).optional(),
  correlationId: str,
});
export type WireUserGroupDefinition = z.infer<typeof wireUserGroupDefinition>;

export const wireUserGroupsV2 = z.looseObject({ userGroups: list(wireUserGroupDefinition) });

const groupOutcome = {
  userGroupId: str,
  displayName: str,
  tenantCode: str,
  projectId: str,
  correlationId: str,
};

export const wireUserGroupChangeResponse = z.looseObject({
  successes: list(z.looseObject(groupOutcome)),
  failures: list(z.looseObject({ ...groupOutcome, message: str, rci: str })),
});

export const wireUserGroupDeleteResponse = z.looseObject({
  successes: list(z.looseObject({ userGroupId: z.string(), tenantCode: str, projectId: str })),
  failures: list(z.looseObject({ userGroupId: z.string(), tenantCode: str, projectId: str, message: str, rci: str })),
});

const wireCapability = z.looseObject({ capability: z.string(), accessLevel: str, viewLevel: str });

/**
 * `additionalCapabilities` is a bare string list on a profile and a `{additionalCapabilities: [...]}` wrapper
 * (`servicing.AdditionalCapabilitiesDTO`) on a user's assigned profile.
 */
const additionalCapabilities = z
  .union([z.array(z.string()), z.looseObject({ additionalCapabilities: list(z.string()) })])
  .optional();

export const wireProfile = z.looseObject({
  profileId: z.string(),
  displayName: str,
  capabilities: list(wireCapability),
  additionalCapabilities,
});
export type WireProfile = z.infer<typeof wireProfile>;

export const wireProfiles = z.looseObject({ profiles: list(wireProfile) });

export const wireUserProfiles = z.looseObject({
  assignedProfiles: list(wireProfile.extend({ validityStartTime: str, validityEndTime: str })),
});

/** `servicing.ErrorDTO`, per user. */
const wireProfileUserError = z.looseObject({
  userId: z.string(),
  error: z.looseObject({ rootCauseId: str, errorCode: str, errorMessage: str }).optional(),
});

export const wireProfileAssignResponse = z.looseObject({
  errors: z.boolean().optional(),
  badUserIds: list(wireProfileUserError),
  failedAssignments: list(wireProfileUserError),
  successfulAssignments: list(z.looseObject({ userId: z.string() })),
});

export const wireProfileRemoveResponse = z.looseObject({
  failed: list(z.looseObject({ userId: z.string(), message: str })),
  succeeded: list(z.looseObject({ userId: z.string() })),
});

export const wireProject = z.looseObject({
  id: z.string(),
  name: str,
  description: str,
  releaseVersion: str,
  ticketNumber: str,
  versionNumber: z.number().optional(),
  capabilities: list(z.string()),
  projectType: str,
});
export type WireProject = z.infer<typeof wireProject>;

export const wireProjects = z.looseObject({
  openProjects: list(wireProject),
  approvalProjects: list(wireProject),
  rejectedProjects: list(wireProject),
  archivedProjects: list(wireProject),
});
