import { z } from 'zod';
import { counted } from '../../grammar.js';
import { fencedText, pageHeader, quoted } from '../shared/format.js';
import { localPage } from '../shared/paging.js';
import { defineTool } from './define.js';
import { cursor, limit, pageOutput, teamId, teamOut, userIds, userOut } from './fields.js';
import { changeMembership, membershipPreview } from './membership.js';
import { NO_SUCH_TEAM, naming } from './not-found.js';
import { bulkAnswer, bulkOut } from './results.js';
import { userLine, userOutOf } from './users.js';

// Teams in Sales Cookie's own terms: a team groups users for plans and reporting, and membership is how a
// manager's view and a plan's crediting reach people, so every membership change is an `access` change.

const LIST_MAX = 1000;
const LIST_DEFAULT = 100;

const teamLine = (team: z.infer<typeof teamOut>) =>
  `${team.teamId} ${quoted(team.name)}${team.description ? ` ${quoted(team.description)}` : ''}${team.parentTeamId ? ` parent:${team.parentTeamId}` : ''}`;

export const listTeams = defineTool({
  name: 'list_teams',
  title: 'List teams',
  description: 'Lists the workspace teams (id, name, description, parent), one page at a time.',
  classification: 'read',
  inputSchema: { limit: limit(LIST_MAX, LIST_DEFAULT), cursor },
  outputSchema: { teams: z.array(teamOut), ...pageOutput },
  handler: async (args, ctx) => {
    const page = await ctx.api.listTeams({ limit: LIST_MAX }, ctx.call);
    const local = localPage(page.items, teamLine, args, LIST_DEFAULT, ctx);
    return {
      text: fencedText(
        pageHeader(counted(local.items.length, 'team'), local.nextCursor, local.cappedBySize),
        local.lines,
        ctx,
      ),
      structured: {
        teams: local.items,
        returned: local.items.length,
        ...(local.nextCursor ? { nextCursor: local.nextCursor } : {}),
      },
    };
  },
});

export const getTeam = defineTool({
  name: 'get_team',
  title: 'Get team',
  description: 'Gets one team and its members (e-mail, role, name).',
  classification: 'read',
  inputSchema: { teamId },
  outputSchema: { team: teamOut, members: z.array(userOut) },
  handler: async (args, ctx) => {
    const team = await naming('teamId', NO_SUCH_TEAM, () => ctx.api.getTeam(args.teamId, ctx.call));
    const memberships = await ctx.api.listTeamMembers(team.teamId, ctx.call);
    const members = await ctx.api.usersById(
      memberships.map((m) => m.systemUserId),
      ctx.call,
    );
    return {
      text: fencedText(
        `Team with ${counted(members.length, 'member')}:`,
        [teamLine(team), ...members.map(userLine)],
        ctx,
      ),
      structured: { team, members: members.map(userOutOf) },
    };
  },
});

const membershipInput = { teamId, userIds };

export const addUsersToTeam = defineTool({
  name: 'add_users_to_team',
  title: 'Add users to team',
  description: 'Adds users (by e-mail) to a team; reports each as succeeded, failed or not attempted.',
  classification: 'access',
  inputSchema: membershipInput,
  outputSchema: bulkOut,
  itemCount: (args) => args.userIds.length,
  preview: (args, ctx) => membershipPreview(ctx, args.teamId, args.userIds, true),
  handler: async (args, ctx) =>
    bulkAnswer('Add to team', await changeMembership(ctx, args.teamId, args.userIds, true), ctx),
});

export const removeUsersFromTeam = defineTool({
  name: 'remove_users_from_team',
  title: 'Remove users from team',
  description: 'Removes users (by e-mail) from a team; reports each as succeeded, failed or not attempted.',
  classification: 'access',
  inputSchema: membershipInput,
  outputSchema: bulkOut,
  itemCount: (args) => args.userIds.length,
  preview: (args, ctx) => membershipPreview(ctx, args.teamId, args.userIds, false),
  handler: async (args, ctx) =>
    bulkAnswer('Remove from team', await changeMembership(ctx, args.teamId, args.userIds, false), ctx),
});

export const TEAM_TOOLS = [listTeams, getTeam, addUsersToTeam, removeUsersFromTeam];
