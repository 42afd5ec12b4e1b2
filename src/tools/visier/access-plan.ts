import { z } from 'zod';
import {
  addUsersToGroup,
  assignPermissionsToUsers,
  removePermissionsFromUsers,
  removeUsersFromGroup,
} from './access.js';
import { assignProfile, removeProfile } from './profiles.js';
import { updateUser } from './users.js';

// The plan format the answer tools share: ordered steps, each a call of an existing change tool with arguments
// that tool's strict schema accepts as they are. A plan is never applied by the tool that makes it; the model
// runs its steps, and each step is previewed, capped and confirmed like any other call.

export interface PlanStep {
  /** A change tool's name, taken from its definition. */
  tool: string;
  arguments: Record<string, unknown>;
  /** Why this step, in words a person checks it against (names are directory text). */
  why: string;
}

export const planOut = z
  .array(
    z.object({
      tool: z.string().describe('A change tool of this server'),
      arguments: z.record(z.string(), z.unknown()).describe('Its arguments, exactly as that tool accepts them'),
      why: z.string(),
    }),
  )
  .describe('Steps in order, not applied: call each tool with its arguments (each is previewed and confirmed)');

/** Where the answer was asked about: the steps act there too. */
export interface PlanRouting {
  tenantCode?: string | undefined;
  projectId?: string | undefined;
}

const tenantOnly = (routing: PlanRouting) =>
  routing.tenantCode === undefined ? {} : { tenantCode: routing.tenantCode };
const withProject = (routing: PlanRouting) => ({
  ...tenantOnly(routing),
  ...(routing.projectId === undefined ? {} : { projectId: routing.projectId }),
});

/** A profile assignment's validity window, as `assign_profile` takes it (epoch-ms strings; absent: not set). */
export interface ValidityWindow {
  validityStartTime?: string | undefined;
  validityEndTime?: string | undefined;
}

/** Builders of each kind of step; one call per group or per permission set, as the tools take them. */
export const planStep = {
  /** Users live in the tenant, not in a project: `update_user` takes no project. */
  enableAccount: (userId: string, routing: PlanRouting, why: string): PlanStep => ({
    tool: updateUser.name,
    arguments: { userId, accountEnabled: true, ...tenantOnly(routing) },
    why,
  }),
  joinGroup: (userGroupId: string, userIds: string[], routing: PlanRouting, why: string): PlanStep => ({
    tool: addUsersToGroup.name,
    arguments: { userGroupId, userIds, ...withProject(routing) },
    why,
  }),
  leaveGroup: (userGroupId: string, userIds: string[], routing: PlanRouting, why: string): PlanStep => ({
    tool: removeUsersFromGroup.name,
    arguments: { userGroupId, userIds, ...withProject(routing) },
    why,
  }),
  grant: (permissionIds: string[], userIds: string[], routing: PlanRouting, why: string): PlanStep => ({
    tool: assignPermissionsToUsers.name,
    arguments: { permissionIds, userIds, ...withProject(routing) },
    why,
  }),
  revoke: (permissionIds: string[], userIds: string[], routing: PlanRouting, why: string): PlanStep => ({
    tool: removePermissionsFromUsers.name,
    arguments: { permissionIds, userIds, ...withProject(routing) },
    why,
  }),
  /** Profiles are outside projects: `assign_profile` takes no project. The window is copied as given. */
  assignProfile: (
    profileId: string,
    userIds: string[],
    window: ValidityWindow,
    routing: PlanRouting,
    why: string,
  ): PlanStep => ({
    tool: assignProfile.name,
    arguments: {
      profileId,
      userIds,
      ...(window.validityStartTime === undefined ? {} : { validityStartTime: window.validityStartTime }),
      ...(window.validityEndTime === undefined ? {} : { validityEndTime: window.validityEndTime }),
      ...tenantOnly(routing),
    },
    why,
  }),
  removeProfile: (profileId: string, userIds: string[], routing: PlanRouting, why: string): PlanStep => ({
    tool: removeProfile.name,
    arguments: { profileId, userIds, ...tenantOnly(routing) },
    why,
  }),
};

/** `1. add_users_to_group {"userGroupId":"ug-1","userIds":["u-1"]}: why` per step. */
export const planLines = (plan: readonly PlanStep[]): string[] =>
  plan.map((step, i) => `${i + 1}. ${step.tool} ${JSON.stringify(step.arguments)}: ${step.why}`);
