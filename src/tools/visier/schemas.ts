import { z } from 'zod';

// Output shapes shared by several tools (structuredContent), in Visier's field names.

export const userOut = z.object({
  userId: z.string(),
  username: z.string().optional(),
  displayName: z.string().optional(),
  email: z.string().optional(),
  employeeId: z.string().optional(),
  accountEnabled: z.boolean().optional(),
  lastLogin: z.string().optional().describe('Last sign-in as Visier sends it (epoch milliseconds)'),
  lastLoginIso: z.string().optional().describe('lastLogin as an ISO-8601 UTC date-time'),
});

const ref = { displayName: z.string().optional() };

export const permissionRefOut = z.object({
  permissionId: z.string(),
  ...ref,
  description: z.string().optional(),
});

export const userGroupRefOut = z.object({ userGroupId: z.string(), ...ref });

export const profileOut = z.object({
  profileId: z.string(),
  ...ref,
  validityStartTime: z.string().optional(),
  validityEndTime: z.string().optional(),
});

export const userDetailOut = userOut.extend({
  permissions: z.array(permissionRefOut).optional().describe('Permissions granted to the user directly'),
  userGroups: z
    .array(
      userGroupRefOut.extend({
        permissions: z.array(permissionRefOut).optional().describe('Permissions the user holds through this group'),
      }),
    )
    .optional(),
  profiles: z.array(profileOut).optional(),
});

export const bulkItemOut = z.object({
  index: z.number().int(),
  status: z.enum(['succeeded', 'failed', 'not_attempted']),
  userId: z.string().optional(),
  username: z.string().optional(),
  displayName: z.string().optional(),
  message: z.string().optional(),
  rci: z.string().optional(),
});

export const bulkOut = {
  succeeded: z.number().int(),
  failed: z.number().int(),
  notAttempted: z.number().int(),
  items: z.array(bulkItemOut),
};

export const tenantOutcomeOut = z.object({
  tenantCode: z.string().optional(),
  status: z.string(),
  message: z.string().optional(),
  projectId: z.string().optional(),
  changes: z.array(
    z.object({
      id: z.string(),
      name: z.string().optional(),
      users: z.array(z.object({ userId: z.string(), username: z.string().optional() })),
    }),
  ),
});
