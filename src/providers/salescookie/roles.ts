// Sales Cookie's workspace roles (vendor KB "How can I programmatically create or update users?") and what each
// means to the guards: FullAdmin is the privileged one (it may use the APIs and change every user), Deactivated
// is the destructive one (there is no delete).

export const SALESCOOKIE_ROLES = ['FullAdmin', 'LimitedAdmin', 'Participant', 'Deactivated'] as const;
export type SalescookieRole = (typeof SALESCOOKIE_ROLES)[number];

/** True for the role whose grant is a privileged change: FullAdmin. */
export function isPrivilegedRole(role: SalescookieRole): boolean {
  return role === 'FullAdmin';
}

/** True for the role that takes a user's access away: Deactivated, Sales Cookie's only removal. */
export function isDeactivatingRole(role: SalescookieRole): boolean {
  return role === 'Deactivated';
}
