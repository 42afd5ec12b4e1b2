// A cached read as replicas share it in Redis (`--redis-url`): JSON in an envelope, and the checks a value read back
// must pass before it is used.
import { z } from 'zod';
import { storeDigest } from '../../shared-state/digest.js';
import type { CachedRead } from './cache.js';

// What a shared read must look like to be used: it comes from Redis, so it is untrusted directory data. The
// envelope's version and key bind it to this code and this read (a value stored under another key, or by another
// version, is a miss); the value's outline is the shape the client's mapping gives each read.
const SHARED_FORMAT = 1;
const sharedEnvelope = z.object({ format: z.literal(SHARED_FORMAT), key: z.string(), value: z.unknown() });
// Outlines only: each record's identifying fields (what callers key on), the rest passed as stored.
const user = z.looseObject({ userId: z.string(), username: z.string() });
const permission = z.looseObject({ permissionId: z.string() });
const group = z.looseObject({ userGroupId: z.string() });
const profile = z.looseObject({ profileId: z.string() });
const page = <T extends z.ZodType>(item: T) =>
  z.looseObject({ items: z.array(item), limit: z.number(), start: z.number() });
const tenantUsers = page(
  z.looseObject({ tenantCode: z.string(), users: z.array(z.looseObject({ userId: z.string() })) }),
);
const SHARED_SHAPES: Record<CachedRead, z.ZodType> = {
  listUsers: page(user),
  getUser: user,
  listPermissions: z.array(permission),
  listUsersWithPermission: tenantUsers,
  listUserGroups: page(group),
  // A V2 definition's id is optional in the type (a definition to create has none); a read one carries it.
  listUserGroupsV2: page(group),
  getUserGroup: group,
  listUserGroupMembers: tenantUsers,
  employeesMatching: z.array(z.string()),
  listProfiles: z.array(profile),
  getProfile: profile,
  getUserProfiles: z.array(profile),
  listProjects: z.array(z.looseObject({ state: z.string(), project: z.looseObject({ projectId: z.string() }) })),
};

/** A read as kept in the shared store: JSON, tagged with the format and the digest of its key. */
export function sharedValue(key: string, value: unknown): string {
  return JSON.stringify({ format: SHARED_FORMAT, key: storeDigest(key), value });
}

/** The read a shared value holds, when it is one of this format, for this key, of `method`'s shape. */
export function parseShared(method: CachedRead, key: string, stored: string): { value: unknown } | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(stored);
  } catch {
    return undefined;
  }
  const envelope = sharedEnvelope.safeParse(parsed);
  if (!envelope.success || envelope.data.key !== storeDigest(key)) return undefined;
  const shape = SHARED_SHAPES[method];
  return shape.safeParse(envelope.data.value).success ? { value: envelope.data.value } : undefined;
}
