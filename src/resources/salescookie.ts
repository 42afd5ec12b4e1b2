// Sales Cookie's resources: the users and teams collections, and templates for one user (by e-mail) and one team
// with its members, every read through the guarded `read`.
import { type Resource, ResourceTemplate } from '@modelcontextprotocol/server';
import type { CallOptions, SalescookieClient } from '../providers/salescookie/index.js';
import {
  COLLECTION_MAX,
  COMPLETION_GATHER,
  completeFromPages,
  firstValue,
  JSON_TYPE,
  json,
  type ProviderResources,
} from './index.js';

export const salescookieResources: ProviderResources<SalescookieClient, CallOptions> = (server, read) => {
  const statics: Resource[] = [
    { uri: 'salescookie://users', name: 'users', description: 'The first 1,000 users', mimeType: JSON_TYPE },
    { uri: 'salescookie://teams', name: 'teams', description: 'The first 1,000 teams', mimeType: JSON_TYPE },
  ];
  const [usersRes, teamsRes] = statics as [Resource, Resource];

  server.registerResource(usersRes.name, usersRes.uri, usersRes, async (uri, extra) =>
    json(
      uri,
      await read('users', { extra, uri }, async (ctx) => ({
        users: (await ctx.api.listUsers({ limit: COLLECTION_MAX }, ctx.call)).items,
      })),
    ),
  );
  server.registerResource(teamsRes.name, teamsRes.uri, teamsRes, async (uri, extra) =>
    json(
      uri,
      await read('teams', { extra, uri }, async (ctx) => ({
        teams: (await ctx.api.listTeams({ limit: COLLECTION_MAX }, ctx.call)).items,
      })),
    ),
  );

  const completeUserId = (value: string) =>
    read('complete:userId', {}, (ctx) => {
      async function* pages() {
        for (let start = 0; ; ) {
          const users = await ctx.api.listUsers({ limit: COLLECTION_MAX, start }, ctx.call);
          yield users.items;
          if (!users.hasMore) return;
          start += users.items.length;
        }
      }
      return completeFromPages(
        value,
        pages(),
        (u) => [u.email, u.firstName, u.lastName],
        (u) => u.email,
      );
    });
  const completeTeamId = (value: string) =>
    read('complete:teamId', {}, async (ctx) => {
      const prefix = value.toLowerCase();
      const page = await ctx.api.listTeams({ limit: COLLECTION_MAX }, ctx.call);
      return page.items
        .filter((t) => [t.teamId, t.name].some((v) => v.toLowerCase().startsWith(prefix)))
        .slice(0, COMPLETION_GATHER)
        .map((t) => t.teamId);
    });

  server.registerResource(
    'user',
    new ResourceTemplate('salescookie://users/{userId}', { list: undefined, complete: { userId: completeUserId } }),
    { description: 'One user by e-mail, with role, tags and aliases', mimeType: JSON_TYPE },
    async (uri, vars, extra) => {
      const email = decodeURIComponent(firstValue(vars.userId));
      return json(
        uri,
        await read('user', { extra, uri }, async (ctx) => ({
          user: (await ctx.api.findUserByEmail(email, ctx.call)) ?? null,
        })),
      );
    },
  );
  server.registerResource(
    'team',
    new ResourceTemplate('salescookie://teams/{teamId}', { list: undefined, complete: { teamId: completeTeamId } }),
    { description: 'One team with the ids of its members', mimeType: JSON_TYPE },
    async (uri, vars, extra) => {
      const teamId = firstValue(vars.teamId);
      return json(
        uri,
        await read('team', { extra, uri }, async (ctx) => ({
          team: await ctx.api.getTeam(teamId, ctx.call),
          members: await ctx.api.listTeamMembers(teamId, ctx.call),
        })),
      );
    },
  );

  return statics;
};
