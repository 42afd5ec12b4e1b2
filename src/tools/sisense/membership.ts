import type { ImpactTarget } from '../../contract/tool.js';
import { counted } from '../../grammar.js';
import { ALL_USERS, sameName } from '../../providers/sisense/domain.js';
import { ToolArgumentError } from '../shared/errors.js';
import { quoted } from '../shared/format.js';
import { countPhrase, fingerprintOf } from '../visier/preview.js';
import { defineTool, siteOf, type ToolContext } from './define.js';
import { routing, userGroupId, userIds } from './fields.js';
import { outcome } from './outcome.js';
import {
  currentUser,
  dryRunItem,
  fullName,
  grantNames,
  groupsLine,
  identityOf,
  joinsPrivileged,
  missingUser,
  privilegedAmong,
} from './preview.js';
import { bulkOut } from './schemas.js';

// Joining and leaving a group by name. Sisense has no membership endpoint: each user's whole group list is PUT
// with the group added or removed, which is what the dry run sends too.

type Direction = 'add' | 'remove';

async function membershipPreview(
  args: { userGroupId: string; userIds: string[] },
  ctx: ToolContext,
  direction: Direction,
) {
  const { client, options } = siteOf(ctx);
  const group = await client.getGroup(args.userGroupId, options);
  const privileged = direction === 'add' ? privilegedAmong([group.name], [group]) : [];
  const targets: ImpactTarget[] = [];
  for (const email of [...new Set(args.userIds)]) {
    const user = await currentUser(ctx, email);
    if (!user) {
      targets.push(missingUser(email));
      continue;
    }
    const member = user.groups.some((g) => sameName(g, group.name));
    const groups =
      direction === 'add' ? [...user.groups, group.name] : user.groups.filter((g) => !sameName(g, group.name));
    const changes = direction === 'add' ? !member : member;
    const answer = changes
      ? await dryRunItem(() => client.updateUser(email, { groups }, { ...options, dryRun: true }))
      : 'no change needed';
    targets.push({
      kind: 'user',
      id: user.email,
      ...(fullName(user) ? { name: fullName(user) } : {}),
      before: [`identity: ${identityOf(user)}`, groupsLine([...user.groups].sort())],
      after: [groupsLine([...(changes ? groups : user.groups)].sort()), answer],
      change: changes ? `${direction === 'add' ? 'joins' : 'leaves'} ${quoted(group.name)}` : 'no change needed',
      ...(changes && privileged.length ? { elevated: joinsPrivileged(privileged) } : {}),
    });
  }
  const joining = targets.filter((t) => t.elevated).length;
  const verb = direction === 'add' ? 'Add' : 'Remove';
  const where = direction === 'add' ? 'to' : 'from';
  return {
    summary: `${verb} ${countPhrase(targets.length, 'user', targets.filter((t) => t.missing).length)} ${where} group ${quoted(group.name)} (grants ${group.privileged ? 'Admin' : (group.accessLevel ?? 'an unknown level')})`,
    targets,
    fingerprint: fingerprintOf(targets, [ctx.call.site, group.name, group.accessLevel ?? null]),
    peopleReached: targets.filter((t) => !t.missing).length,
    ...(joining ? { privilegedGrants: grantNames(privileged) } : {}),
  };
}

export const addUsersToGroup = defineTool({
  name: 'add_users_to_group',
  title: 'Add users to group',
  description: 'Adds users to a group by name; they gain the access level it grants (Administrators: Admin).',
  classification: 'access',
  inputSchema: { userGroupId, userIds, ...routing },
  outputSchema: bulkOut,
  itemCount: (args) => new Set(args.userIds).size,
  preview: (args, ctx) => membershipPreview(args, ctx, 'add'),
  handler: async (args, ctx) => {
    const { client, options } = siteOf(ctx);
    const result = await client.addUsersToGroup(args.userGroupId, [...new Set(args.userIds)], {
      ...options,
      onProgress: ctx.progress,
    });
    return outcome(`Add ${counted(result.items.length, 'user')} to the group`, result, ctx);
  },
});

export const removeUsersFromGroup = defineTool({
  name: 'remove_users_from_group',
  title: 'Remove users from group',
  description: `Removes users from a group by name; they lose the access level it granted. ${ALL_USERS} cannot be left.`,
  classification: 'access',
  inputSchema: { userGroupId, userIds, ...routing },
  outputSchema: bulkOut,
  itemCount: (args) => new Set(args.userIds).size,
  preview: (args, ctx) => {
    if (sameName(args.userGroupId, ALL_USERS)) {
      throw new ToolArgumentError('userGroupId', `'${ALL_USERS}' holds every user; no one can leave it`);
    }
    return membershipPreview(args, ctx, 'remove');
  },
  handler: async (args, ctx) => {
    const { client, options } = siteOf(ctx);
    const result = await client.removeUsersFromGroup(args.userGroupId, [...new Set(args.userIds)], {
      ...options,
      onProgress: ctx.progress,
    });
    return outcome(`Remove ${counted(result.items.length, 'user')} from the group`, result, ctx);
  },
});

export const MEMBERSHIP_TOOLS = [addUsersToGroup, removeUsersFromGroup];
