import type { Permission } from '../../providers/visier/api.js';
import type { ToolContext } from './define.js';
import { describeRefs } from './preview.js';

// The permissions a preview names, read once per preview, and which of them the operator's policy calls
// privileged.

/** The permission catalogue a preview names permissions with, and which of them are privileged. */
export interface PermissionCatalogue {
  has(permissionId: string): boolean;
  name(permissionId: string): string | undefined;
  /** `Name (id), ...` or "none". */
  describe(permissionIds: readonly string[]): string;
  /** Display names (the id when unnamed) of the privileged permissions among `permissionIds`. */
  privileged(permissionIds: readonly string[]): string[];
}

/**
 * One `listPermissions` call, with details: the names previews show and the capability config the privileged
 * rule reads (see `privilegedPolicy`).
 */
export async function permissionCatalogue(ctx: ToolContext): Promise<PermissionCatalogue> {
  return catalogueOf(await ctx.api.listPermissions({ includeDetails: true }, ctx.call), ctx);
}

/** The catalogue over permissions already read (a directory snapshot's, with details), at no call. */
export function catalogueOf(all: Iterable<Permission>, ctx: Pick<ToolContext, 'privileged'>): PermissionCatalogue {
  const byId = new Map([...all].map((p) => [p.permissionId, p]));
  return {
    has: (permissionId) => byId.has(permissionId),
    name: (permissionId) => byId.get(permissionId)?.displayName,
    describe: (permissionIds) => describeRefs(permissionIds.map((i) => ({ id: i, name: byId.get(i)?.displayName }))),
    privileged: (permissionIds) =>
      [...new Set(permissionIds)].flatMap((i) => {
        const permission = byId.get(i);
        return permission && ctx.privileged.isPrivileged(permission) ? [permission.displayName ?? i] : [];
      }),
  };
}
