import { AsyncLocalStorage } from 'node:async_hooks';
import {
  type McpServer,
  ProtocolError,
  ProtocolErrorCode,
  type ReadResourceResult,
  type Resource,
  ResourceNotFoundError,
  ResourceTemplate,
} from '@modelcontextprotocol/server';
import type pino from 'pino';
import type { AnyToolDefinition, ToolContext } from '../contract/tool.js';
import type { Guard } from '../guards/guard.js';
import { labelDirectoryData, sanitizeMessage } from '../guards/untrusted.js';
import { refuseForeignCursor } from '../one-page-lists.js';
import { aheadOfRequestParsing } from '../raw-tools-call.js';
import { type CallExtra, type ContextDeps, callContext, callerInfo, type Extra } from '../server-context.js';
import { describeToolError } from '../tools/shared/errors.js';
import { isNotFound } from '../tools/visier/preview.js';

export interface ResourceDeps extends ContextDeps {
  guard: Guard;
  logger: pino.Logger;
}

/** Items a collection resource (visier://users, visier://user-groups) holds; tools page past it. */
const COLLECTION_MAX = 1000;
/**
 * Values a completion shows. One more is gathered when there is one: the SDK answers `hasMore: true` (and a
 * `total` of at least this plus one) only when handed more than it shows.
 */
const COMPLETION_MAX = 100;
const COMPLETION_GATHER = COMPLETION_MAX + 1;
/** Directory pages a completion scans at most, so one keystroke cannot walk a 100,000-user tenant. */
const COMPLETION_SCAN_PAGES = 5;

const JSON_TYPE = 'application/json';

/** Resource JSON is directory data like a tool's structured output, and labelled the same way. */
function json(uri: URL, value: object): ReadResourceResult {
  return { contents: [{ uri: uri.href, mimeType: JSON_TYPE, text: JSON.stringify(labelDirectoryData(value)) }] };
}

/**
 * Runs a resource read through the guard as a synthetic `read` tool, so the tenant allowlist and the audit
 * apply to resources exactly as to tools.
 */
function guardedRead(server: McpServer, deps: ResourceDeps) {
  return async <T>(
    name: string,
    at: { extra?: Extra; uri?: URL },
    read: (ctx: ToolContext) => Promise<T>,
  ): Promise<T> => {
    const { extra, uri } = at;
    let value: T | undefined;
    const def: AnyToolDefinition = {
      name: `resource:${name}`,
      title: name,
      description: `Reads the ${name} resource`,
      classification: 'read',
      inputSchema: {},
      outputSchema: {},
      handler: async (_args, ctx) => {
        value = await read(ctx);
        return { text: '', structured: {} };
      },
    };
    // Completions run outside a request's context: no progress, never cancelled.
    const full: CallExtra = extra ?? {
      mcpReq: { signal: new AbortController().signal, notify: async () => {}, log: async () => {} },
    };
    let outcome: Awaited<ReturnType<Guard['call']>>;
    try {
      outcome = await deps.guard.call(def, {}, callContext(deps, {}, full), callerInfo(server, deps, extra));
    } catch (error) {
      // The SDK answers -32602 with the URI for a missing resource in both eras (the 2026-07-28 rule).
      if (isNotFound(error) && uri !== undefined) {
        throw new ResourceNotFoundError(uri.href, `Resource not found: ${describeToolError(error, {}).text}`);
      }
      const report = describeToolError(error, {});
      if (!report.expected) deps.logger.error({ err: error, resource: name }, 'resource read failed');
      throw new ProtocolError(ProtocolErrorCode.InternalError, report.text);
    }
    // Reads never need a person: any outcome but a result is a refusal or a defect.
    if (outcome.kind === 'refused') {
      throw new ProtocolError(ProtocolErrorCode.InvalidRequest, sanitizeMessage(outcome.text));
    }
    if (outcome.kind !== 'result') {
      throw new ProtocolError(ProtocolErrorCode.InternalError, `reading ${name} asked for a confirmation`);
    }
    return value as T;
  };
}

/** Per completion request: whether a scan stopped at its page cap, so the answer says there may be more. */
const completionScan = new AsyncLocalStorage<{ stoppedShort: boolean }>();

/**
 * Makes completion answers say `hasMore` when a scan stopped at its page cap with fewer values than it shows
 * (the SDK says so only when handed more values than it shows). Call after every completable is registered.
 */
export function sayWhenCompletionStoppedShort(server: McpServer): void {
  aheadOfRequestParsing(server, 'completion/complete', (request, extra, next) => {
    const scan = { stoppedShort: false };
    return completionScan.run(scan, async () => {
      const result = (await next(request, extra)) as { completion?: { hasMore?: boolean } } | undefined;
      if (scan.stoppedShort && result?.completion !== undefined) result.completion.hasMore = true;
      return result;
    });
  });
}

export function registerResources(server: McpServer, deps: ResourceDeps): void {
  const read = guardedRead(server, deps);

  const completeUserId = (value: string) =>
    read('complete:userId', {}, async (ctx) => {
      const prefix = value.toLowerCase();
      const found: string[] = [];
      let pages = 0;
      for await (const page of ctx.visier.userPages({ pageSize: COLLECTION_MAX }, ctx.call)) {
        for (const u of page) {
          if ([u.userId, u.username, u.displayName].some((v) => v?.toLowerCase().startsWith(prefix)))
            found.push(u.userId);
          if (found.length === COMPLETION_GATHER) return found;
        }
        if (++pages === COMPLETION_SCAN_PAGES) {
          // Stopped short of the directory's end: there may be more than it found.
          const scan = completionScan.getStore();
          if (scan !== undefined) scan.stoppedShort = true;
          break;
        }
      }
      return found;
    });
  const completeGroupId = (value: string) =>
    read('complete:userGroupId', {}, async (ctx) => {
      const prefix = value.toLowerCase();
      const page = await ctx.visier.listUserGroups({ limit: COLLECTION_MAX, start: 0 }, ctx.call);
      return page.items
        .filter((g) => [g.userGroupId, g.displayName].some((v) => v?.toLowerCase().startsWith(prefix)))
        .slice(0, COMPLETION_GATHER)
        .map((g) => g.userGroupId);
    });
  const completePermissionId = (value: string) =>
    read('complete:permissionId', {}, async (ctx) => {
      const prefix = value.toLowerCase();
      const all = await ctx.visier.listPermissions({}, ctx.call);
      return all
        .filter((p) => [p.permissionId, p.displayName].some((v) => v?.toLowerCase().startsWith(prefix)))
        .slice(0, COMPLETION_GATHER)
        .map((p) => p.permissionId);
    });

  const statics: Resource[] = [
    { uri: 'visier://users', name: 'users', description: 'The first 1,000 users', mimeType: JSON_TYPE },
    {
      uri: 'visier://user-groups',
      name: 'user-groups',
      description: 'The first 1,000 user groups',
      mimeType: JSON_TYPE,
    },
    { uri: 'visier://permissions', name: 'permissions', description: 'Every permission', mimeType: JSON_TYPE },
  ];
  const [usersRes, groupsRes, permsRes] = statics as [Resource, Resource, Resource];

  server.registerResource(usersRes.name, usersRes.uri, usersRes, async (uri, extra) =>
    json(
      uri,
      await read('users', { extra, uri }, async (ctx) => ({
        users: (await ctx.visier.listUsers({ limit: COLLECTION_MAX, start: 0 }, ctx.call)).items,
      })),
    ),
  );
  server.registerResource(groupsRes.name, groupsRes.uri, groupsRes, async (uri, extra) =>
    json(
      uri,
      await read('user-groups', { extra, uri }, async (ctx) => ({
        userGroups: (await ctx.visier.listUserGroups({ limit: COLLECTION_MAX, start: 0 }, ctx.call)).items,
      })),
    ),
  );
  server.registerResource(permsRes.name, permsRes.uri, permsRes, async (uri, extra) =>
    json(
      uri,
      await read('permissions', { extra, uri }, async (ctx) => ({
        permissions: await ctx.visier.listPermissions({}, ctx.call),
      })),
    ),
  );

  const one = (v: string | string[] | undefined) => (Array.isArray(v) ? (v[0] ?? '') : (v ?? ''));

  server.registerResource(
    'user-group-members',
    new ResourceTemplate('visier://user-groups/{userGroupId}/members', {
      list: undefined,
      complete: { userGroupId: completeGroupId },
    }),
    { description: 'Users assigned to a user group by hand', mimeType: JSON_TYPE },
    async (uri, vars, extra) => {
      const userGroupId = one(vars.userGroupId);
      return json(
        uri,
        await read('user-group-members', { extra, uri }, async (ctx) => {
          const page = await ctx.visier.listUserGroupMembers(userGroupId, { start: 0, limit: 100 }, ctx.call);
          return { userGroupId, tenants: page.items };
        }),
      );
    },
  );
  server.registerResource(
    'user',
    new ResourceTemplate('visier://users/{userId}', { list: undefined, complete: { userId: completeUserId } }),
    { description: 'One user with permissions, user groups and profiles', mimeType: JSON_TYPE },
    async (uri, vars, extra) => {
      const userId = one(vars.userId);
      return json(
        uri,
        await read('user', { extra, uri }, (ctx) =>
          ctx.visier.getUser(userId, { permissions: true, userGroups: true, profiles: true }, ctx.call),
        ),
      );
    },
  );
  server.registerResource(
    'user-group',
    new ResourceTemplate('visier://user-groups/{userGroupId}', {
      list: undefined,
      complete: { userGroupId: completeGroupId },
    }),
    { description: "A user group's definition", mimeType: JSON_TYPE },
    async (uri, vars, extra) => {
      const userGroupId = one(vars.userGroupId);
      return json(
        uri,
        await read('user-group', { extra, uri }, (ctx) => ctx.visier.getUserGroup(userGroupId, {}, ctx.call)),
      );
    },
  );
  server.registerResource(
    'permission-users',
    new ResourceTemplate('visier://permissions/{permissionId}/users', {
      list: undefined,
      complete: { permissionId: completePermissionId },
    }),
    { description: 'Users who hold a permission, directly or through a group', mimeType: JSON_TYPE },
    async (uri, vars, extra) => {
      const permissionId = one(vars.permissionId);
      return json(
        uri,
        await read('permission-users', { extra, uri }, async (ctx) => {
          const page = await ctx.visier.listUsersWithPermission(
            permissionId,
            { start: 0, limit: 100, includeUserGroups: true },
            ctx.call,
          );
          return { permissionId, tenants: page.items };
        }),
      );
    },
  );

  // resources/list names the collections; single users and groups are read through the templates
  // (resources/templates/list). Listing every user made a client that follows every cursor, as some do at
  // start-up, walk the whole directory: about 1,000 Visier pages on a 100,000-user tenant. This list asks Visier
  // nothing and issues no cursor, so a cursor sent back was never ours: -32602, as the spec asks.
  server.server.setRequestHandler('resources/list', async (request) => {
    refuseForeignCursor(request.params);
    return { resources: statics };
  });
}
