// The verified part of the Sisense for Cloud Data Teams wire: what the vendor's own examples show (seed 002,
// reference A.2-A.4, A.6). Everything the reference marks UNVERIFIED lives in unverified-wire.ts instead.
import { z } from 'zod';

/** `HTTP-X-PARTNER-AUTH: <site>:<api-key>` on every call [vendor]. */
export const PARTNER_AUTH_HEADER = 'HTTP-X-PARTNER-AUTH';
/** The user a single-user call addresses; users are never in the path [vendor-example]. */
export const EMAIL_HEADER = 'HTTP-X-EMAIL';
/** `?test_mode=true` on a write validates without storing [vendor-example, 3rd-party]. */
export const TEST_MODE_PARAM = 'test_mode';

export const USERS_PATH = '/api/v1/users';
export const GROUPS_PATH = '/api/v1/groups';

/** POST /api/v1/users, as in the vendor example: groups by name, the inviting admin by e-mail. */
export const wireUserCreate = z.strictObject({
  first_name: z.string(),
  last_name: z.string(),
  email: z.string(),
  groups: z.array(z.string()),
  invited_by_email: z.string(),
});
export type WireUserCreate = z.infer<typeof wireUserCreate>;

/**
 * PUT /api/v1/users with HTTP-X-EMAIL: the example sends only the names. `groups` on PUT is the client's
 * membership change; whether it replaces or adds is UNVERIFIED (see unverified-wire.ts, GROUPS_ON_PUT).
 */
export const wireUserUpdate = z.strictObject({
  first_name: z.string().optional(),
  last_name: z.string().optional(),
  groups: z.array(z.string()).optional(),
});
export type WireUserUpdate = z.infer<typeof wireUserUpdate>;
