// Reads a user create or update DTO (every field a string, accountEnabled "true"/"false").
import { badRequest } from '../status-error.js';
import { accountEnabledField, objectBody, optionalString } from './params.js';
import type { UserFields } from './tenant-state.js';

export function userPatchInput(value: unknown): Partial<UserFields> {
  const record = objectBody(value);
  const patch: Partial<UserFields> = {};
  for (const key of ['username', 'displayName', 'employeeId', 'email'] as const) {
    const field = optionalString(record, key);
    if (field !== undefined) patch[key] = field;
  }
  const enabled = accountEnabledField(record);
  if (enabled !== undefined) patch.accountEnabled = enabled;
  return patch;
}

/** A new user is enabled unless told otherwise; email defaults to the username, as Visier suggests. */
export function userCreateInput(value: unknown): UserFields {
  const patch = userPatchInput(value);
  const username = patch.username ?? '';
  return {
    username,
    displayName: patch.displayName ?? username,
    employeeId: patch.employeeId ?? '',
    email: patch.email ?? username,
    accountEnabled: patch.accountEnabled ?? true,
  };
}

/**
 * A PUT body read as Visier's PUTs behave (reference section 8): the record replaces the user's, so an omitted
 * field is removed (an empty string; `accountEnabled` its proto3 default, false). A username cannot be removed.
 */
export function userReplaceInput(value: unknown): UserFields {
  const patch = userPatchInput(value);
  if (!patch.username) throw badRequest('username is required: a PUT replaces the whole user');
  return {
    username: patch.username,
    displayName: patch.displayName ?? '',
    employeeId: patch.employeeId ?? '',
    email: patch.email ?? '',
    accountEnabled: patch.accountEnabled ?? false,
  };
}
