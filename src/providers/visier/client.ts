// VisierClient: every operation of VisierApi mapped to its Visier endpoint. Transport concerns (auth,
// limits, retries, timeouts) live in http.ts and auth.ts; wire shapes in wire.ts and mapping.ts.
import type { z } from 'zod';
import { storeDigest } from '../../shared-state/digest.js';
import { systemClock } from '../http/clock.js';
import { VisierApiError } from '../http/errors.js';
import { HttpClient, type HttpMethod, type HttpStats, type ResponseKind, type Tally } from '../http/http.js';
import { RateLimiter, type SharedRateSlot } from '../http/rate-limiter.js';
import { clientLogger, Redactor } from '../http/redact.js';
import {
  type AssignmentCallOptions,
  type AssignmentResult,
  type AssignmentStop,
  type BulkCallOptions,
  type BulkResult,
  type CallOptions,
  type EmployeeFilter,
  type GroupMember,
  type GroupMembershipChange,
  type GroupPermissionChange,
  type GroupPermissionsResult,
  type IdUsers,
  MAX_PAGE_SIZE,
  type Page,
  type PageQuery,
  type Permission,
  type PermissionAssignment,
  type PermissionHolder,
  type Profile,
  type ProfileAssignment,
  type ProfileAssignResult,
  type ProfileRemoveResult,
  type Project,
  type ProjectInput,
  type ProjectState,
  type Report,
  type ReportKind,
  type ReportQuery,
  type TenantOutcome,
  type TenantUsers,
  type User,
  type UserGroupChangeResult,
  type UserGroupDefinition,
  type UserGroupDeleteResult,
  type UserGroupDetail,
  type UserGroupRefForDelete,
  type UserGroupSummary,
  type UserGroupV2Query,
  type UserInclude,
  type UserInput,
  type UserPatch,
  type UserProfileAssignment,
  type UserUpdate,
  type VisierApi,
} from './api.js';
import { SessionAuth } from './auth.js';
import { runBulk } from './bulk.js';
import {
  DEFAULT_CONNECTIONS,
  DEFAULT_RATE_LIMIT,
  DEFAULT_TIMEOUTS,
  normaliseHost,
  type RateLimitConfig,
  resolveRetry,
  type VisierClientConfig,
} from './config.js';
import { DATA_QUERY_LIST_PATH, employeeIds, employeeListQuery, wireListResponse } from './data-query.js';
import { type DirectorySnapshot, loadDirectory } from './directory.js';
import {
  assignDefined,
  flattenV2Successes,
  fromPermissionAssignment,
  fromProfileUserError,
  fromSecurityAssignment,
  fromWireGroup,
  fromWireProfile,
  fromWireProject,
  fromWireUser,
  newUserFromInput,
  toWireGroup,
  toWireUser,
  v2FailureMessage,
  v2FailureUsername,
} from './mapping.js';
import { parseReport, type ReportRow, reportPath, reportRows, saveReport } from './reports.js';
import { ROUTES, type Route, routeParams } from './routing.js';
import {
  type WireUsersV2Failure,
  type WireUsersV2Success,
  wireGroupMembers,
  wireGroupPermissionsResponse,
  wirePermissionAssignmentResponse,
  wirePermissions,
  wirePermissionUsers,
  wireProfile,
  wireProfileAssignResponse,
  wireProfileRemoveResponse,
  wireProfiles,
  wireProject,
  wireProjects,
  wireSecurityAssignmentResponse,
  wireUser,
  wireUserEcho,
  wireUserGroupChangeResponse,
  wireUserGroupDefinition,
  wireUserGroupDeleteResponse,
  wireUserGroupsV1,
  wireUserGroupsV2,
  wireUserPage,
  wireUserProfiles,
  wireUsersV2Response,
} from './wire.js';

/**
 * Why a deletion Visier reported failed is a success: retried after an attempt whose answer was lost, it found
 * the object gone. Most likely that attempt deleted it; an id that never existed looks the same from here, which
 * the preview before a deletion shows the human as a missing target.
 */
const LOST_DELETION_NOTE =
  'gone: retried after an attempt whose answer was lost, it was already deleted, and a read confirms it no longer exists';

/** Visier's default and our default page size for V2 user groups. */
const V2_GROUPS_PAGE_SIZE = 100;
/** Visier's maximum `userIds` per user-group entry of a membership change. */
const MEMBERSHIP_CHUNK = 100;

interface CallSpec<S extends z.ZodType | undefined> {
  method: HttpMethod;
  path: string;
  route: Route;
  options: CallOptions | undefined;
  query?: Record<string, string | number | boolean | readonly string[] | undefined>;
  json?: unknown;
  schema: S;
  accept?: ResponseKind;
  tally?: Tally;
}

export class VisierClient implements VisierApi {
  private readonly statsCounter: HttpStats = { requests: 0, retries: 0, rateLimited: 0, tokenRefreshes: 0 };
  private readonly http: HttpClient;
  private readonly session: SessionAuth;
  private readonly defaults: { tenantCode?: string; projectId?: string };

  constructor(config: VisierClientConfig) {
    const redactor = new Redactor();
    redactor.add(config.apiKey);
    redactor.add(config.auth.password);
    if (config.auth.kind === 'oauth2') redactor.add(config.auth.clientSecret);
    const rateLimit = config.rateLimit === undefined ? DEFAULT_RATE_LIMIT : config.rateLimit;
    const clock = config.clock ?? systemClock;
    this.http = new HttpClient({
      baseUrl: normaliseHost(config.host),
      retry: resolveRetry(config.retry),
      connectMs: config.timeouts?.connectMs ?? DEFAULT_TIMEOUTS.connectMs,
      requestMs: config.timeouts?.requestMs ?? DEFAULT_TIMEOUTS.requestMs,
      connections: config.connections ?? DEFAULT_CONNECTIONS,
      limiter: rateLimit === false ? undefined : new RateLimiter(rateLimit, clock, sharedSlot(config, rateLimit)),
      logger: clientLogger(config.logger),
      redactor,
      stats: this.statsCounter,
      clock,
    });
    this.session = new SessionAuth(this.http, config.auth, config.apiKey, redactor, this.statsCounter, () =>
      clock.now(),
    );
    this.defaults = assignDefined({}, { tenantCode: config.tenantCode, projectId: config.projectId });
  }

  /** Live counters of HTTP requests sent, retries, 429s received and tokens obtained. */
  get stats(): Readonly<HttpStats> {
    return this.statsCounter;
  }

  close(): Promise<void> {
    return this.http.close();
  }

  // users

  async listUsers(query: PageQuery & { include?: UserInclude }, options?: CallOptions): Promise<Page<User>> {
    const limit = query.limit ?? MAX_PAGE_SIZE;
    const start = query.start ?? 0;
    const res = await this.call({
      method: 'GET',
      path: '/v1/admin/users',
      route: ROUTES.listUsers,
      options,
      query: { ...includeQuery(query.include), limit, start },
      schema: wireUserPage,
    });
    return { items: (res.users ?? []).map(fromWireUser), limit: res.limit ?? limit, start: res.start ?? start };
  }

  async *userPages(
    query: { pageSize?: number; start?: number; include?: UserInclude },
    options?: CallOptions,
  ): AsyncGenerator<User[], void, undefined> {
    const pageSize = query.pageSize ?? MAX_PAGE_SIZE;
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
      throw new RangeError(`pageSize must be an integer from 1 to ${MAX_PAGE_SIZE}`);
    }
    let start = query.start ?? 0;
    for (;;) {
      const page = await this.listUsers(
        query.include ? { limit: pageSize, start, include: query.include } : { limit: pageSize, start },
        options,
      );
      if (page.items.length > 0) yield page.items;
      if (page.items.length < pageSize) return;
      start += page.items.length;
    }
  }

  async getUser(userId: string, include?: UserInclude, options?: CallOptions): Promise<User> {
    const res = await this.call({
      method: 'GET',
      path: `/v1/admin/users/${seg(userId)}`,
      route: ROUTES.getUser,
      options,
      query: includeQuery(include),
      schema: wireUser,
    });
    return fromWireUser(res);
  }

  async createUser(input: UserInput, options?: CallOptions): Promise<User> {
    const res = await this.call({
      method: 'POST',
      path: '/v1/admin/users',
      route: ROUTES.createUser,
      options,
      json: toWireUser(input),
      schema: wireUser,
    });
    return fromWireUser(res);
  }

  /**
   * Visier's PUT replaces the user (omitted fields are removed, reference section 8), so the current user is read
   * first and the patch applied to it: the fields the patch omits keep their values.
   */
  async updateUser(userId: string, patch: UserPatch, options?: CallOptions): Promise<User> {
    const current = await this.getUser(userId, undefined, options);
    const merged = { ...toWireUser(current), ...toWireUser(patch) };
    const res = await this.call({
      method: 'PUT',
      path: `/v1/admin/users/${seg(userId)}`,
      route: ROUTES.updateUser,
      options,
      json: merged,
      schema: wireUserEcho,
    });
    return fromWireUser({ ...merged, ...res, userId });
  }

  async deleteUser(userId: string, options?: CallOptions): Promise<void> {
    // 200 with `{}` per the spec, 204 per Visier's own test: both are success and carry nothing.
    try {
      await this.call({
        method: 'DELETE',
        path: `/v1/admin/users/${seg(userId)}`,
        route: ROUTES.deleteUser,
        options,
        schema: undefined,
      });
    } catch (error) {
      // A retry found no such user after an attempt whose answer was lost: that attempt deleted it.
      if (error instanceof VisierApiError && error.status === 404 && error.afterUnknownOutcome) return;
      throw error;
    }
  }

  bulkCreateUsers(users: UserInput[], options?: BulkCallOptions): Promise<BulkResult> {
    const tally = { requests: 0 };
    return runBulk<UserInput, WireUsersV2Success, WireUsersV2Failure>(
      {
        items: users,
        keyOfItem: (u) => u.username,
        keyOfSuccess: (s) => s.username,
        keyOfFailure: v2FailureUsername,
        describe: (u) => ({ username: u.username, displayName: u.displayName }),
        succeeded: (u, s) => {
          const user = newUserFromInput(u, s);
          return { userId: user.userId, user };
        },
        failed: v2FailureMessage,
        send: (chunk) => this.usersV2('POST', { users: chunk.map(toWireUser) }, options, tally),
        onProgress: options?.onProgress,
        signal: options?.signal,
      },
      () => tally.requests,
    );
  }

  bulkUpdateUsers(users: UserUpdate[], options?: BulkCallOptions): Promise<BulkResult> {
    const tally = { requests: 0 };
    return runBulk<UserUpdate, WireUsersV2Success, WireUsersV2Failure>(
      {
        items: users,
        keyOfItem: (u) => u.userId,
        keyOfSuccess: (s) => s.userId,
        keyOfFailure: (f) => f.userId,
        describe: (u) => ({ userId: u.userId, username: u.username, displayName: u.displayName }),
        succeeded: (u, s) => ({ user: fromWireUser({ ...toWireUser(u), ...s, userId: u.userId }) }),
        failed: v2FailureMessage,
        send: (chunk) =>
          this.usersV2('PUT', { users: chunk.map((u) => ({ userId: u.userId, ...toWireUser(u) })) }, options, tally),
        onProgress: options?.onProgress,
        signal: options?.signal,
      },
      () => tally.requests,
    );
  }

  bulkDeleteUsers(userIds: string[], options?: BulkCallOptions): Promise<BulkResult> {
    const tally = { requests: 0 };
    return runBulk<string, WireUsersV2Success, WireUsersV2Failure>(
      {
        items: userIds,
        keyOfItem: (id) => id,
        keyOfSuccess: (s) => s.userId,
        keyOfFailure: (f) => f.userId,
        describe: (id) => ({ userId: id }),
        succeeded: (_id, s) => assignDefined({}, { username: s.username, displayName: s.displayName }),
        failed: v2FailureMessage,
        send: (chunk) => this.usersV2('DELETE', { userIds: chunk }, options, tally),
        lostAnswerCheck: {
          done: (id) => this.isGone({ path: `/v1/admin/users/${seg(id)}`, route: ROUTES.getUser, options, tally }),
          note: LOST_DELETION_NOTE,
        },
        onProgress: options?.onProgress,
        signal: options?.signal,
      },
      () => tally.requests,
    );
  }

  /**
   * Whether Visier answers 404 for the object at `path`: after a lost answer, proof that a deletion was done.
   * Any other answer or error is not proof.
   */
  private async isGone(at: { path: string; route: Route; options: CallOptions | undefined; tally?: Tally }) {
    try {
      await this.call({ method: 'GET', schema: undefined, ...at });
      return false;
    } catch (error) {
      if (error instanceof VisierApiError && error.status === 404) return true;
      if (error instanceof VisierApiError) return false;
      throw error;
    }
  }

  private async usersV2(method: HttpMethod, json: unknown, options: CallOptions | undefined, tally: Tally) {
    const lostBefore = tally.lostAnswers ?? 0;
    const res = await this.call({
      method,
      path: '/v2/admin/users',
      route: ROUTES.usersV2,
      options,
      json,
      schema: wireUsersV2Response,
      tally,
    });
    return {
      successes: flattenV2Successes(res),
      failures: res.failures ?? [],
      afterLostAnswer: (tally.lostAnswers ?? 0) > lostBefore,
    };
  }

  // permissions

  async listPermissions(query?: { includeDetails?: boolean }, options?: CallOptions): Promise<Permission[]> {
    const includeDetails = query?.includeDetails === true;
    const res = await this.call({
      method: 'GET',
      path: '/v1/admin/permissions',
      route: ROUTES.listPermissions,
      options,
      query: { includeDetails: includeDetails || undefined },
      schema: wirePermissions,
    });
    return (res.permissions ?? []).map((p) => {
      const permission: Permission = assignDefined(
        { permissionId: p.permissionId },
        { displayName: p.displayName, description: p.description },
      );
      if (includeDetails) permission.details = { ...p };
      return permission;
    });
  }

  async listUsersWithPermission(
    permissionId: string,
    query?: PageQuery & { includeUserGroups?: boolean; tenantFilter?: string },
    options?: CallOptions,
  ): Promise<Page<TenantUsers<PermissionHolder>>> {
    const res = await this.call({
      method: 'GET',
      path: `/v1/admin/permissions/${seg(permissionId)}/users`,
      route: ROUTES.permissionUsers,
      options,
      query: {
        includeUserGroups: query?.includeUserGroups,
        tenantFilter: query?.tenantFilter,
        limit: query?.limit,
        start: query?.start,
      },
      schema: wirePermissionUsers,
    });
    return tenantPage(res, query, (u) =>
      assignDefined({ userId: u.userId }, { username: u.username, permissionFrom: u.permissionFrom }),
    );
  }

  assignPermissionsToUsers(assignments: PermissionAssignment[], options?: AssignmentCallOptions) {
    return this.permissionAssignment('PUT', assignments, options);
  }

  removePermissionsFromUsers(assignments: PermissionAssignment[], options?: AssignmentCallOptions) {
    return this.permissionAssignment('DELETE', assignments, options);
  }

  private async permissionAssignment(
    method: 'PUT' | 'DELETE',
    assignments: PermissionAssignment[],
    options: AssignmentCallOptions | undefined,
  ): Promise<AssignmentResult> {
    const tally = { requests: 0 };
    const res = await this.call({
      method,
      path: '/v1/admin/permissions/users',
      route: ROUTES.permissionAssignments,
      options,
      json: {
        permissions: assignments.map((a) => ({ permissionId: a.permissionId, userIds: a.userIds })),
        ...targetProjects(options),
      },
      schema: wirePermissionAssignmentResponse,
      tally,
    });
    return { tenants: fromPermissionAssignment(res), requests: tally.requests };
  }

  // user groups

  async listUserGroups(query?: PageQuery, options?: CallOptions): Promise<Page<UserGroupSummary>> {
    const limit = query?.limit ?? MAX_PAGE_SIZE;
    const start = query?.start ?? 0;
    const res = await this.call({
      method: 'GET',
      path: '/v1/admin/user-groups',
      route: ROUTES.listUserGroups,
      options,
      query: { limit, start },
      schema: wireUserGroupsV1,
    });
    return {
      items: (res.userGroups ?? []).map((g) =>
        assignDefined(
          { userGroupId: g.userGroupId },
          {
            displayName: g.displayName,
            permissions: g.permissions?.map((p) =>
              assignDefined({ permissionId: p.permissionId }, { displayName: p.displayName }),
            ),
          },
        ),
      ),
      limit: res.limit ?? limit,
      start: res.start ?? start,
    };
  }

  async listUserGroupsV2(query?: UserGroupV2Query, options?: CallOptions): Promise<Page<UserGroupDefinition>> {
    const limit = query?.limit ?? V2_GROUPS_PAGE_SIZE;
    const start = query?.start ?? 0;
    const res = await this.call({
      method: 'GET',
      path: '/v2/admin/user-groups',
      route: ROUTES.userGroupsV2,
      options,
      query: { with: query?.with, limit, start, displayNameFilter: query?.displayNameFilter },
      schema: wireUserGroupsV2,
    });
    // This endpoint does not echo limit and start.
    return { items: (res.userGroups ?? []).map(fromWireGroup), limit, start };
  }

  async getUserGroup(
    userGroupId: string,
    query?: { with?: UserGroupDetail },
    options?: CallOptions,
  ): Promise<UserGroupDefinition> {
    const res = await this.call({
      method: 'GET',
      path: `/v2/admin/user-groups/${seg(userGroupId)}`,
      route: ROUTES.userGroupsV2,
      options,
      query: { with: query?.with },
      schema: wireUserGroupDefinition,
    });
    return fromWireGroup(res);
  }

  async listUserGroupMembers(
    userGroupId: string,
    query?: PageQuery & { tenantFilter?: string },
    options?: CallOptions,
  ): Promise<Page<TenantUsers<GroupMember>>> {
    const res = await this.call({
      method: 'GET',
      path: `/v1/admin/user-groups/${seg(userGroupId)}/users`,
      route: ROUTES.userGroupMembers,
      options,
      query: { tenantFilter: query?.tenantFilter, limit: query?.limit, start: query?.start },
      schema: wireGroupMembers,
    });
    return tenantPage(res, query, (u) => assignDefined({ userId: u.userId }, { username: u.username }));
  }

  addUsersToGroups(changes: GroupMembershipChange[], options?: AssignmentCallOptions) {
    return this.membership('PUT', changes, options);
  }

  removeUsersFromGroups(changes: GroupMembershipChange[], options?: AssignmentCallOptions) {
    return this.membership('DELETE', changes, options);
  }

  /**
   * Request k carries, for every group, its k-th slice of at most 100 userIds. A failure of the first request
   * is thrown (nothing changed); a failure of a later one is returned with the outcomes of those before it and
   * what became of the rest (`incomplete`), since those earlier changes are made.
   */
  private async membership(
    method: 'PUT' | 'DELETE',
    changes: GroupMembershipChange[],
    options: AssignmentCallOptions | undefined,
  ): Promise<AssignmentResult> {
    const tally = { requests: 0 };
    const tenants: TenantOutcome[] = [];
    const rounds = Math.max(1, ...changes.map((c) => Math.ceil(c.userIds.length / MEMBERSHIP_CHUNK)));
    const slices = Array.from({ length: rounds }, (_, k) =>
      changes
        .map((c) => ({
          userGroupId: c.userGroupId,
          userIds: c.userIds.slice(k * MEMBERSHIP_CHUNK, (k + 1) * MEMBERSHIP_CHUNK),
        }))
        .filter((g) => k === 0 || g.userIds.length > 0),
    );
    for (const [k, userGroups] of slices.entries()) {
      try {
        const res = await this.call({
          method,
          path: '/v1/admin/user-groups/users',
          route: ROUTES.userGroupAssignments,
          options,
          json: { userGroups, ...targetProjects(options) },
          schema: wireSecurityAssignmentResponse,
          tally,
        });
        tenants.push(...fromSecurityAssignment(res));
      } catch (error) {
        if (k === 0 || !(error instanceof VisierApiError)) throw error;
        const incomplete = assignDefined(
          {
            failedRequest: k + 1,
            requestsPlanned: rounds,
            outcome: stopOutcome(error),
            message: error.localizedMessage ?? error.message,
            failed: userGroups.map((g) => ({ id: g.userGroupId, userIds: g.userIds })),
            notSent: mergeById(slices.slice(k + 1).flat()),
          },
          { rci: error.rci },
        );
        return { tenants, requests: tally.requests, incomplete };
      }
    }
    return { tenants, requests: tally.requests };
  }

  assignPermissionsToGroups(changes: GroupPermissionChange[], options?: CallOptions) {
    return this.groupPermissions('PUT', changes, options);
  }

  removePermissionsFromGroups(changes: GroupPermissionChange[], options?: CallOptions) {
    return this.groupPermissions('DELETE', changes, options);
  }

  private async groupPermissions(
    method: 'PUT' | 'DELETE',
    changes: GroupPermissionChange[],
    options: CallOptions | undefined,
  ): Promise<GroupPermissionsResult> {
    const res = await this.call({
      method,
      path: '/v1/admin/user-groups/permissions',
      route: ROUTES.userGroupAssignments,
      options,
      // Visier spells it `permissionsIds` here.
      json: { userGroups: changes.map((c) => ({ userGroupId: c.userGroupId, permissionsIds: c.permissionIds })) },
      schema: wireGroupPermissionsResponse,
    });
    return assignDefined(
      {
        status: res.status ?? 'Unknown',
        userGroups: (res.userGroups ?? []).map((g) =>
          assignDefined(
            {
              userGroupId: g.userGroupId,
              permissions: (g.permissions ?? []).map((p) =>
                assignDefined({ permissionId: p.permissionId }, { displayName: p.displayName }),
              ),
            },
            { displayName: g.displayName },
          ),
        ),
      },
      { tenantCode: res.tenantCode, message: res.message },
    );
  }

  createUserGroups(groups: UserGroupDefinition[], options?: CallOptions) {
    return this.changeGroups('POST', groups, options);
  }

  updateUserGroups(groups: UserGroupDefinition[], options?: CallOptions) {
    return this.changeGroups('PATCH', groups, options);
  }

  replaceUserGroups(groups: UserGroupDefinition[], options?: CallOptions) {
    return this.changeGroups('PUT', groups, options);
  }

  private async changeGroups(
    method: 'POST' | 'PUT' | 'PATCH',
    groups: UserGroupDefinition[],
    options: CallOptions | undefined,
  ): Promise<UserGroupChangeResult> {
    const res = await this.call({
      method,
      path: '/v2/admin/user-groups',
      route: ROUTES.userGroupsV2,
      options,
      json: { userGroups: groups.map(toWireGroup) },
      schema: wireUserGroupChangeResponse,
    });
    return {
      successes: (res.successes ?? []).map((s) => assignDefined({}, s)),
      failures: (res.failures ?? []).map((f) => assignDefined({}, f)),
    };
  }

  /**
   * A retry after a lost answer finds the groups that attempt deleted gone, and Visier fails them: those a read
   * confirms gone are successes, with a note.
   */
  async deleteUserGroups(groups: UserGroupRefForDelete[], options?: CallOptions): Promise<UserGroupDeleteResult> {
    const tally: Tally = { requests: 0 };
    const res = await this.call({
      method: 'DELETE',
      path: '/v2/admin/user-groups',
      route: ROUTES.userGroupsV2,
      options,
      json: { userGroups: groups.map((g) => assignDefined({ userGroupId: g.userGroupId }, g)) },
      schema: wireUserGroupDeleteResponse,
      tally,
    });
    const result: UserGroupDeleteResult = {
      successes: (res.successes ?? []).map((s) => assignDefined({ userGroupId: s.userGroupId }, s)),
      failures: [],
    };
    for (const f of res.failures ?? []) {
      const failure = assignDefined({ userGroupId: f.userGroupId }, f);
      const gone =
        (tally.lostAnswers ?? 0) > 0 &&
        (await this.isGone({
          path: `/v2/admin/user-groups/${seg(f.userGroupId)}`,
          route: ROUTES.userGroupsV2,
          options: assignDefined({ ...options }, { tenantCode: f.tenantCode, projectId: f.projectId }),
        }));
      if (gone) {
        const { message: _m, rci: _r, ...ref } = failure;
        result.successes.push({ ...ref, note: LOST_DELETION_NOTE });
      } else result.failures.push(failure);
    }
    return result;
  }

  // data query

  async employeesMatching(filter: EmployeeFilter, options?: CallOptions): Promise<string[]> {
    const res = await this.call({
      method: 'POST',
      path: DATA_QUERY_LIST_PATH,
      route: ROUTES.dataQuery,
      options,
      json: employeeListQuery(filter),
      schema: wireListResponse,
    });
    return employeeIds(res);
  }

  // profiles

  async listProfiles(options?: CallOptions): Promise<Profile[]> {
    const res = await this.call({
      method: 'GET',
      path: '/v1/admin/profiles',
      route: ROUTES.profiles,
      options,
      schema: wireProfiles,
    });
    return (res.profiles ?? []).map(fromWireProfile);
  }

  async getProfile(profileId: string, options?: CallOptions): Promise<Profile> {
    const res = await this.call({
      method: 'GET',
      path: `/v1/admin/profiles/${seg(profileId)}`,
      route: ROUTES.profiles,
      options,
      schema: wireProfile,
    });
    return fromWireProfile(res);
  }

  async getUserProfiles(userId: string, options?: CallOptions): Promise<UserProfileAssignment[]> {
    const res = await this.call({
      method: 'GET',
      path: `/v1/admin/users/${seg(userId)}/profiles`,
      route: ROUTES.profiles,
      options,
      schema: wireUserProfiles,
    });
    return (res.assignedProfiles ?? []).map((p) =>
      assignDefined(fromWireProfile(p), { validityStartTime: p.validityStartTime, validityEndTime: p.validityEndTime }),
    );
  }

  async assignProfile(
    profileId: string,
    assignment: ProfileAssignment,
    options?: CallOptions,
  ): Promise<ProfileAssignResult> {
    const res = await this.call({
      method: 'PUT',
      path: `/v1/admin/profiles/${seg(profileId)}/assign`,
      route: ROUTES.profiles,
      options,
      json: assignDefined(
        { targetUserIds: assignment.userIds },
        { validityStartTime: assignment.validityStartTime, validityEndTime: assignment.validityEndTime },
      ),
      schema: wireProfileAssignResponse,
    });
    return {
      errors: res.errors ?? false,
      badUserIds: (res.badUserIds ?? []).map(fromProfileUserError),
      failedAssignments: (res.failedAssignments ?? []).map(fromProfileUserError),
      successfulAssignments: (res.successfulAssignments ?? []).map((s) => s.userId),
    };
  }

  async removeProfile(profileId: string, userIds: string[], options?: CallOptions): Promise<ProfileRemoveResult> {
    const res = await this.call({
      method: 'DELETE',
      path: `/v1/admin/profiles/${seg(profileId)}/remove`,
      route: ROUTES.profiles,
      options,
      json: { targetUserIds: userIds },
      schema: wireProfileRemoveResponse,
    });
    return {
      failed: (res.failed ?? []).map((f) => assignDefined({ userId: f.userId }, { message: f.message })),
      succeeded: (res.succeeded ?? []).map((s) => s.userId),
    };
  }

  // projects

  async listProjects(
    query?: { states?: readonly ProjectState[]; limit?: number },
    options?: CallOptions,
  ): Promise<{ state: ProjectState; project: Project }[]> {
    const res = await this.call({
      method: 'GET',
      path: '/v1/admin/projects',
      route: ROUTES.projects,
      options,
      // Visier's `with` is an array parameter: repeated, one value per state asked.
      query: { with: query?.states, limit: query?.limit },
      schema: wireProjects,
    });
    const listed: [ProjectState, typeof res.openProjects][] = [
      ['Open', res.openProjects],
      ['Approval', res.approvalProjects],
      ['Rejected', res.rejectedProjects],
      ['Archived', res.archivedProjects],
    ];
    return listed.flatMap(([state, projects]) => (projects ?? []).map((p) => ({ state, project: fromWireProject(p) })));
  }

  async createProject(input: ProjectInput, options?: CallOptions): Promise<Project> {
    const res = await this.call({
      method: 'POST',
      path: '/v1/admin/projects',
      route: ROUTES.projects,
      options,
      json: assignDefined(
        { name: input.name },
        { description: input.description, releaseVersion: input.releaseVersion, ticketNumber: input.ticketNumber },
      ),
      schema: wireProject,
    });
    return fromWireProject(res);
  }

  // reports

  async getReport(report: ReportKind, query: ReportQuery = {}, options?: CallOptions): Promise<Report> {
    const bytes = await this.reportBytes(report, query, options);
    const parsed = await readable(report, query, () => parseReport(report, bytes, query.maxRows));
    return query.saveTo ? saveReport(parsed, bytes, query.saveTo) : parsed;
  }

  async *reportRows(
    report: Exclude<ReportKind, 'data-security' | 'application-logs'>,
    options?: CallOptions,
  ): AsyncGenerator<ReportRow, void, undefined> {
    const rows = reportRows(await this.reportBytes(report, {}, options));
    try {
      for (;;) {
        const next = await readable(report, {}, () => rows.next());
        if (next.done) return;
        yield next.value;
      }
    } finally {
      // A reader that stops early leaves the workbook half read; close it.
      await rows.return();
    }
  }

  private async reportBytes(report: ReportKind, query: ReportQuery, options: CallOptions | undefined) {
    return (await this.call({
      method: 'GET',
      path: reportPath(report, query.userId),
      route: ROUTES.reports,
      options,
      query: report === 'application-logs' ? { startTime: query.startTime, endTime: query.endTime } : undefined,
      schema: undefined,
      accept: 'binary',
    })) as Buffer;
  }

  // plumbing

  // directory

  /**
   * The configured tenant and project stand in for those the call leaves out, so the snapshot says where it was read
   * and the fill knows a project is in effect (the reports cannot read one).
   */
  directory(options?: CallOptions): Promise<DirectorySnapshot> {
    return loadDirectory(this, assignDefined({ ...this.defaults }, { ...options }));
  }

  private async call<S extends z.ZodType | undefined>(
    spec: CallSpec<S>,
  ): Promise<S extends z.ZodType ? z.infer<S> : unknown> {
    const routed = routeParams(spec.route, spec.options, this.defaults);
    const res = await this.http.send(
      {
        method: spec.method,
        path: spec.path,
        query: { ...routed.query, ...spec.query },
        headers: routed.headers,
        json: spec.json,
        accept: spec.accept ?? 'json',
        signal: spec.options?.signal,
        tally: spec.tally,
      },
      this.session,
    );
    if (spec.schema === undefined) return res.body as S extends z.ZodType ? z.infer<S> : unknown;
    const parsed = spec.schema.safeParse(res.body ?? {});
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new VisierApiError({
        kind: 'malformed',
        method: spec.method,
        path: spec.path,
        status: res.status,
        retryable: false,
        detail: `unexpected response shape${issue ? ` at ${issue.path.join('.') || '(root)'}: ${issue.message}` : ''}`,
      });
    }
    return parsed.data as S extends z.ZodType ? z.infer<S> : unknown;
  }
}

/** Runs one step of reading a report's workbook; bytes that are no XLSX workbook become a `malformed` error. */
async function readable<T>(report: ReportKind, query: ReportQuery, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (err) {
    throw new VisierApiError({
      kind: 'malformed',
      method: 'GET',
      path: reportPath(report, query.userId),
      retryable: false,
      detail: `report is not a readable XLSX workbook: ${err instanceof Error ? err.message : String(err)}`,
    });
  }
}

function seg(id: string): string {
  return encodeURIComponent(id);
}

function stopOutcome(error: VisierApiError): AssignmentStop['outcome'] {
  if (!error.sent || error.kind === 'rate-limited') return 'not-sent';
  const status = error.status ?? 0;
  return status >= 400 && status < 500 && !error.afterUnknownOutcome ? 'refused' : 'unknown';
}

function mergeById(slices: { userGroupId: string; userIds: string[] }[]): IdUsers[] {
  const byId = new Map<string, string[]>();
  for (const s of slices) byId.set(s.userGroupId, [...(byId.get(s.userGroupId) ?? []), ...s.userIds]);
  return [...byId].map(([id, userIds]) => ({ id, userIds }));
}

function includeQuery(include: UserInclude | undefined): Record<string, boolean | undefined> {
  return {
    assignedProfiles: include?.profiles || undefined,
    assignedPermissions: include?.permissions || undefined,
    assignedUserGroups: include?.userGroups || undefined,
  };
}

function targetProjects(options: AssignmentCallOptions | undefined) {
  const list = options?.targetProjectForTenants;
  return list && list.length > 0 ? { targetProjectForTenantsList: { targetProjectForTenants: list } } : {};
}

function tenantPage<W extends { userId: string }, U>(
  res: {
    tenants?: { tenantCode?: string | undefined; users?: W[] | undefined }[] | undefined;
    limit?: number | undefined;
    start?: number | undefined;
  },
  query: PageQuery | undefined,
  user: (w: W) => U,
): Page<TenantUsers<U>> {
  return {
    items: (res.tenants ?? []).map((t) => ({ tenantCode: t.tenantCode ?? '', users: (t.users ?? []).map(user) })),
    limit: res.limit ?? query?.limit ?? 0,
    start: res.start ?? query?.start ?? 0,
  };
}

/** The key's budget shared by replicas, under a digest of the key: the store never holds the key itself. */
function sharedSlot(config: VisierClientConfig, limits: RateLimitConfig): SharedRateSlot | undefined {
  const store = config.rateStore;
  if (store === undefined) return undefined;
  const budget = storeDigest(`${config.host} ${config.apiKey}`);
  return () => store.takeRateSlot(budget, limits);
}
