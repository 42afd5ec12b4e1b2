import type { User, UserPatch } from '../visier/api.js';
import { quoted } from './format.js';
import { describeRefs, identityLine } from './preview.js';

// When a profile change is an access change: a new username or email moves a privilege holder's sign-in (and
// with it everything they hold) to whoever owns the new one; re-enabling an account gives its holdings back.

/** Whether a patch could be elevated for some user: the guard then takes the preview at any size. */
export const mayChangeAccess = (patch: UserPatch): boolean =>
  patch.username !== undefined || patch.email !== undefined || patch.accountEnabled === true;

/**
 * Why this patch of this user is elevated (empty when it is not): a username or email change of a user who
 * holds any permission or group, or `accountEnabled: true` on a disabled account. `user` must carry its
 * `permissions` and `userGroups`.
 */
export function elevatedProfileChange(user: User, patch: UserPatch): string[] {
  const holds = (user.permissions?.length ?? 0) + (user.userGroups?.length ?? 0) > 0;
  const moved = (['username', 'email'] as const).filter((k) => patch[k] !== undefined && patch[k] !== user[k]);
  return [
    ...(holds && moved.length ? [`${moved.join(' and ')} change of a user holding permissions or groups`] : []),
    ...(patch.accountEnabled === true && user.accountEnabled === false ? ['disabled account re-enabled'] : []),
  ];
}

/** A user as a profile change's `before`: who they are, what they hold, and the current value of each field changed. */
export function profileBefore(user: User, changed: readonly (keyof UserPatch)[]): string[] {
  return [
    identityLine(user),
    `permissions: ${describeRefs((user.permissions ?? []).map((p) => ({ id: p.permissionId, name: p.displayName })))}`,
    `user groups: ${describeRefs((user.userGroups ?? []).map((g) => ({ id: g.userGroupId, name: g.displayName })))}`,
    ...changed.map((k) => `${k}: ${quoted(user[k] ?? null)}`),
  ];
}
