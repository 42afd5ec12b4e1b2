import { AsyncLocalStorage } from 'node:async_hooks';
import {
  type McpServer,
  ProtocolError,
  ProtocolErrorCode,
  type ReadResourceResult,
  type Resource,
  ResourceNotFoundError,
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

/** Items a collection resource (`<scheme>://users`, `<scheme>://user-groups`) holds; tools page past it. */
export const COLLECTION_MAX = 1000;
/**
 * Values a completion shows. One more is gathered when there is one: the SDK answers `hasMore: true` (and a
 * `total` of at least this plus one) only when handed more than it shows.
 */
const COMPLETION_MAX = 100;
export const COMPLETION_GATHER = COMPLETION_MAX + 1;
/** Directory pages a completion scans at most, so one keystroke cannot walk a 100,000-user tenant. */
export const COMPLETION_SCAN_PAGES = 5;

export const JSON_TYPE = 'application/json';

/** Resource JSON is directory data like a tool's structured output, and labelled the same way. */
export function json(uri: URL, value: object): ReadResourceResult {
  return { contents: [{ uri: uri.href, mimeType: JSON_TYPE, text: JSON.stringify(labelDirectoryData(value)) }] };
}

/** A resource read run through the guard; what a provider's resources are built with. */
export type GuardedRead<Api, Call> = <T>(
  name: string,
  at: { extra?: Extra; uri?: URL },
  read: (ctx: ToolContext<Api, Call>) => Promise<T>,
) => Promise<T>;

/** Marks the running completion as having stopped at its page cap, so its answer says there may be more. */
function completionStoppedShort(): void {
  const completion = completionRequest.getStore();
  if (completion !== undefined) completion.stoppedShort = true;
}

/**
 * The ids of the items one of whose words starts with `value` (any case), read page by page: at most
 * COMPLETION_GATHER of them and COMPLETION_SCAN_PAGES pages, so one keystroke cannot walk a whole directory;
 * stopping at the page cap makes the answer say there may be more.
 */
export async function completeFromPages<T>(
  value: string,
  pages: AsyncIterable<readonly T[]>,
  words: (item: T) => readonly (string | null | undefined)[],
  id: (item: T) => string,
): Promise<string[]> {
  const prefix = value.toLowerCase();
  const found: string[] = [];
  let read = 0;
  for await (const page of pages) {
    for (const item of page) {
      if (words(item).some((word) => word?.toLowerCase().startsWith(prefix))) found.push(id(item));
      if (found.length === COMPLETION_GATHER) return found;
    }
    if (++read === COMPLETION_SCAN_PAGES) {
      completionStoppedShort();
      break;
    }
  }
  return found;
}

/**
 * A provider's resources: registered on `server`, every read through `read`. `resources/list` answers the
 * returned collections (fixed URIs); single items are reached through templates.
 */
export type ProviderResources<Api, Call> = (server: McpServer, read: GuardedRead<Api, Call>) => Resource[];

/**
 * Runs a resource read through the guard as a synthetic `read` tool, so the tenant allowlist and the audit
 * apply to resources exactly as to tools.
 */
function guardedRead<Api, Call>(server: McpServer, deps: ResourceDeps): GuardedRead<Api, Call> {
  return async <T>(
    name: string,
    at: { extra?: Extra; uri?: URL },
    read: (ctx: ToolContext<Api, Call>) => Promise<T>,
  ): Promise<T> => {
    const { uri } = at;
    // A completion's reads are the completing person's: her rate turn, her audit line, her allowlist.
    const extra = at.extra ?? completionRequest.getStore()?.extra;
    let value: T | undefined;
    const def: AnyToolDefinition = {
      name: `resource:${name}`,
      title: name,
      description: `Reads the ${name} resource`,
      classification: 'read',
      inputSchema: {},
      outputSchema: {},
      handler: async (_args, ctx) => {
        value = await read(ctx as ToolContext<Api, Call>);
        return { text: '', structured: {} };
      },
    };
    // Only a read made outside any request (none today but a test's) has no context: no progress, never cancelled.
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

/** A template variable's value: the SDK hands a list for a repeated variable; a resource takes the first. */
export const firstValue = (v: string | string[] | undefined): string => (Array.isArray(v) ? (v[0] ?? '') : (v ?? ''));

/**
 * Per completion request: its context (the SDK's completion callbacks are handed none, so the reads they make learn
 * the caller here) and whether a scan stopped at its page cap, so the answer says there may be more.
 */
const completionRequest = new AsyncLocalStorage<{ extra: Extra; stoppedShort: boolean }>();

/**
 * Runs each completion request with its context at hand: the reads its callbacks make are the requester's (the SDK
 * hands completion callbacks no context), and the answer says `hasMore` when a scan stopped at its page cap with
 * fewer values than it shows (the SDK says so only when handed more values than it shows). Call after every
 * completable is registered.
 */
export function wrapCompletionRequests(server: McpServer): void {
  aheadOfRequestParsing(server, 'completion/complete', (request, extra, next) => {
    const completion = { extra, stoppedShort: false };
    return completionRequest.run(completion, async () => {
      const result = (await next(request, extra)) as { completion?: { hasMore?: boolean } } | undefined;
      if (completion.stoppedShort && result?.completion !== undefined) result.completion.hasMore = true;
      return result;
    });
  });
}

/**
 * Registers a provider's resources. resources/list names the collections; single users and groups are read
 * through the templates (resources/templates/list). Listing every user made a client that follows every cursor,
 * as some do at start-up, walk the whole directory: about 1,000 Visier pages on a 100,000-user tenant. This list
 * asks the system nothing and issues no cursor, so a cursor sent back was never ours: -32602, as the spec asks.
 */
export function registerResources<Api, Call>(
  server: McpServer,
  deps: ResourceDeps,
  resources: ProviderResources<Api, Call>,
): void {
  const statics = resources(server, guardedRead<Api, Call>(server, deps));
  server.server.setRequestHandler('resources/list', async (request) => {
    refuseForeignCursor(request.params);
    return { resources: statics };
  });
}
