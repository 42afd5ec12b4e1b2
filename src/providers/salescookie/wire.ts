// Wire shapes the vendor documents (or OData V4 defines): the REST paths, the SetUser and team-member bodies,
// and the OData collection envelope. Shapes nobody has confirmed live are in unverified-wire.ts.
import { z } from 'zod';
import { SALESCOOKIE_ROLES } from './roles.js';

/** REST endpoints under the base URL, all POST with `X-ApiKey` and a JSON body (reference B.3, B.4). */
export const REST_PATHS = {
  setUser: '/Api/SetUser',
  createTeamMember: '/Api/CreateTeamMember',
  deleteTeamMember: '/Api/DeleteTeamMember',
} as const;

export const API_KEY_HEADER = 'X-ApiKey';

/** The OData service root below the base URL; the API key is a path segment (reference B.6). */
export function odataRoot(baseUrl: string, apiKey: string): string {
  return `${baseUrl}/odata/${encodeURIComponent(apiKey)}`;
}

/** SetUser's fields besides the e-mail: role required, the rest optional; tags and aliases pipe-delimited. */
export const SetUserFields = z.strictObject({
  role: z.enum(SALESCOOKIE_ROLES),
  firstName: z.string().optional(),
  lastName: z.string().optional(),
  tags: z.string().optional(),
  aliases: z.string().optional(),
});

/** CreateTeamMember and DeleteTeamMember take the same body: two GUIDs of this workspace. */
export const TeamMemberBody = z.strictObject({ systemUserId: z.guid(), teamId: z.guid() });

/** An OData V4 collection: rows in `value`; `@odata.nextLink` when the server cut the page short. */
export const ODataCollection = z.object({
  value: z.array(z.unknown()),
  '@odata.nextLink': z.string().optional(),
});
