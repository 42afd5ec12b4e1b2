// SisenseClient: the Sisense for Cloud Data Teams User and Group Management API for one site. Transport
// (rate limit, retries where safe, timeouts, redaction, stats) is the shared HttpClient's; wire shapes are in
// wire.ts and unverified-wire.ts, the mapping to domain types in mapping.ts.
import type { z } from 'zod';
import { systemClock } from '../http/clock.js';
import { VisierApiError } from '../http/errors.js';
import { HttpClient, type HttpMethod, type HttpStats, type Tally } from '../http/http.js';
import { RateLimiter } from '../http/rate-limiter.js';
import { Redactor } from '../http/redact.js';
import type { BulkResult, ProgressFn } from '../visier/api.js';
import { runBulk } from '../visier/bulk.js';
import { DEFAULT_CONNECTIONS, DEFAULT_TIMEOUTS, normaliseHost, resolveRetry } from '../visier/config.js';
import { checkCredential, DEFAULT_SISENSE_HOST, type SisenseClientConfig } from './config.js';
import {
  ALL_USERS,
  type Group,
  type GroupPatch,
  type NewGroup,
  type NewUser,
  sameName,
  type User,
  type UserPatch,
  type WriteResult,
} from './domain.js';
import { SisenseApiError } from './errors.js';
import { sisenseLogger } from './logger.js';
import {
  fromWireGroup,
  fromWireUser,
  toWireGroupCreate,
  toWireGroupUpdate,
  toWireUserCreate,
  toWireUserUpdate,
} from './mapping.js';
import { PartnerAuthSession } from './session.js';
import { listItems, singleObject, wireGroup, wireUser } from './unverified-wire.js';
import { EMAIL_HEADER, GROUPS_PATH, TEST_MODE_PARAM, USERS_PATH } from './wire.js';

export interface CallOptions {
  signal?: AbortSignal;
  /** Counts this call's HTTP exchanges (retries included) into the given tally. */
  tally?: Tally;
}

export interface WriteOptions extends CallOptions {
  /** Send `test_mode=true`: Sisense validates and answers, nothing is stored. Real writes send `false`. */
  dryRun?: boolean;
}

export interface MembershipOptions extends WriteOptions {
  onProgress?: ProgressFn;
}

export interface Page<T> {
  items: T[];
  /** The cursor of the next page; absent on the last one. */
  nextPageStart?: string;
}

interface Exchange {
  method: HttpMethod;
  path: string;
  options: WriteOptions | undefined;
  /** Adds `test_mode`; reads never carry it. */
  write?: boolean;
  email?: string;
  query?: Record<string, string>;
  json?: unknown;
}

/** How to read one kind of object: its schema, its mapping, and the field that marks a bare object. */
interface Kind<W extends z.ZodType, T> {
  schema: W;
  map: (wire: z.infer<W>) => T;
  key: string;
}
const USER: Kind<typeof wireUser, User> = { schema: wireUser, map: fromWireUser, key: 'email' };
const GROUP: Kind<typeof wireGroup, Group> = { schema: wireGroup, map: fromWireGroup, key: 'name' };

const DRY_RUN_NOTE = 'dry run: Sisense validated the change (test_mode=true); nothing was stored';

/**
 * One site's users, groups and memberships. Users are keyed by e-mail, groups by name (both as Sisense
 * compares them). Every method fails with SisenseApiError (kind, HTTP status, Sisense's message and code,
 * `retryable`, `sent`, `afterUnknownOutcome`), except the RangeErrors documented on a method. Writes take
 * `dryRun`; reads and writes take a `signal` and a `tally`. Request counts below exclude retries.
 */
export class SisenseClient {
  /** The site this client's key belongs to. */
  readonly site: string;
  private readonly statsCounter: HttpStats = { requests: 0, retries: 0, rateLimited: 0, tokenRefreshes: 0 };
  private readonly http: HttpClient;
  private readonly session: PartnerAuthSession;

  /** @throws RangeError naming `site`, `apiKey` or `host` when it cannot be used. */
  constructor(config: SisenseClientConfig) {
    checkCredential(config);
    this.site = config.site;
    const redactor = new Redactor();
    redactor.add(config.apiKey);
    let baseUrl: string;
    try {
      baseUrl = normaliseHost(config.host ?? DEFAULT_SISENSE_HOST);
    } catch {
      throw new RangeError('host: must be an http(s) URL');
    }
    const clock = config.clock ?? systemClock;
    this.http = new HttpClient({
      baseUrl,
      clock,
      retry: resolveRetry(config.retry),
      connectMs: config.timeouts?.connectMs ?? DEFAULT_TIMEOUTS.connectMs,
      requestMs: config.timeouts?.requestMs ?? DEFAULT_TIMEOUTS.requestMs,
      connections: config.connections ?? DEFAULT_CONNECTIONS,
      limiter: config.rateLimit ? new RateLimiter(config.rateLimit, clock) : undefined,
      logger: sisenseLogger(config.logger),
      redactor,
      stats: this.statsCounter,
    });
    this.session = new PartnerAuthSession(config.site, config.apiKey);
  }

  /** Live counters of HTTP requests sent, retries and 429s received (`tokenRefreshes` stays 0). */
  get stats(): Readonly<HttpStats> {
    return this.statsCounter;
  }

  close(): Promise<void> {
    return this.http.close();
  }

  // users

  /** One page of GET /api/v1/users; one request. */
  async listUsersPage(query: { pageStart?: string } = {}, options?: CallOptions): Promise<Page<User>> {
    return this.page(USERS_PATH, USER, query.pageStart, options);
  }

  /** Every user, following `next_page_start`: one request per page. */
  listUsers(options?: CallOptions): Promise<User[]> {
    return this.all(USERS_PATH, (pageStart) => this.listUsersPage({ pageStart }, options));
  }

  /** GET /api/v1/users with HTTP-X-EMAIL; one request. 404 when there is no such user. */
  async getUser(email: string, options?: CallOptions): Promise<User> {
    const ex: Exchange = { method: 'GET', path: USERS_PATH, options, email };
    return this.one(USER, await this.send(ex), ex);
  }

  /** POST /api/v1/users; one request (never replayed after a 5xx or a lost answer). */
  async createUser(user: NewUser, options?: WriteOptions): Promise<WriteResult<User>> {
    const ex: Exchange = { method: 'POST', path: USERS_PATH, options, write: true, json: toWireUserCreate(user) };
    return this.written(ex, USER, await this.send(ex));
  }

  /** PUT /api/v1/users with HTTP-X-EMAIL and only the fields given; one request. */
  updateUser(email: string, patch: UserPatch, options?: WriteOptions): Promise<WriteResult<User>> {
    return this.putUser(email, toWireUserUpdate(patch), options);
  }

  /**
   * DELETE /api/v1/users with HTTP-X-EMAIL; one request. A 404 on a retry after an attempt whose answer was
   * lost means that attempt deleted the user: success, with no object.
   */
  async deleteUser(email: string, options?: WriteOptions): Promise<WriteResult<User>> {
    const ex: Exchange = { method: 'DELETE', path: USERS_PATH, options, write: true, email };
    try {
      return this.written(ex, USER, await this.send(ex));
    } catch (error) {
      if (error instanceof SisenseApiError && error.status === 404 && error.afterUnknownOutcome) {
        return { dryRun: false, value: undefined };
      }
      throw error;
    }
  }

  // groups

  /** One page of GET /api/v1/groups; one request. */
  async listGroupsPage(query: { pageStart?: string } = {}, options?: CallOptions): Promise<Page<Group>> {
    return this.page(GROUPS_PATH, GROUP, query.pageStart, options);
  }

  /** Every group, following `next_page_start`: one request per page. */
  listGroups(options?: CallOptions): Promise<Group[]> {
    return this.all(GROUPS_PATH, (pageStart) => this.listGroupsPage({ pageStart }, options));
  }

  /** GET /api/v1/groups/{name}; one request. */
  async getGroup(name: string, options?: CallOptions): Promise<Group> {
    const ex: Exchange = { method: 'GET', path: groupPath(name), options };
    return this.one(GROUP, await this.send(ex), ex);
  }

  /** POST /api/v1/groups; one request. */
  async createGroup(group: NewGroup, options?: WriteOptions): Promise<WriteResult<Group>> {
    const ex: Exchange = { method: 'POST', path: GROUPS_PATH, options, write: true, json: toWireGroupCreate(group) };
    return this.written(ex, GROUP, await this.send(ex));
  }

  /** PUT /api/v1/groups/{name} with the fields that change (a new name renames it); one request. */
  async updateGroup(name: string, patch: GroupPatch, options?: WriteOptions): Promise<WriteResult<Group>> {
    const ex: Exchange = { method: 'PUT', path: groupPath(name), options, write: true, json: toWireGroupUpdate(patch) };
    return this.written(ex, GROUP, await this.send(ex));
  }

  /** DELETE /api/v1/groups/{name}; one request; members lose the group. Lost-answer 404s as for users. */
  async deleteGroup(name: string, options?: WriteOptions): Promise<WriteResult<Group>> {
    const ex: Exchange = { method: 'DELETE', path: groupPath(name), options, write: true };
    try {
      return this.written(ex, GROUP, await this.send(ex));
    } catch (error) {
      if (error instanceof SisenseApiError && error.status === 404 && error.afterUnknownOutcome) {
        return { dryRun: false, value: undefined };
      }
      throw error;
    }
  }

  // membership

  /**
   * The group's members: the API has no members endpoint, so this is GET the group (404 if unknown) and every
   * users page, filtered: 1 + pages requests.
   */
  async listGroupMembers(name: string, options?: CallOptions): Promise<User[]> {
    return (await this.getGroupWithMembers(name, options)).members;
  }

  /** The group and its members, as listGroupMembers reads them: 1 + pages requests. */
  async getGroupWithMembers(name: string, options?: CallOptions): Promise<{ group: Group; members: User[] }> {
    const group = await this.getGroup(name, options);
    const members = (await this.listUsers(options)).filter((u) => u.groups.some((g) => sameName(g, group.name)));
    return { group, members };
  }

  /**
   * Adds each user to the group by name: GET the group once, then per user GET and (unless already a member)
   * PUT the user's complete group list: 1 + 2 per user requests. Every e-mail is accounted for.
   */
  addUsersToGroup(name: string, emails: readonly string[], options?: MembershipOptions): Promise<BulkResult> {
    return this.changeMembership(name, emails, options, (groups, group) =>
      groups.some((g) => sameName(g, group)) ? undefined : [...groups, group],
    );
  }

  /**
   * Removes each user from the group, as addUsersToGroup does. All Users holds everyone.
   * @throws RangeError for All Users, before any request.
   */
  removeUsersFromGroup(name: string, emails: readonly string[], options?: MembershipOptions): Promise<BulkResult> {
    if (sameName(name, ALL_USERS)) throw new RangeError(`group: '${ALL_USERS}' holds every user; no one can leave it`);
    return this.changeMembership(name, emails, options, (groups, group) =>
      groups.some((g) => sameName(g, group)) ? groups.filter((g) => !sameName(g, group)) : undefined,
    );
  }

  private async changeMembership(
    name: string,
    emails: readonly string[],
    options: MembershipOptions | undefined,
    change: (groups: string[], group: string) => string[] | undefined,
  ): Promise<BulkResult> {
    const tally: Tally = { requests: 0 };
    const call = { ...options, tally };
    const group = await this.getGroup(name, call);
    return runBulk<string, { email: string; note: string | undefined }, never>(
      {
        items: emails,
        chunkSize: 1,
        keyOfItem: (email) => email,
        keyOfSuccess: (s) => s.email,
        keyOfFailure: () => undefined,
        describe: (email) => ({ username: email }),
        succeeded: (_, s) => (s.note === undefined ? {} : { message: s.note }),
        failed: () => ({ message: '' }),
        send: async ([email]) => {
          const user = await this.getUser(email!, call);
          const groups = change(user.groups, group.name);
          if (groups === undefined) return { successes: [{ email: email!, note: 'no change needed' }], failures: [] };
          const done = await this.putUser(email!, { groups }, call);
          return { successes: [{ email: email!, note: done.dryRun ? DRY_RUN_NOTE : undefined }], failures: [] };
        },
        signal: options?.signal,
        onProgress: options?.onProgress,
      },
      () => tally.requests,
    );
  }

  // plumbing

  private async putUser(
    email: string,
    json: ReturnType<typeof toWireUserUpdate>,
    options: WriteOptions | undefined,
  ): Promise<WriteResult<User>> {
    const ex: Exchange = { method: 'PUT', path: USERS_PATH, options, write: true, email, json };
    return this.written(ex, USER, await this.send(ex));
  }

  private async page<W extends z.ZodType, T>(
    path: string,
    kind: Kind<W, T>,
    pageStart: string | undefined,
    options: CallOptions | undefined,
  ): Promise<Page<T>> {
    const ex: Exchange = {
      method: 'GET',
      path,
      options,
      ...(pageStart !== undefined ? { query: { next_page_start: pageStart } } : {}),
    };
    const list = listItems(await this.send(ex));
    if ('problem' in list) throw this.malformed(ex, list.problem);
    const items = list.items.map((item) => kind.map(this.parse(kind.schema, item, ex)));
    return list.nextPageStart === undefined ? { items } : { items, nextPageStart: list.nextPageStart };
  }

  /** Follows cursors to the end; a cursor seen twice would loop for ever, so it fails as malformed. */
  private async all<T>(path: string, fetchPage: (pageStart: string | undefined) => Promise<Page<T>>): Promise<T[]> {
    const out: T[] = [];
    const seen = new Set<string>();
    let cursor: string | undefined;
    for (;;) {
      const page = await fetchPage(cursor);
      out.push(...page.items);
      if (page.nextPageStart === undefined) return out;
      if (seen.has(page.nextPageStart)) {
        throw this.malformed(
          { method: 'GET', path, options: undefined },
          `next_page_start '${page.nextPageStart}' repeats`,
        );
      }
      seen.add(page.nextPageStart);
      cursor = page.nextPageStart;
    }
  }

  /** A single-object reply; an answer without the object is malformed. */
  private one<W extends z.ZodType, T>(kind: Kind<W, T>, body: unknown, ex: Exchange): T {
    const object = singleObject(body, kind.key);
    if (object === undefined) throw this.malformed(ex, `no object with '${kind.key}' in the reply`);
    return kind.map(this.parse(kind.schema, object, ex));
  }

  /** A write's reply, which may carry the (would-be) object or nothing. */
  private written<W extends z.ZodType, T>(ex: Exchange, kind: Kind<W, T>, body: unknown): WriteResult<T> {
    const object = singleObject(body, kind.key);
    const value = object === undefined ? undefined : kind.map(this.parse(kind.schema, object, ex));
    return { dryRun: ex.options?.dryRun === true, value };
  }

  private async send(ex: Exchange): Promise<unknown> {
    const query = { ...ex.query, ...(ex.write ? { [TEST_MODE_PARAM]: ex.options?.dryRun ? 'true' : 'false' } : {}) };
    try {
      const res = await this.http.send(
        {
          method: ex.method,
          path: ex.path,
          query,
          headers: { [EMAIL_HEADER]: ex.email },
          json: ex.json,
          accept: 'json',
          signal: ex.options?.signal,
          tally: ex.options?.tally,
        },
        this.session,
      );
      return res.body;
    } catch (error) {
      throw error instanceof VisierApiError && !(error instanceof SisenseApiError)
        ? new SisenseApiError(this.site, error)
        : error;
    }
  }

  private parse<W extends z.ZodType>(schema: W, value: unknown, ex: Exchange): z.infer<W> {
    const parsed = schema.safeParse(value ?? {});
    if (parsed.success) return parsed.data;
    const issue = parsed.error.issues[0];
    throw this.malformed(ex, issue ? `at ${issue.path.join('.') || '(root)'}: ${issue.message}` : 'unreadable');
  }

  private malformed(ex: Exchange, problem: string): SisenseApiError {
    const cause = new VisierApiError({
      kind: 'malformed',
      method: ex.method,
      path: ex.path,
      retryable: false,
      detail: `unexpected response shape ${problem}`,
    });
    return new SisenseApiError(this.site, cause);
  }
}

function groupPath(name: string): string {
  return `${GROUPS_PATH}/${encodeURIComponent(name)}`;
}
