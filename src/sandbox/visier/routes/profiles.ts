// Profiles: the catalogue, a user's profiles, and assigning or removing a profile for a list of users. Each user's
// outcome is reported in the 200 (`badUserIds`, `failedAssignments`, `successfulAssignments` / `failed`,
// `succeeded`); a body that cannot be read fails the whole call. Validity belongs to each assignment.

import { badRequest, newRci } from '../../status-error.js';
import type { Route } from '../context.js';
import { objectBody, optionalString, stringArray } from '../params.js';
import type { ProfileRecord } from '../tenant-state.js';
import { userProfilesDto } from '../user-dtos.js';

const profileDto = ({ profileId, displayName, capabilities, additionalCapabilities }: ProfileRecord) => ({
  profileId,
  displayName,
  capabilities,
  additionalCapabilities,
});

/** Validity is a date-time in epoch milliseconds, as a string (as V3's `ProfileAssignmentDTO` documents). */
function epochField(record: Record<string, unknown>, name: string): string | undefined {
  const value = optionalString(record, name);
  if (value === undefined || value === '') return undefined;
  if (!/^-?\d+$/.test(value) || !Number.isSafeInteger(Number(value))) {
    throw badRequest(`'${name}' must be epoch milliseconds as a string, got '${value}'`);
  }
  return value;
}

function targetUserIds(record: Record<string, unknown>): string[] {
  const userIds = stringArray(record.targetUserIds, 'targetUserIds');
  if (userIds.length === 0) throw badRequest("'targetUserIds' must name at least one user");
  return userIds;
}

const userError = (errorCode: string, errorMessage: string) => ({ rootCauseId: newRci(), errorCode, errorMessage });

export const profileRoutes: Route[] = [
  {
    method: 'GET',
    path: '/v1/admin/profiles',
    handle: ({ tenant }) => ({ status: 200, json: { profiles: [...tenant.profiles.values()].map(profileDto) } }),
  },
  {
    method: 'GET',
    path: '/v1/admin/profiles/:profileId',
    handle: ({ params, tenant }) => ({
      status: 200,
      json: profileDto(tenant.requireProfile(params.profileId as string)),
    }),
  },
  {
    method: 'PUT',
    path: '/v1/admin/profiles/:profileId/assign',
    handle({ body, params, tenant, actor }) {
      const profile = tenant.requireProfile(params.profileId as string);
      const record = objectBody(body);
      const userIds = targetUserIds(record);
      const validityStartTime = epochField(record, 'validityStartTime');
      const validityEndTime = epochField(record, 'validityEndTime');
      if (validityStartTime !== undefined && validityEndTime !== undefined) {
        if (Number(validityEndTime) <= Number(validityStartTime)) {
          throw badRequest("'validityEndTime' must be after 'validityStartTime'");
        }
      }
      const badUserIds: { userId: string; error: ReturnType<typeof userError> }[] = [];
      const successfulAssignments: { userId: string }[] = [];
      for (const userId of new Set(userIds)) {
        const user = tenant.getUser(userId);
        if (!user) {
          badUserIds.push({ userId, error: userError('NotFound', `User '${userId}' was not found`) });
          continue;
        }
        tenant.assignProfile(user, {
          profileId: profile.profileId,
          ...(validityStartTime === undefined ? {} : { validityStartTime }),
          ...(validityEndTime === undefined ? {} : { validityEndTime }),
        });
        tenant.record(actor, 'ProfileAssigned', `${profile.displayName} -> ${user.username}`);
        successfulAssignments.push({ userId });
      }
      return {
        status: 200,
        json: { errors: badUserIds.length > 0, badUserIds, failedAssignments: [], successfulAssignments },
      };
    },
  },
  {
    method: 'DELETE',
    path: '/v1/admin/profiles/:profileId/remove',
    handle({ body, params, tenant, actor }) {
      const profile = tenant.requireProfile(params.profileId as string);
      const failed: { userId: string; message: string }[] = [];
      const succeeded: { userId: string }[] = [];
      for (const userId of new Set(targetUserIds(objectBody(body)))) {
        const user = tenant.getUser(userId);
        if (!user) failed.push({ userId, message: `User '${userId}' was not found` });
        else if (!tenant.removeProfile(user, profile.profileId)) {
          failed.push({ userId, message: `User '${userId}' does not have profile '${profile.profileId}'` });
        } else {
          tenant.record(actor, 'ProfileRemoved', `${profile.displayName} -> ${user.username}`);
          succeeded.push({ userId });
        }
      }
      return { status: 200, json: { failed, succeeded } };
    },
  },
  {
    method: 'GET',
    path: '/v1/admin/users/:userId/profiles',
    handle: ({ params, tenant }) => ({
      status: 200,
      json: userProfilesDto(tenant, tenant.requireUser(params.userId as string)),
    }),
  },
];
