// From the wire's snake_case objects to the domain types and back. Directory text is carried unchanged:
// it is data, whatever it says.
import {
  ACCESS_LEVELS,
  type AccessLevel,
  type Group,
  type GroupPatch,
  isPrivilegedGroup,
  type NewGroup,
  type NewUser,
  type User,
  type UserPatch,
} from './domain.js';
import {
  ACCESS_KEY,
  WIRE_ACCESS,
  type WireGroup,
  type WireGroupCreate,
  type WireGroupUpdate,
  type WireUser,
} from './unverified-wire.js';
import type { WireUserCreate, WireUserUpdate } from './wire.js';

export function fromWireUser(wire: WireUser): User {
  return defined({
    email: wire.email,
    firstName: wire.first_name ?? undefined,
    lastName: wire.last_name ?? undefined,
    groups: (wire.groups ?? []).map((g) => (typeof g === 'string' ? g : g.name)),
    id: wire.id === undefined ? undefined : String(wire.id),
    invitedByEmail: wire.invited_by_email ?? undefined,
    createdAt: wire.created_at ?? undefined,
  });
}

export function fromWireGroup(wire: WireGroup): Group {
  const access = wire[ACCESS_KEY] ?? undefined;
  const accessLevel = access === undefined ? undefined : accessLevelOf(access);
  return defined({
    name: wire.name,
    accessLevel,
    access,
    privileged: isPrivilegedGroup({ name: wire.name, accessLevel }),
    id: wire.id === undefined ? undefined : String(wire.id),
    createdByEmail: wire.created_by_email ?? undefined,
    createdAt: wire.created_at ?? undefined,
  }) as Group;
}

export function toWireUserCreate(user: NewUser): WireUserCreate {
  return {
    first_name: user.firstName,
    last_name: user.lastName,
    email: user.email,
    groups: user.groups ?? [],
    invited_by_email: user.invitedByEmail,
  };
}

export function toWireUserUpdate(patch: UserPatch & { groups?: string[] }): WireUserUpdate {
  return defined({ first_name: patch.firstName, last_name: patch.lastName, groups: patch.groups });
}

export function toWireGroupCreate(group: NewGroup): WireGroupCreate {
  return defined({
    name: group.name,
    [ACCESS_KEY]: WIRE_ACCESS[group.accessLevel],
    created_by_email: group.createdByEmail,
  });
}

export function toWireGroupUpdate(patch: GroupPatch): WireGroupUpdate {
  return defined({
    name: patch.name,
    [ACCESS_KEY]: patch.accessLevel === undefined ? undefined : WIRE_ACCESS[patch.accessLevel],
    updated_by_email: patch.updatedByEmail,
  });
}

function accessLevelOf(access: string): AccessLevel | undefined {
  const folded = access.trim().toLowerCase();
  return ACCESS_LEVELS.find((level) => WIRE_ACCESS[level].toLowerCase() === folded);
}

/** Drops undefined fields, so results and bodies carry only what is known. */
function defined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
