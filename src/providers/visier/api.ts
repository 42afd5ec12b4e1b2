// The public face of the Visier client: normalised data types and the operations the rest of the
// product may call. Wire quirks (string booleans, `userName`, `permissionsIds`, nested wrappers) are
// resolved inside the client so that nothing above this line ever sees them.
import type { DirectorySnapshot } from './directory.js';
import type { ReportRow } from './reports.js';

/** Visier's maximum page size for users, V1 user groups and V2 user groups (`limit`, spec §2.1, §2.3, §2.7). */
export const MAX_PAGE_SIZE = 1000;

/** Per-call routing. `tenantCode` names the tenant to act on; the rest are Visier headers. */
export interface CallOptions {
  tenantCode?: string;
  /** Sent as the `TargetTenantID` header: the tenant the call executes from. */
  targetTenantId?: string;
  /** Sent as the `ProjectID` header where the endpoint accepts it. */
  projectId?: string;
  signal?: AbortSignal;
}

/** Progress callback for multi-request operations: `done` of `total` units (items or pages). */
export type ProgressFn = (done: number, total: number | undefined, message?: string) => void;

export interface BulkCallOptions extends CallOptions {
  onProgress?: ProgressFn;
}

export interface AssignedProfile {
  profileId: string;
  displayName?: string;
  validityStartTime?: string;
  validityEndTime?: string;
}

export interface PermissionRef {
  permissionId: string;
  displayName?: string;
  description?: string;
}

export interface UserGroupRef {
  userGroupId: string;
  displayName?: string;
}

export interface User {
  userId: string;
  username: string;
  displayName?: string;
  employeeId?: string;
  email?: string;
  accountEnabled?: boolean;
  lastLogin?: string;
  /** Present only when asked for (`include.profiles`). */
  profiles?: AssignedProfile[];
  /** Present only when asked for (`include.permissions`). */
  permissions?: PermissionRef[];
  /** Present only when asked for (`include.userGroups`). */
  userGroups?: UserGroupRef[];
}

export interface UserInclude {
  profiles?: boolean;
  permissions?: boolean;
  userGroups?: boolean;
}

export interface UserInput {
  username: string;
  displayName?: string;
  employeeId?: string;
  email?: string;
  accountEnabled?: boolean;
}

export type UserPatch = Partial<UserInput>;

/**
 * A whole user for Visier's V2 bulk PUT, which replaces the user (reference section 8): every field is required
 * because an omitted one would be removed. Start from the user as read and apply the change.
 */
export interface UserUpdate extends Required<UserInput> {
  userId: string;
}

export interface Page<T> {
  items: T[];
  limit: number;
  start: number;
}

export interface PageQuery {
  limit?: number;
  start?: number;
}

/** One input item of a bulk call, accounted for exactly once, in input order. */
export interface BulkItem {
  index: number;
  status: 'succeeded' | 'failed' | 'not_attempted';
  userId?: string;
  username?: string;
  displayName?: string;
  /**
   * Visier's message for a failed item, why a chunk was not sent, or for a succeeded item how its success was
   * established when Visier's own answer was lost.
   */
  message?: string;
  rci?: string;
  user?: User;
}

export interface BulkResult {
  items: BulkItem[];
  succeeded: number;
  failed: number;
  notAttempted: number;
  /** HTTP requests sent to Visier for this operation. */
  requests: number;
}

export interface Permission extends PermissionRef {
  /** Full Visier detail, kept as received, only when `includeDetails` was asked. */
  details?: Record<string, unknown>;
}

export type PermissionSource = 'User' | 'UserGroup' | 'UserAndUserGroup' | string;

export interface TenantUsers<U> {
  tenantCode: string;
  users: U[];
}

export interface PermissionHolder {
  userId: string;
  username?: string;
  permissionFrom?: PermissionSource;
}

export interface GroupMember {
  userId: string;
  username?: string;
}

export interface TargetProjectForTenant {
  tenantCode: string;
  projectId: string;
}

export interface AssignmentCallOptions extends CallOptions {
  targetProjectForTenants?: TargetProjectForTenant[];
}

export type TenantStatus = 'Succeed' | 'Failed' | 'Unknown' | string;

/** Outcome per tenant of a V1 permission or membership change (partial failure arrives inside a 200). */
export interface TenantOutcome {
  tenantCode?: string;
  status: TenantStatus;
  message?: string;
  projectId?: string;
  /** What Visier reports as changed: permission or group id -> users it names. */
  changes: { id: string; name?: string; users: GroupMember[] }[];
}

export interface AssignmentResult {
  tenants: TenantOutcome[];
  /** HTTP requests sent (membership changes chunk at 100 userIds per group). */
  requests: number;
  /**
   * Set when a change sent in several requests failed at one after the first: `tenants` reports the requests
   * answered before it, and this what became of the rest. Absent when every request was answered.
   */
  incomplete?: AssignmentStop;
}

/** Users per group (or permission) id. */
export interface IdUsers {
  id: string;
  userIds: string[];
}

export interface AssignmentStop {
  /** Which request failed (1-based), of how many the change needed. */
  failedRequest: number;
  requestsPlanned: number;
  /**
   * `not-sent`: it never reached Visier; `refused`: Visier answered with an error (4xx), so it was not applied;
   * `unknown`: it may have been applied, its answer lost or a server error.
   */
  outcome: 'not-sent' | 'refused' | 'unknown';
  /** The error, Visier's words when it gave some. */
  message: string;
  rci?: string;
  /** The changes the failed request carried. */
  failed: IdUsers[];
  /** The changes of the requests after it, never sent. */
  notSent: IdUsers[];
}

export interface PermissionAssignment {
  permissionId: string;
  userIds: string[];
}

export interface GroupMembershipChange {
  userGroupId: string;
  userIds: string[];
}

export interface GroupPermissionChange {
  userGroupId: string;
  permissionIds: string[];
}

export interface GroupPermissionsResult {
  tenantCode?: string;
  status: TenantStatus;
  message?: string;
  userGroups: { userGroupId: string; displayName?: string; permissions: PermissionRef[] }[];
}

/** V1 list row. */
export interface UserGroupSummary {
  userGroupId: string;
  displayName?: string;
  permissions?: PermissionRef[];
}

/** One dimension member a dynamic filter selects (or, `isExcluded`, keeps out), by its name path. */
export interface MemberSelection {
  isExcluded?: boolean;
  /** From the top of the hierarchy down, e.g. `["North America", "US", "CA"]`; a member includes those below it. */
  namePath: string[];
}

/** A condition on one dimension of the employee data. */
export interface DimensionFilter {
  dimensionId: string;
  /** The object path to the dimension when it is not on Employee, e.g. `["Employee", "Employment_Start"]`. */
  subjectReferencePath?: string[];
  memberSelections: MemberSelection[];
}

/** Visier's `admin.UserGroupChangeFilterDTO`: employees matching every dimension filter. */
export interface EmployeeFilter {
  /** Visier's id for a stored filter; absent on create. */
  filterId?: string;
  /** Only `Employee` is supported by Visier (and its default). */
  analyticObjectId?: string;
  dimensionFilters: DimensionFilter[];
}

/** Visier's `admin.UserGroupFiltersDTO`, with the `ElementIDsDTO` wrapper of reference paths flattened. */
export interface DynamicFilterDefinition {
  filters: EmployeeFilter[];
}

export interface UserGroupMembershipRule {
  includeAllUsers?: boolean;
  manuallyIncludedIds?: string[];
  manuallyExcludedIds?: string[];
  /** Users chosen by their employee data: Visier matches each user's employeeId against it. */
  dynamicFilterDefinition?: DynamicFilterDefinition;
}

/** V2 definition (request and response), with `ElementIDsDTO` wrappers flattened to arrays. */
export interface UserGroupDefinition {
  userGroupId?: string;
  displayName?: string;
  description?: string;
  permissionIds?: string[];
  users?: UserGroupMembershipRule;
  tenantCode?: string;
  projectId?: string;
  visibleForSelection?: { enabled?: boolean; features?: string[] };
  correlationId?: string;
}

export type UserGroupDetail = 'permissions' | 'users' | 'details';

export interface UserGroupV2Query extends PageQuery {
  with?: UserGroupDetail;
  displayNameFilter?: string;
}

export interface UserGroupChangeResult {
  successes: {
    userGroupId?: string;
    displayName?: string;
    tenantCode?: string;
    projectId?: string;
    correlationId?: string;
  }[];
  failures: {
    userGroupId?: string;
    displayName?: string;
    message?: string;
    rci?: string;
    tenantCode?: string;
    projectId?: string;
    correlationId?: string;
  }[];
}

export interface UserGroupRefForDelete {
  userGroupId: string;
  tenantCode?: string;
  projectId?: string;
}

export interface UserGroupDeleteResult {
  /** `note` says how a deletion whose answer was lost was established (see VisierClient.deleteUserGroups). */
  successes: (UserGroupRefForDelete & { note?: string })[];
  failures: (UserGroupRefForDelete & { message?: string; rci?: string })[];
}

/** What a profile lets its holders do on one capability (Visier's `servicing.CapabilitiesDTO`). */
export interface ProfileCapability {
  capability: string;
  accessLevel?: string;
  viewLevel?: string;
}

/** A profile as `GET /v1/admin/profiles` and `GET /v1/admin/profiles/{profileId}` describe it. */
export interface Profile {
  profileId: string;
  displayName?: string;
  capabilities: ProfileCapability[];
  additionalCapabilities: string[];
}

/**
 * One profile a user holds (`GET /v1/admin/users/{userId}/profiles`): the profile's fields plus the validity of this
 * assignment. Validity times are epoch milliseconds as strings (UTC), start inclusive, end exclusive, absent when
 * Visier leaves them out.
 */
export interface UserProfileAssignment extends Profile {
  validityStartTime?: string;
  validityEndTime?: string;
}

/** Users to give a profile, and when the assignment is valid (epoch-ms strings; absent: Visier's default). */
export interface ProfileAssignment {
  userIds: string[];
  validityStartTime?: string;
  validityEndTime?: string;
}

/** Visier's per-user error in a profile assignment answer (`servicing.ErrorDTO`). */
export interface ProfileUserError {
  userId: string;
  message?: string;
  errorCode?: string;
  rci?: string;
}

/**
 * Visier's answer to `PUT /v1/admin/profiles/{profileId}/assign`, per user as Visier reports it: `badUserIds`
 * (ids it does not accept), `failedAssignments` and `successfulAssignments`; `errors` is Visier's own flag.
 */
export interface ProfileAssignResult {
  errors: boolean;
  badUserIds: ProfileUserError[];
  failedAssignments: ProfileUserError[];
  successfulAssignments: string[];
}

/** Visier's answer to `DELETE /v1/admin/profiles/{profileId}/remove`: `failed` with Visier's message, `succeeded`. */
export interface ProfileRemoveResult {
  failed: { userId: string; message?: string }[];
  succeeded: string[];
}

/** The states `GET /v1/admin/projects` lists projects in. */
export const PROJECT_STATES = ['Open', 'Approval', 'Rejected', 'Archived'] as const;
export type ProjectState = (typeof PROJECT_STATES)[number];

/** A draft project (`servicing.ProjectDTO`). */
export interface Project {
  projectId: string;
  name?: string;
  description?: string;
  releaseVersion?: string;
  ticketNumber?: string;
  versionNumber?: number;
  /** The caller's rights in it: `canRead`, `canWrite`, `canShare`, `owner`. */
  capabilities?: string[];
  projectType?: string;
}

export interface ProjectInput {
  name: string;
  description?: string;
  releaseVersion?: string;
  ticketNumber?: string;
}

export const REPORT_KINDS = [
  'permissions-list',
  'application-logs',
  'profile-assignments',
  'permission-assignments',
  'data-security',
] as const;
export type ReportKind = (typeof REPORT_KINDS)[number];

export interface ReportQuery {
  /** Required for `data-security`. */
  userId?: string;
  /** `application-logs` window, epoch milliseconds as strings (start inclusive, end exclusive). */
  startTime?: string;
  endTime?: string;
  /** Rows returned at most; `totalRows` still counts all. */
  maxRows?: number;
  /** When set, the raw XLSX is also written to this file path. */
  saveTo?: string;
}

export interface Report {
  report: ReportKind;
  columns: string[];
  rows: Record<string, string | number | boolean | null>[];
  totalRows: number;
  truncated: boolean;
  bytes: number;
  savedTo?: string;
}

/**
 * Every operation of the Visier Users APIs the product uses. Methods throw `VisierApiError` on failure
 * (after retries where retrying is safe) and honour `signal` for cancellation.
 */
export interface VisierApi {
  // users
  listUsers(query: PageQuery & { include?: UserInclude }, options?: CallOptions): Promise<Page<User>>;
  /** Streams every user page by page (stops on a short page); memory stays bounded by one page. */
  userPages(
    query: { pageSize?: number; start?: number; include?: UserInclude },
    options?: CallOptions,
  ): AsyncGenerator<User[], void, undefined>;
  getUser(userId: string, include?: UserInclude, options?: CallOptions): Promise<User>;
  createUser(input: UserInput, options?: CallOptions): Promise<User>;
  /** Reads the user and sends it whole with `patch` applied: Visier's PUT replaces, so omitted fields are kept. */
  updateUser(userId: string, patch: UserPatch, options?: CallOptions): Promise<User>;
  deleteUser(userId: string, options?: CallOptions): Promise<void>;
  bulkCreateUsers(users: UserInput[], options?: BulkCallOptions): Promise<BulkResult>;
  /** Each item replaces the user (V2 PUT): see `UserUpdate`. */
  bulkUpdateUsers(users: UserUpdate[], options?: BulkCallOptions): Promise<BulkResult>;
  bulkDeleteUsers(userIds: string[], options?: BulkCallOptions): Promise<BulkResult>;

  // permissions
  listPermissions(query?: { includeDetails?: boolean }, options?: CallOptions): Promise<Permission[]>;
  /** Pages over tenants, as Visier does. */
  listUsersWithPermission(
    permissionId: string,
    query?: PageQuery & { includeUserGroups?: boolean; tenantFilter?: string },
    options?: CallOptions,
  ): Promise<Page<TenantUsers<PermissionHolder>>>;
  assignPermissionsToUsers(
    assignments: PermissionAssignment[],
    options?: AssignmentCallOptions,
  ): Promise<AssignmentResult>;
  removePermissionsFromUsers(
    assignments: PermissionAssignment[],
    options?: AssignmentCallOptions,
  ): Promise<AssignmentResult>;

  // user groups
  listUserGroups(query?: PageQuery, options?: CallOptions): Promise<Page<UserGroupSummary>>;
  listUserGroupsV2(query?: UserGroupV2Query, options?: CallOptions): Promise<Page<UserGroupDefinition>>;
  getUserGroup(
    userGroupId: string,
    query?: { with?: UserGroupDetail },
    options?: CallOptions,
  ): Promise<UserGroupDefinition>;
  /** Pages over tenants, as Visier does; only explicitly assigned members. */
  listUserGroupMembers(
    userGroupId: string,
    query?: PageQuery & { tenantFilter?: string },
    options?: CallOptions,
  ): Promise<Page<TenantUsers<GroupMember>>>;
  addUsersToGroups(changes: GroupMembershipChange[], options?: AssignmentCallOptions): Promise<AssignmentResult>;
  removeUsersFromGroups(changes: GroupMembershipChange[], options?: AssignmentCallOptions): Promise<AssignmentResult>;
  assignPermissionsToGroups(changes: GroupPermissionChange[], options?: CallOptions): Promise<GroupPermissionsResult>;
  removePermissionsFromGroups(changes: GroupPermissionChange[], options?: CallOptions): Promise<GroupPermissionsResult>;
  createUserGroups(groups: UserGroupDefinition[], options?: CallOptions): Promise<UserGroupChangeResult>;
  /** PATCH: omitted fields are left as they are. */
  updateUserGroups(groups: UserGroupDefinition[], options?: CallOptions): Promise<UserGroupChangeResult>;
  /** PUT: full replacement, omitted values are removed (reference §2.7); how a dynamic filter is taken off. */
  replaceUserGroups(groups: UserGroupDefinition[], options?: CallOptions): Promise<UserGroupChangeResult>;
  deleteUserGroups(groups: UserGroupRefForDelete[], options?: CallOptions): Promise<UserGroupDeleteResult>;

  // data query
  /**
   * The employee ids (`Employee.EmployeeID`) of the employees one dynamic filter matches now, through Visier's
   * Data Query API (a list query; see data-query.ts for its public source). Throws `VisierApiError`; a 4xx
   * means Visier refused the query (e.g. the credentials lack the Data Query capability).
   */
  employeesMatching(filter: EmployeeFilter, options?: CallOptions): Promise<string[]>;

  // profiles (production only: these endpoints take no ProjectID)
  listProfiles(options?: CallOptions): Promise<Profile[]>;
  getProfile(profileId: string, options?: CallOptions): Promise<Profile>;
  getUserProfiles(userId: string, options?: CallOptions): Promise<UserProfileAssignment[]>;
  assignProfile(profileId: string, assignment: ProfileAssignment, options?: CallOptions): Promise<ProfileAssignResult>;
  removeProfile(profileId: string, userIds: string[], options?: CallOptions): Promise<ProfileRemoveResult>;

  // projects
  /** Projects by state; `states` defaults to Visier's default, the open ones. */
  listProjects(
    query?: { states?: readonly ProjectState[]; limit?: number },
    options?: CallOptions,
  ): Promise<{ state: ProjectState; project: Project }[]>;
  createProject(input: ProjectInput, options?: CallOptions): Promise<Project>;

  // reports
  getReport(report: ReportKind, query?: ReportQuery, options?: CallOptions): Promise<Report>;
  /**
   * Streams a tenant-wide report's rows (every worksheet, each keyed by its own header row) without holding them:
   * one request, parsed as it is read. Throws `VisierApiError` (`malformed` when the bytes are no XLSX workbook).
   */
  reportRows(
    report: Exclude<ReportKind, 'data-security' | 'application-logs'>,
    options?: CallOptions,
  ): AsyncGenerator<ReportRow, void, undefined>;

  /** The whole directory of the tenant (and project) as one read model; see `directory.ts`. */
  directory(options?: CallOptions): Promise<DirectorySnapshot>;
}
