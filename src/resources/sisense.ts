// Sisense's resources: the collections (users, groups) of the default site and templates for one user and one
// group (with its members), with completion of e-mails and group names.
import { type Resource, ResourceTemplate } from '@modelcontextprotocol/server';
import type { User } from '../providers/sisense/domain.js';
import type { SisenseSites } from '../providers/sisense/sites.js';
import type { SisenseCall } from '../tools/sisense/define.js';
import { siteOf } from '../tools/sisense/define.js';
import {
  COLLECTION_MAX,
  COMPLETION_GATHER,
  completeFromPages,
  firstValue,
  JSON_TYPE,
  json,
  type ProviderResources,
} from './index.js';

export const sisenseResources: ProviderResources<SisenseSites, SisenseCall> = (server, read) => {
  const completeUserId = (value: string) =>
    read('complete:userId', {}, (ctx) => {
      const { client, options } = siteOf(ctx);
      async function* pages() {
        let pageStart: string | undefined;
        do {
          const page = await client.listUsersPage(pageStart === undefined ? {} : { pageStart }, options);
          yield page.items;
          pageStart = page.nextPageStart;
        } while (pageStart !== undefined);
      }
      return completeFromPages(
        value,
        pages(),
        (u) => [u.email, u.firstName, u.lastName],
        (u) => u.email,
      );
    });
  const completeGroupId = (value: string) =>
    read('complete:userGroupId', {}, async (ctx) => {
      const { client, options } = siteOf(ctx);
      const prefix = value.toLowerCase();
      return (await client.listGroups(options))
        .filter((g) => g.name.toLowerCase().startsWith(prefix))
        .slice(0, COMPLETION_GATHER)
        .map((g) => g.name);
    });

  const statics: Resource[] = [
    { uri: 'sisense://users', name: 'users', description: 'The first 1,000 users of the site', mimeType: JSON_TYPE },
    {
      uri: 'sisense://user-groups',
      name: 'user-groups',
      description: 'Every group of the site with its access level',
      mimeType: JSON_TYPE,
    },
  ];
  const [usersRes, groupsRes] = statics as [Resource, Resource];

  server.registerResource(usersRes.name, usersRes.uri, usersRes, async (uri, extra) =>
    json(
      uri,
      await read('users', { extra, uri }, async (ctx) => {
        const { client, options } = siteOf(ctx);
        // Pages only until the collection is full: a 10,000-user site is 200 pages.
        const users: User[] = [];
        let pageStart: string | undefined;
        do {
          const page = await client.listUsersPage(pageStart === undefined ? {} : { pageStart }, options);
          users.push(...page.items);
          pageStart = page.nextPageStart;
        } while (pageStart !== undefined && users.length < COLLECTION_MAX);
        return { users: users.slice(0, COLLECTION_MAX) };
      }),
    ),
  );
  server.registerResource(groupsRes.name, groupsRes.uri, groupsRes, async (uri, extra) =>
    json(
      uri,
      await read('user-groups', { extra, uri }, async (ctx) => {
        const { client, options } = siteOf(ctx);
        return { userGroups: await client.listGroups(options) };
      }),
    ),
  );

  // The SDK hands template variables over still percent-encoded; e-mails and group names (spaces) need decoding.
  // A malformed escape is kept as sent, for Sisense to answer not found.
  const one = (v: string | string[] | undefined) => {
    const raw = firstValue(v);
    try {
      return decodeURIComponent(raw);
    } catch {
      return raw;
    }
  };

  server.registerResource(
    'user',
    new ResourceTemplate('sisense://users/{userId}', { list: undefined, complete: { userId: completeUserId } }),
    { description: 'One user (by e-mail) with their groups', mimeType: JSON_TYPE },
    async (uri, vars, extra) => {
      const userId = one(vars.userId);
      return json(
        uri,
        await read('user', { extra, uri }, (ctx) => {
          const { client, options } = siteOf(ctx);
          return client.getUser(userId, options);
        }),
      );
    },
  );
  server.registerResource(
    'user-group',
    new ResourceTemplate('sisense://user-groups/{userGroupId}', {
      list: undefined,
      complete: { userGroupId: completeGroupId },
    }),
    { description: 'One group (by name) with its access level and members', mimeType: JSON_TYPE },
    async (uri, vars, extra) => {
      const userGroupId = one(vars.userGroupId);
      return json(
        uri,
        await read('user-group', { extra, uri }, async (ctx) => {
          const { client, options } = siteOf(ctx);
          const { group: userGroup, members } = await client.getGroupWithMembers(userGroupId, options);
          return { userGroup, members };
        }),
      );
    },
  );

  return statics;
};
