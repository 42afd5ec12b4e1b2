// The Sales Cookie client: users through SetUser (upsert by e-mail) and OData reads, teams and their members.
// Two HttpClient instances share one limiter, redactor and stats: one on the REST base (key in the X-ApiKey
// header), one on the OData service root, whose path holds the key, so that the paths the shared client logs and
// puts in errors never contain it.
import type { z } from 'zod';
import { systemClock } from '../http/clock.js';
import { HttpClient, type HttpStats, type Tally } from '../http/http.js';
import { RateLimiter } from '../http/rate-limiter.js';
import { clientLogger, Redactor } from '../http/redact.js';
import type { BulkResult, ProgressFn } from '../visier/api.js';
import { DEFAULT_CONNECTIONS, DEFAULT_TIMEOUTS, normaliseHost, resolveRetry } from '../visier/config.js';
import { type ItemOutcome, runBulk } from './bulk.js';
import {
  checkPageSize,
  DEFAULT_BASE_URL,
  DEFAULT_PAGE_SIZE,
  MAX_PAGE_SIZE,
  type SalescookieClientConfig,
} from './config.js';
import { fromHttpError, malformed, newRequestId, SalescookieApiError } from './errors.js';
import { toMembership, toTeam, toUser } from './mapping.js';
import { anyOf, emailEquals, guidLiteral, stringLiteral } from './odata-filter.js';
import type {
  CallOptions,
  PageQuery,
  SalescookiePage,
  SalescookieTeam,
  SalescookieUser,
  TeamMembership,
  UpsertPlan,
  UpsertResult,
  UserUpsert,
} from './types.js';
import {
  ENTITY,
  FILTER_FIELDS,
  SystemUserRow,
  TeamMemberRow,
  TeamRow,
  UserAliasRow,
  WorkspaceRoleRow,
} from './unverified-wire.js';
import { checkUpsert, planApplied, planUpsert, setUserBody } from './upsert-plan.js';
import { API_KEY_HEADER, ODataCollection, odataRoot, REST_PATHS, TeamMemberBody } from './wire.js';

/** One logical operation: its request id (sent as X-Request-Id), cancellation and request count. */
interface Op {
  requestId: string;
  signal: AbortSignal | undefined;
  tally: Tally;
}

export interface BulkOptions extends CallOptions {
  onProgress?: ProgressFn;
}

type Query = Record<string, string | number | undefined>;

export class SalescookieClient {
  /** Requests, retries and 429s across both APIs, for benchmarks and request-counting tests. */
  readonly stats: HttpStats = { requests: 0, retries: 0, rateLimited: 0, tokenRefreshes: 0 };
  private readonly rest: HttpClient;
  private readonly odata: HttpClient;
  private readonly apiKey: string;
  private readonly pageSize: number;

  constructor(config: SalescookieClientConfig) {
    if (config.apiKey.trim() === '') throw new RangeError('apiKey must not be empty');
    const baseUrl = normaliseHost(config.baseUrl ?? DEFAULT_BASE_URL);
    this.apiKey = config.apiKey;
    this.pageSize = checkPageSize(config.pageSize ?? DEFAULT_PAGE_SIZE, 'pageSize');
    const redactor = new Redactor();
    redactor.add(config.apiKey);
    const logger = clientLogger(config.logger).child({ provider: 'salescookie' });
    const clock = config.clock ?? systemClock;
    const shared = {
      clock,
      retry: resolveRetry(config.retry),
      connectMs: config.timeouts?.connectMs ?? DEFAULT_TIMEOUTS.connectMs,
      requestMs: config.timeouts?.requestMs ?? DEFAULT_TIMEOUTS.requestMs,
      connections: config.connections ?? DEFAULT_CONNECTIONS,
      limiter: config.rateLimit ? new RateLimiter(config.rateLimit, clock) : undefined,
      logger,
      redactor,
      stats: this.stats,
    };
    this.rest = new HttpClient({ ...shared, baseUrl });
    this.odata = new HttpClient({ ...shared, baseUrl: odataRoot(baseUrl, config.apiKey) });
  }

  async close(): Promise<void> {
    await Promise.all([this.rest.close(), this.odata.close()]);
  }

  private op(options: CallOptions | undefined, tally: Tally = { requests: 0 }): Op {
    return { requestId: newRequestId(), signal: options?.signal, tally };
  }

  // ---- transport -------------------------------------------------------------------------------------------

  /** A REST write. Its reply is UNVERIFIED and not relied on: success is the 2xx, state is read back. */
  private async post(path: string, json: unknown, op: Op): Promise<void> {
    try {
      await this.rest.send({
        method: 'POST',
        path,
        json,
        accept: 'text',
        headers: { [API_KEY_HEADER]: this.apiKey, 'X-Request-Id': op.requestId },
        signal: op.signal,
        tally: op.tally,
      });
    } catch (err) {
      throw fromHttpError(err, op.requestId);
    }
  }

  /** One OData page of `entity`, each row checked against `schema`. */
  private async page<T extends z.ZodType>(
    entity: string,
    query: Query,
    schema: T,
    op: Op,
  ): Promise<{ rows: z.infer<T>[]; more: boolean }> {
    const path = `/${entity}`;
    let body: unknown;
    try {
      ({ body } = await this.odata.send({
        method: 'GET',
        path,
        query,
        accept: 'json',
        headers: { 'X-Request-Id': op.requestId },
        signal: op.signal,
        tally: op.tally,
      }));
    } catch (err) {
      throw fromHttpError(err, op.requestId);
    }
    const envelope = ODataCollection.safeParse(body);
    if (!envelope.success) throw malformed('GET', path, op.requestId, envelope.error);
    const rows = schema.array().safeParse(envelope.data.value);
    if (!rows.success) throw malformed('GET', path, op.requestId, rows.error);
    return { rows: rows.data, more: envelope.data['@odata.nextLink'] !== undefined };
  }

  /** Every row of `entity` that `filter` selects (every row without one), page by page, `top` rows a request. */
  private async all<T extends z.ZodType>(
    entity: string,
    filter: string | undefined,
    schema: T,
    op: Op,
    top = this.pageSize,
  ): Promise<z.infer<T>[]> {
    const out: z.infer<T>[] = [];
    for (;;) {
      const { rows, more } = await this.page(
        entity,
        { ...(filter === undefined ? {} : { $filter: filter }), $top: top, $skip: out.length },
        schema,
        op,
      );
      out.push(...rows);
      if (rows.length === 0 || (!more && rows.length < top)) return out;
    }
  }

  /** Rows of `entity` whose `field` is one of `ids`, in as few requests as the URL budget allows. */
  private async byIds<T extends z.ZodType>(entity: string, field: string, ids: string[], schema: T, op: Op) {
    const out: z.infer<T>[] = [];
    for (const filter of anyOf(
      field,
      ids.map((id) => guidLiteral(id, field)),
    )) {
      out.push(...(await this.all(entity, filter, schema, op)));
    }
    return out;
  }

  // ---- users -----------------------------------------------------------------------------------------------

  /** Joins SystemUser rows with their WorkspaceRole and UserAlias rows, read for their ids. */
  private async complete(rows: SystemUserRow[], op: Op): Promise<SalescookieUser[]> {
    if (rows.length === 0) return [];
    const ids = rows.map((row) => row.id.toLowerCase());
    const [roles, aliases] = await Promise.all([
      this.byIds(ENTITY.role, FILTER_FIELDS.systemUserId, ids, WorkspaceRoleRow, op),
      this.byIds(ENTITY.alias, FILTER_FIELDS.systemUserId, ids, UserAliasRow, op),
    ]);
    return this.join(rows, roles, aliases, op);
  }

  private join(
    rows: SystemUserRow[],
    roleRows: WorkspaceRoleRow[],
    aliasRows: UserAliasRow[],
    op: Op,
  ): SalescookieUser[] {
    const roles = new Map(roleRows.map((r) => [r.systemUserId.toLowerCase(), r]));
    const aliases = new Map<string, UserAliasRow[]>();
    for (const alias of aliasRows) {
      const id = alias.systemUserId.toLowerCase();
      aliases.set(id, [...(aliases.get(id) ?? []), alias]);
    }
    return rows.map((row) => {
      const id = row.id.toLowerCase();
      const role = roles.get(id);
      if (!role) {
        throw new SalescookieApiError({
          kind: 'malformed',
          method: 'GET',
          path: `/${ENTITY.role}`,
          requestId: op.requestId,
          detail: `no ${ENTITY.role} row for SystemUser ${id}`,
          retryable: false,
          sent: true,
        });
      }
      return toUser(row, role, aliases.get(id) ?? []);
    });
  }

  /**
   * Every user of the workspace, in Sales Cookie's order: SystemUser, WorkspaceRole and UserAlias each read whole,
   * 1,000 rows a request, and joined; far fewer requests than reading roles and aliases by id (a filter holds about
   * 20 ids) when the whole directory is wanted. Requests: 3 per 1,000 users, plus one of each when a read ends on a
   * full page.
   */
  async allUsers(options?: CallOptions): Promise<SalescookieUser[]> {
    const op = this.op(options);
    const [rows, roles, aliases] = await Promise.all([
      this.all(ENTITY.user, undefined, SystemUserRow, op, MAX_PAGE_SIZE),
      this.all(ENTITY.role, undefined, WorkspaceRoleRow, op, MAX_PAGE_SIZE),
      this.all(ENTITY.alias, undefined, UserAliasRow, op, MAX_PAGE_SIZE),
    ]);
    return this.join(rows, roles, aliases, op);
  }

  /**
   * One page of users in Sales Cookie's order. Requests: one SystemUser page, then WorkspaceRole and UserAlias
   * for its ids (one each for up to about 20 users, more for larger pages).
   */
  async listUsers(query: PageQuery = {}, options?: CallOptions): Promise<SalescookiePage<SalescookieUser>> {
    const { limit, start } = this.pageBounds(query);
    const op = this.op(options);
    // One row more than asked says whether another page follows without a second request.
    const { rows, more } = await this.page(ENTITY.user, { $top: limit + 1, $skip: start }, SystemUserRow, op);
    const items = await this.complete(rows.slice(0, limit), op);
    return { items, limit, start, hasMore: rows.length > limit || more };
  }

  /** The user with this e-mail (any case), or undefined. Requests: 1 when absent, 3 when found. */
  async findUserByEmail(email: string, options?: CallOptions): Promise<SalescookieUser | undefined> {
    return this.userByEmail(email, this.op(options));
  }

  private async userByEmail(email: string, op: Op): Promise<SalescookieUser | undefined> {
    const { rows } = await this.page(
      ENTITY.user,
      { $filter: emailEquals(FILTER_FIELDS.email, email), $top: 2 },
      SystemUserRow,
      op,
    );
    if (rows.length > 1) {
      throw new SalescookieApiError({
        kind: 'malformed',
        method: 'GET',
        path: `/${ENTITY.user}`,
        requestId: op.requestId,
        detail: 'more than one user has this e-mail',
        retryable: false,
        sent: true,
      });
    }
    return (await this.complete(rows, op))[0];
  }

  /**
   * The users with these e-mails (any case), in no particular order; e-mails nobody has are left out. Requests:
   * about 3 per 20 e-mails (one SystemUser filter, then WorkspaceRole and UserAlias for those found).
   */
  async findUsersByEmail(emails: string[], options?: CallOptions): Promise<SalescookieUser[]> {
    const op = this.op(options);
    const field = `tolower(${FILTER_FIELDS.email})`;
    const rows: SystemUserRow[] = [];
    for (const filter of anyOf(
      field,
      emails.map((email) => stringLiteral(email.toLowerCase())),
    )) {
      rows.push(...(await this.all(ENTITY.user, filter, SystemUserRow, op)));
    }
    return this.complete(rows, op);
  }

  /** The users with these SystemUser GUIDs; unknown ones are left out. Requests: about 3 per 20 ids. */
  async usersById(systemUserIds: string[], options?: CallOptions): Promise<SalescookieUser[]> {
    const op = this.op(options);
    return this.complete(await this.byIds(ENTITY.user, FILTER_FIELDS.userId, systemUserIds, SystemUserRow, op), op);
  }

  /** Every team membership of these users. Requests: one per page, about one per 20 users. */
  async teamsOfUsers(systemUserIds: string[], options?: CallOptions): Promise<TeamMembership[]> {
    const op = this.op(options);
    return (await this.byIds(ENTITY.member, FILTER_FIELDS.systemUserId, systemUserIds, TeamMemberRow, op)).map(
      toMembership,
    );
  }

  /** The user with this SystemUser GUID; a 404 (`notFound`) if there is none. Requests: 3 (1 when absent). */
  async getUser(systemUserId: string, options?: CallOptions): Promise<SalescookieUser> {
    const op = this.op(options);
    const filter = `${FILTER_FIELDS.userId} eq ${guidLiteral(systemUserId, 'systemUserId')}`;
    const { rows } = await this.page(ENTITY.user, { $filter: filter, $top: 1 }, SystemUserRow, op);
    const user = (await this.complete(rows, op))[0];
    if (!user) throw this.notFound(`/${ENTITY.user}`, op, `no user with systemUserId ${systemUserId}`);
    return user;
  }

  /**
   * The dry run of `upsertUser`: reads the user by e-mail and says whether SetUser will create or update, which
   * tags and aliases it will add and whether the role changes. Nothing is written. Requests: 1 or 3.
   * Throws RangeError naming the field when `input` is invalid.
   */
  async planUpsert(input: UserUpsert, options?: CallOptions): Promise<UpsertPlan> {
    return this.plan(input, this.op(options));
  }

  private async plan(input: UserUpsert, op: Op): Promise<UpsertPlan> {
    checkUpsert(input);
    return planUpsert(input, await this.userByEmail(input.email, op));
  }

  /**
   * Creates or updates the user with this e-mail through SetUser; tags and aliases are added, never removed.
   * Requests: the plan's read (1 or 3), then none if nothing would change, else SetUser plus, for a create, one
   * SystemUser read for the new GUID. If SetUser's answer is lost, the user is read back and the change counts as
   * done when every effect is there (`confirmedByReadBack`).
   */
  upsertUser(input: UserUpsert, options?: CallOptions): Promise<UpsertResult> {
    return this.upsert(input, this.op(options));
  }

  private async upsert(input: UserUpsert, op: Op): Promise<UpsertResult> {
    return this.apply(input, await this.plan(input, op), op);
  }

  /**
   * Sets the role Deactivated (Sales Cookie has no delete). Refused with a 404 (`notFound`) when no user has the e-mail,
   * because SetUser would create a deactivated user. Requests: 3 + 1 (3 if already deactivated, 1 if absent).
   */
  deactivateUser(email: string, options?: CallOptions): Promise<UpsertResult> {
    return this.deactivate(email, this.op(options));
  }

  private async deactivate(email: string, op: Op): Promise<UpsertResult> {
    const input: UserUpsert = { email, role: 'Deactivated' };
    const plan = await this.plan(input, op);
    if (plan.action === 'create') {
      throw this.notFound(
        `/${ENTITY.user}`,
        op,
        'no user has this e-mail; SetUser would create one, so nothing was sent',
      );
    }
    return this.apply(input, plan, op);
  }

  private async apply(input: UserUpsert, plan: UpsertPlan, op: Op): Promise<UpsertResult> {
    if (plan.before && plan.noChange) return { plan, user: plan.before };
    try {
      await this.post(REST_PATHS.setUser, setUserBody(input), op);
    } catch (err) {
      if (!(err instanceof SalescookieApiError && err.outcomeUnknown)) throw err;
      const now = await this.userByEmail(plan.email, op);
      if (now && planApplied(plan, now)) return { plan, user: now, confirmedByReadBack: true };
      throw err;
    }
    if (plan.before) {
      const previousRole = plan.roleChange ? plan.before.role : plan.before.previousRole;
      return { plan, user: { ...plan.after, systemUserId: plan.before.systemUserId, previousRole } };
    }
    const { rows } = await this.page(
      ENTITY.user,
      { $filter: emailEquals(FILTER_FIELDS.email, plan.email), $top: 1 },
      SystemUserRow,
      op,
    );
    const created = rows[0];
    if (!created) throw this.notFound(`/${ENTITY.user}`, op, 'SetUser succeeded but the new user cannot be read back');
    return { plan, user: { ...plan.after, systemUserId: created.id.toLowerCase(), previousRole: null } };
  }

  /** Upserts each user in order; each item succeeded (message created / updated / unchanged), failed or not attempted. */
  bulkUpsertUsers(inputs: UserUpsert[], options: BulkOptions = {}): Promise<BulkResult> {
    return runBulk(
      inputs,
      { key: (input) => input.email.toLowerCase(), name: (input) => ({ username: input.email }) },
      async (input, tally) => outcome(await this.upsert(input, this.op(options, tally))),
      options,
    );
  }

  /** Deactivates each e-mail in order; an unknown e-mail fails without being sent. */
  bulkDeactivateUsers(emails: string[], options: BulkOptions = {}): Promise<BulkResult> {
    return runBulk(
      emails,
      { key: (email) => email.toLowerCase(), name: (email) => ({ username: email }) },
      async (email, tally) => outcome(await this.deactivate(email, this.op(options, tally))),
      options,
    );
  }

  // ---- teams -----------------------------------------------------------------------------------------------

  /** One page of teams. Requests: 1. */
  async listTeams(query: PageQuery = {}, options?: CallOptions): Promise<SalescookiePage<SalescookieTeam>> {
    const { limit, start } = this.pageBounds(query);
    const { rows, more } = await this.page(ENTITY.team, { $top: limit + 1, $skip: start }, TeamRow, this.op(options));
    return { items: rows.slice(0, limit).map(toTeam), limit, start, hasMore: rows.length > limit || more };
  }

  /** The team with this GUID; a 404 (`notFound`) if there is none. Requests: 1. */
  async getTeam(teamId: string, options?: CallOptions): Promise<SalescookieTeam> {
    return this.team(teamId, this.op(options));
  }

  private async team(teamId: string, op: Op): Promise<SalescookieTeam> {
    const filter = `${FILTER_FIELDS.userId} eq ${guidLiteral(teamId, 'teamId')}`;
    const { rows } = await this.page(ENTITY.team, { $filter: filter, $top: 1 }, TeamRow, op);
    if (!rows[0]) throw this.notFound(`/${ENTITY.team}`, op, `no team with teamId ${teamId}`);
    return toTeam(rows[0]);
  }

  /** Every membership of a team. Requests: one per page of members. */
  async listTeamMembers(teamId: string, options?: CallOptions): Promise<TeamMembership[]> {
    return this.members(FILTER_FIELDS.teamId, guidLiteral(teamId, 'teamId'), this.op(options));
  }

  /** Every team membership of a user. Requests: one per page. */
  async listUserTeams(systemUserId: string, options?: CallOptions): Promise<TeamMembership[]> {
    return this.members(FILTER_FIELDS.systemUserId, guidLiteral(systemUserId, 'systemUserId'), this.op(options));
  }

  private async members(field: string, literal: string, op: Op): Promise<TeamMembership[]> {
    return (await this.all(ENTITY.member, `${field} eq ${literal}`, TeamMemberRow, op)).map(toMembership);
  }

  /**
   * Adds users to a team with CreateTeamMember, one request per user not yet a member (already a member:
   * succeeded, nothing sent). Reads the team and its members first (2 requests); throws a 404 (`notFound`) for an
   * unknown team, RangeError for a teamId that is not a GUID.
   */
  addTeamMembers(teamId: string, systemUserIds: string[], options: BulkOptions = {}): Promise<BulkResult> {
    return this.changeMembers(teamId, systemUserIds, true, options);
  }

  /** Removes users from a team with DeleteTeamMember; the mirror of addTeamMembers (not a member: nothing sent). */
  removeTeamMembers(teamId: string, systemUserIds: string[], options: BulkOptions = {}): Promise<BulkResult> {
    return this.changeMembers(teamId, systemUserIds, false, options);
  }

  private async changeMembers(
    teamId: string,
    systemUserIds: string[],
    add: boolean,
    options: BulkOptions,
  ): Promise<BulkResult> {
    const team = guidLiteral(teamId, 'teamId');
    const tally: Tally = { requests: 0 };
    const first = this.op(options, tally);
    await this.team(team, first);
    let current = new Set((await this.members(FILTER_FIELDS.teamId, team, first)).map((m) => m.systemUserId));
    const result = await runBulk(
      systemUserIds,
      { key: (id) => id.toLowerCase(), name: (id) => ({ userId: id }) },
      async (id, itemTally) => {
        const op = this.op(options, itemTally);
        const user = guidLiteral(id, 'systemUserId');
        if (current.has(user) === add) {
          return {
            status: 'succeeded',
            userId: user,
            message: add ? 'already a member; nothing sent' : 'not a member; nothing sent',
          };
        }
        const body = TeamMemberBody.parse({ systemUserId: user, teamId: team });
        try {
          await this.post(add ? REST_PATHS.createTeamMember : REST_PATHS.deleteTeamMember, body, op);
        } catch (err) {
          if (!(err instanceof SalescookieApiError && err.outcomeUnknown)) throw err;
          current = new Set((await this.members(FILTER_FIELDS.teamId, team, op)).map((m) => m.systemUserId));
          if (current.has(user) !== add) throw err;
          return { status: 'succeeded', userId: user, message: 'answer lost; confirmed by reading the team back' };
        }
        if (add) current.add(user);
        else current.delete(user);
        return { status: 'succeeded', userId: user, rci: op.requestId };
      },
      options,
    );
    return { ...result, requests: result.requests + tally.requests };
  }

  // ---- helpers ---------------------------------------------------------------------------------------------

  private pageBounds(query: PageQuery): { limit: number; start: number } {
    const limit = checkPageSize(query.limit ?? this.pageSize, 'limit');
    const start = query.start ?? 0;
    if (!Number.isInteger(start) || start < 0) throw new RangeError(`start must be an integer >= 0, got ${start}`);
    return { limit, start };
  }

  private notFound(path: string, op: Op, detail: string): SalescookieApiError {
    return new SalescookieApiError({
      kind: 'http',
      status: 404,
      method: 'GET',
      path,
      requestId: op.requestId,
      detail,
      retryable: false,
      sent: true,
    });
  }
}

function outcome(result: UpsertResult): ItemOutcome {
  const { plan, user } = result;
  const what = plan.action === 'create' ? 'created' : plan.noChange ? 'unchanged; nothing sent' : 'updated';
  return {
    status: 'succeeded',
    userId: user.systemUserId,
    message: result.confirmedByReadBack ? `${what}; answer lost, confirmed by reading the user back` : what,
  };
}
