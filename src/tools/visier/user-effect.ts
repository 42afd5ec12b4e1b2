import type { User, UserInclude, UserPatch } from '../../providers/visier/api.js';
import { quoted } from '../shared/format.js';
import { escalation } from './access-effect.js';
import type { PermissionCatalogue } from './permission-catalogue.js';
import { holdings, identityLine } from './preview.js';

// When a profile change is an access change. Access in Visier is held three ways: permissions, user groups and
// profiles (a profile carries capabilities such as UserManagement). A profile change is an access change when it
// moves or re-targets what such a holder can see or do:
// - username or email: moves the sign-in, and with it everything the user holds, to whoever owns the new one;
// - employeeId: re-points the account at another employee record, and populations ("Direct and Indirect
//   Reports") and dynamic filters are matched against that record, so what the user sees changes. That holds
//   for every account, not only holders: Visier lists nobody a dynamic filter adds, so "holds nothing" cannot be
//   known, and linking any account (a new one too) to an employee record is an access change;
// - accountEnabled true on a disabled account: gives its holdings back.
// displayName is a label no access decision reads (it is still identity in every preview, so renaming voids an
// approval); disabling an account only takes access away.

/** What a preview of a profile change reads with each user: every way access is held, in the same call. */
export const HOLDINGS: UserInclude = { permissions: true, userGroups: true, profiles: true };

/** The profile fields whose change moves or re-targets a holder's access. */
const ACCESS_FIELDS = ['username', 'email', 'employeeId'] as const;

/** Whether a patch could be elevated for some user: the guard then takes the preview at any size. */
export const mayChangeAccess = (patch: UserPatch): boolean =>
  ACCESS_FIELDS.some((k) => patch[k] !== undefined) || patch.accountEnabled === true;

/** Whether the user holds any access at all: a permission, a user group or a profile. `user` read with HOLDINGS. */
export const holdsAccess = (user: User): boolean =>
  (user.permissions?.length ?? 0) + (user.userGroups?.length ?? 0) + (user.profiles?.length ?? 0) > 0;

/**
 * Why this patch of this user is elevated (empty when it is not): a username, email or employeeId change of a
 * user who holds any permission, group or profile, or `accountEnabled: true` on a disabled account. `user` must
 * have been read with `HOLDINGS`.
 */
export function elevatedProfileChange(user: User, patch: UserPatch): string[] {
  const moved = ACCESS_FIELDS.filter((k) => patch[k] !== undefined && patch[k] !== user[k]);
  return [
    ...(holdsAccess(user) && moved.length
      ? [`${moved.join(' and ')} change of a user holding permissions, groups or profiles`]
      : []),
    ...(reEnables(user, patch) ? ['disabled account re-enabled'] : []),
  ];
}

/** Whether the patch enables an account now disabled: it can use again everything it holds. */
export const reEnables = (user: User, patch: UserPatch): boolean =>
  patch.accountEnabled === true && user.accountEnabled === false;

/**
 * What a re-enabled account can use again (`permissionIds`: every permission it holds, directly or through its
 * groups), as an `after` line, and why that is elevated: a privileged one regained, as a grant would say.
 */
export function regained(
  permissionIds: readonly string[],
  catalogue: PermissionCatalogue,
): { line: string; elevated: string[]; privileged: string[] } {
  const ids = [...new Set(permissionIds)].sort();
  const privileged = catalogue.privileged(ids);
  return {
    line: `can use again ${catalogue.describe(ids)}`,
    elevated: escalation(privileged, 'regains'),
    privileged,
  };
}

/**
 * Whether the change links the account (`user`, or a new one when undefined) to another employee record: an
 * access change for every account, holder or not, as said above. Not marked elevated: the preview shows the new
 * employeeId, and a correction of many records stays one change a person can count.
 */
export const RELINK_REASON = 'links an account to another employee record, which populations and dynamic filters match';

export const relinksEmployee = (user: User | undefined, patch: { employeeId?: string | undefined }): boolean =>
  patch.employeeId !== undefined && patch.employeeId !== user?.employeeId;

/** A user as a profile change's `before`: who they are, what they hold, and the current value of each field changed. */
export function profileBefore(user: User, changed: readonly (keyof UserPatch)[]): string[] {
  return [identityLine(user), ...holdings(user), ...changed.map((k) => `${k}: ${quoted(user[k] ?? null)}`)];
}
