import type { ImpactPreview, ImpactTarget, PreviewRead } from '../../contract/tool.js';
import { type DirectoryGroup, loadGroupDefinitions } from '../../providers/visier/directory.js';
import { escalation, previewAccess } from './access-effect.js';
import type { ToolContext } from './define.js';
import { type PermissionCatalogue, permissionCatalogue } from './permission-catalogue.js';
import { describeRefs } from './preview.js';
import { RELINK_REASON, relinksEmployee } from './user-effect.js';

// What a new account can use the moment it exists. Visier makes every account a member of each group whose rule
// includes all users (`includeAllUsers`; a new account is on no group's exclusion list, having no id yet), so
// creating an account hands over what those groups grant: an access change whenever they grant anything. An
// account created disabled joins them too but can use nothing until it is enabled, and enabling a disabled
// account is an access change of its own (user-effect.ts).

/** The groups every new account joins, with the catalogue that names and judges what they grant. */
export interface AllUsersGroups {
  /** The groups whose rule includes all users, by id. */
  groups: DirectoryGroup[];
  catalogue: PermissionCatalogue;
}

/**
 * The all-users groups where the call lands. For what a person is shown first, from the directory snapshot (a
 * warm one costs no call); for a live read (`read.live`: the re-check before acting, and every first look whose
 * class rests on it), the group definitions and the permission catalogue, ceil((groups+1)/1000) + 1 calls,
 * whatever the number of users. Throws `VisierApiError` as the reads do.
 */
export async function allUsersGroups(ctx: ToolContext, read: PreviewRead): Promise<AllUsersGroups> {
  if (read.live) {
    const [{ groups }, catalogue] = await Promise.all([
      loadGroupDefinitions(ctx.api, ctx.call),
      permissionCatalogue(ctx),
    ]);
    return { groups: allUsersOf(groups.values()), catalogue };
  }
  const { snapshot, catalogue } = await previewAccess(ctx, read);
  return { groups: allUsersOf(snapshot.groups.values()), catalogue };
}

const allUsersOf = (groups: Iterable<DirectoryGroup>) =>
  [...groups]
    .filter((g) => g.users?.includeAllUsers === true)
    .sort((a, b) => (a.userGroupId < b.userGroupId ? -1 : a.userGroupId > b.userGroupId ? 1 : 0));

/** The profile fields of an account to create that decide what it can use. */
export interface NewAccount {
  employeeId?: string | undefined;
  accountEnabled?: boolean | undefined;
}

/** Whether the account could use anything the moment it exists: the guard then previews it at any size. */
export const mayHoldOnCreation = (account: NewAccount): boolean =>
  account.accountEnabled !== false || relinksEmployee(undefined, account);

/** What creating these accounts gives: the preview's parts that say it and decide its class. */
export interface CreationEffect {
  /** Each account's lines about the groups it joins and what it can then use (empty when it joins none). */
  accountLines(account: NewAccount): string[];
  /** One target per all-users group granting something, when an enabled account joins it. */
  groupTargets: ImpactTarget[];
  /** What the human approves beyond the accounts' own fields: each group joined and what it grants. */
  fingerprintPart: unknown;
  /** `access` when an enabled account gains a permission or any account is linked to an employee record. */
  fields: Pick<ImpactPreview, 'classification' | 'classificationReason' | 'privilegedGrants'>;
}

const groupRefs = (groups: readonly DirectoryGroup[]) =>
  describeRefs(groups.map((g) => ({ id: g.userGroupId, name: g.displayName })));

/** What creating `accounts` (as the call would create them) gives, where the call lands. */
export function creationEffect({ groups, catalogue }: AllUsersGroups, accounts: readonly NewAccount[]): CreationEffect {
  const granting = groups.filter((g) => g.permissionIds.length > 0);
  const permissionIds = [...new Set(granting.flatMap((g) => g.permissionIds))].sort();
  const gains = accounts.some((a) => a.accountEnabled !== false) && permissionIds.length > 0;
  const joins = groups.length === 1 ? 'all-users group' : 'all-users groups';
  const reasons = [
    ...(gains
      ? [
          `a new account joins ${joins} ${groupRefs(groups)} and can use what ${groups.length === 1 ? 'it grants' : 'they grant'}: ${catalogue.describe(permissionIds)}`,
        ]
      : []),
    ...(accounts.some((a) => relinksEmployee(undefined, a)) ? [RELINK_REASON] : []),
  ];
  const privileged = gains ? catalogue.privileged(permissionIds) : [];
  return {
    accountLines: (account) => {
      if (groups.length === 0) return [];
      const uses = permissionIds.length === 0 ? 'which grant nothing' : `gaining ${catalogue.describe(permissionIds)}`;
      return [
        `joins ${joins} ${groupRefs(groups)}, ${account.accountEnabled === false ? 'using nothing while the account is disabled' : uses}`,
      ];
    },
    groupTargets: gains
      ? granting.map((group) => {
          const elevated = escalation(catalogue.privileged(group.permissionIds), 'every new account gains');
          return {
            kind: 'user-group',
            id: group.userGroupId,
            ...(group.displayName === undefined ? {} : { name: group.displayName }),
            before: ['members: all users', `permissions: ${catalogue.describe(group.permissionIds)}`],
            change: 'every account created joins it',
            ...(elevated.length ? { elevated } : {}),
          };
        })
      : [],
    fingerprintPart: groups.map((g) => [g.userGroupId, [...g.permissionIds].sort()]),
    fields: {
      ...(reasons.length ? { classification: 'access' as const, classificationReason: reasons.join('; ') } : {}),
      ...(privileged.length ? { privilegedGrants: privileged } : {}),
    },
  };
}
