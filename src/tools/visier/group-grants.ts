import type { UserGroupSummary } from '../../providers/visier/api.js';
import type { ToolContext } from './define.js';

// What each user group grants, for reads that must say through which group a permission is held: Visier says
// that a user holds a permission through "a user group", and which groups a user is in, but not which group.

/** Visier's largest user-group page. */
const GROUP_PAGE = 1000;

/**
 * Groups with the permissions each grants (id and name, as Visier's V1 group list sends them), keyed by
 * userGroupId. Reads page after page of `GET /v1/admin/user-groups` (one page of 1,000 groups covers most
 * tenants) and stops once every id in `wanted` was seen; without `wanted` it reads every page.
 */
export async function groupGrants(
  ctx: ToolContext,
  wanted?: ReadonlySet<string>,
): Promise<Map<string, UserGroupSummary>> {
  const found = new Map<string, UserGroupSummary>();
  for (let start = 0; ; start += GROUP_PAGE) {
    const page = await ctx.api.listUserGroups({ start, limit: GROUP_PAGE }, ctx.call);
    for (const group of page.items) found.set(group.userGroupId, group);
    const seenAll = wanted !== undefined && [...wanted].every((id) => found.has(id));
    if (seenAll || page.items.length < GROUP_PAGE) return found;
    ctx.signal.throwIfAborted();
  }
}
