// One tenant's users, groups, permissions and assignments: the single state that every API version reads
// and changes, so a membership change through V1 is what V2 shows and the reports list.
import type { SandboxSnapshot } from '../handle.js';
import { type Prng, seededUuid } from '../prng.js';
import { notFound, StatusError } from '../status-error.js';
import type { EmployeeRecord } from './employees.js';

export interface UserRecord {
  userId: string;
  username: string;
  displayName: string;
  employeeId: string;
  email: string;
  accountEnabled: boolean;
  /** Epoch ms of the last logon; absent for a user who never logged on. */
  lastLogin?: number;
  /**
   * The profiles the user holds, each with the validity of this assignment. Shared, frozen arrays: most users
   * hold one of a few combinations, which keeps 100k users lean; a change replaces the array.
   */
  profiles: readonly ProfileAssignmentRecord[];
}

/** One profile held by one user: the validity belongs to the assignment, not to the profile. */
export interface ProfileAssignmentRecord {
  profileId: string;
  /** Epoch milliseconds as a string, inclusive; absent when the assignment was made without one. */
  validityStartTime?: string;
  /** Epoch milliseconds as a string, exclusive; absent for a permanent assignment. */
  validityEndTime?: string;
}

export type UserFields = Pick<UserRecord, 'username' | 'displayName' | 'employeeId' | 'email' | 'accountEnabled'>;

export interface PermissionRecord {
  permissionId: string;
  displayName: string;
  description: string;
  /** What the data-security report lists for holders of this permission. */
  population: string;
  propertyAccess: 'None' | 'Aggregate' | 'Detailed';
}

export interface ProfileRecord {
  profileId: string;
  displayName: string;
  capabilities: { capability: string; accessLevel: string; viewLevel: string }[];
  additionalCapabilities: string[];
}

export interface GroupRecord {
  userGroupId: string;
  displayName: string;
  description: string;
  permissionIds: Set<string>;
  includeAllUsers: boolean;
  included: Set<string>;
  excluded: Set<string>;
  /** Kept as given; the Data Query route evaluates the same kind of filter against `TenantState.employees`. */
  dynamicFilterDefinition?: unknown;
  visibleForSelection?: { enabled?: boolean; features?: string[] };
}

export interface AuditEvent {
  at: number;
  username: string;
  event: string;
  details: string;
  /** The project the change was made in; absent for production. */
  project?: { projectId: string; name: string; state: ProjectStateName };
}

export type ProjectStateName = 'Open' | 'Approval' | 'Rejected' | 'Archived';

/** A draft project (`servicing.ProjectDTO`) and the state changes made inside it. */
export interface ProjectRecord {
  projectId: string;
  name: string;
  description: string;
  releaseVersion: string;
  ticketNumber: string;
  versionNumber: number;
  projectType: 'Standard';
  state: ProjectStateName;
  /** Username of the creator: the project's owner. */
  owner: string;
  /** The tenant as this project sees it. */
  data: TenantState;
}

/**
 * A tenant's state: production, or one project's view of it. A project starts as a copy of production's user
 * groups and permission assignments, which changes made in it then alter alone; users, the permission and profile
 * catalogues, profile assignments and the event log are shared with production, since creating, updating and
 * deleting users and assigning profiles are not subject to projects (reference section 1.6).
 */
export class TenantState {
  readonly users: UserRecord[];
  readonly permissions: Map<string, PermissionRecord>;
  readonly profiles: Map<string, ProfileRecord>;
  readonly groups = new Map<string, GroupRecord>();
  /** permissionId -> userIds assigned directly (not through a group). */
  readonly userPermissions = new Map<string, Set<string>>();
  readonly events: AuditEvent[];
  /** employeeId -> employee data, loaded with the directory; accounts created later link to none. Not in projects. */
  readonly employees: Map<string, EmployeeRecord>;
  /** Projects by id; one map shared by production and its projects. */
  readonly projects: Map<string, ProjectRecord>;
  private readonly byId: Map<string, UserRecord>;
  private readonly byUsername: Map<string, UserRecord>;

  /** `production` and `project` given: this is that project's view, forked from production as it is now. */
  constructor(
    readonly tenantCode: string,
    private readonly idPrng: Prng,
    readonly production?: TenantState,
    readonly project?: ProjectRecord,
  ) {
    this.users = production?.users ?? [];
    this.permissions = production?.permissions ?? new Map();
    this.profiles = production?.profiles ?? new Map();
    this.events = production?.events ?? [];
    this.employees = production?.employees ?? new Map();
    this.projects = production?.projects ?? new Map();
    this.byId = production?.byId ?? new Map();
    this.byUsername = production?.byUsername ?? new Map();
    if (!production) return;
    for (const [id, group] of production.groups) {
      this.groups.set(id, {
        ...group,
        permissionIds: new Set(group.permissionIds),
        included: new Set(group.included),
        excluded: new Set(group.excluded),
      });
    }
    for (const [id, holders] of production.userPermissions) this.userPermissions.set(id, new Set(holders));
  }

  /** Opens a project owned by `owner`, seeing production as it is now. */
  createProject(
    owner: string,
    fields: Pick<ProjectRecord, 'name' | 'description' | 'releaseVersion' | 'ticketNumber'>,
  ): ProjectRecord {
    const home = this.production ?? this;
    const project = {
      projectId: this.newId(),
      ...fields,
      versionNumber: 0,
      projectType: 'Standard',
      state: 'Open',
      owner,
    } as ProjectRecord;
    project.data = new TenantState(this.tenantCode, this.idPrng, home, project);
    this.projects.set(project.projectId, project);
    return project;
  }

  /** The state a `ProjectID` names. */
  requireProject(projectId: string): TenantState {
    const project = this.projects.get(projectId);
    if (!project) throw notFound(`Project '${projectId}' was not found`);
    return project.data;
  }

  newId(): string {
    return seededUuid(this.idPrng);
  }

  getUser(userId: string): UserRecord | undefined {
    return this.byId.get(userId);
  }

  findByUsername(username: string): UserRecord | undefined {
    return this.byUsername.get(username.toLowerCase());
  }

  /** Appends a seeded user as is; the generator guarantees unique ids and usernames. */
  load(user: UserRecord): void {
    this.users.push(user);
    this.byId.set(user.userId, user);
    this.byUsername.set(user.username.toLowerCase(), user);
  }

  addUser(fields: UserFields): UserRecord {
    if (!fields.username) throw new StatusError(400, 'InvalidArgument', 'username is required');
    if (this.findByUsername(fields.username)) {
      throw new StatusError(400, 'AlreadyExists', `A user with username '${fields.username}' already exists`);
    }
    const user: UserRecord = { userId: this.newId(), ...fields, profiles: [] };
    this.load(user);
    return user;
  }

  updateUser(userId: string, patch: Partial<UserFields>): UserRecord {
    const user = this.requireUser(userId);
    if (patch.username !== undefined && patch.username.toLowerCase() !== user.username.toLowerCase()) {
      if (!patch.username) throw new StatusError(400, 'InvalidArgument', 'username cannot be empty');
      if (this.findByUsername(patch.username)) {
        throw new StatusError(400, 'AlreadyExists', `A user with username '${patch.username}' already exists`);
      }
      this.byUsername.delete(user.username.toLowerCase());
      this.byUsername.set(patch.username.toLowerCase(), user);
    }
    for (const key of ['username', 'displayName', 'employeeId', 'email'] as const) {
      const value = patch[key];
      if (value !== undefined) user[key] = value;
    }
    if (patch.accountEnabled !== undefined) user.accountEnabled = patch.accountEnabled;
    return user;
  }

  deleteUser(userId: string): UserRecord {
    const user = this.requireUser(userId);
    this.byId.delete(userId);
    this.byUsername.delete(user.username.toLowerCase());
    this.users.splice(this.users.indexOf(user), 1);
    // A deleted user is gone from production and from every project alike.
    const home = this.production ?? this;
    for (const state of [home, ...[...this.projects.values()].map((p) => p.data)]) {
      for (const holders of state.userPermissions.values()) holders.delete(userId);
      for (const group of state.groups.values()) {
        group.included.delete(userId);
        group.excluded.delete(userId);
      }
    }
    return user;
  }

  requireUser(userId: string): UserRecord {
    const user = this.byId.get(userId);
    if (!user) throw notFound(`User '${userId}' was not found`);
    return user;
  }

  requireGroup(userGroupId: string): GroupRecord {
    const group = this.groups.get(userGroupId);
    if (!group) throw notFound(`User group '${userGroupId}' was not found`);
    return group;
  }

  requireProfile(profileId: string): ProfileRecord {
    const profile = this.profiles.get(profileId);
    if (!profile) throw notFound(`Profile '${profileId}' was not found`);
    return profile;
  }

  /** Gives the user the profile with this validity, replacing an assignment of it they already hold. */
  assignProfile(user: UserRecord, assignment: ProfileAssignmentRecord): void {
    user.profiles = Object.freeze([
      ...user.profiles.filter((held) => held.profileId !== assignment.profileId),
      Object.freeze({ ...assignment }),
    ]);
  }

  /** Takes the profile from the user; false when they did not hold it. */
  removeProfile(user: UserRecord, profileId: string): boolean {
    const kept = user.profiles.filter((held) => held.profileId !== profileId);
    if (kept.length === user.profiles.length) return false;
    user.profiles = Object.freeze(kept);
    return true;
  }

  requirePermission(permissionId: string): PermissionRecord {
    const permission = this.permissions.get(permissionId);
    if (!permission) throw notFound(`Permission '${permissionId}' was not found`);
    return permission;
  }

  directPermissions(userId: string): PermissionRecord[] {
    const held: PermissionRecord[] = [];
    for (const [permissionId, holders] of this.userPermissions) {
      const permission = this.permissions.get(permissionId);
      if (permission && holders.has(userId)) held.push(permission);
    }
    return held;
  }

  isMember(group: GroupRecord, userId: string): boolean {
    if (group.excluded.has(userId)) return false;
    return group.includeAllUsers ? this.byId.has(userId) : group.included.has(userId);
  }

  groupsOf(userId: string): GroupRecord[] {
    return [...this.groups.values()].filter((group) => this.isMember(group, userId));
  }

  /** Members in user order; an include-all group is everyone not excluded. */
  members(group: GroupRecord): UserRecord[] {
    if (group.includeAllUsers) return this.users.filter((user) => !group.excluded.has(user.userId));
    const members: UserRecord[] = [];
    for (const userId of group.included) {
      const user = this.byId.get(userId);
      if (user && !group.excluded.has(userId)) members.push(user);
    }
    return members;
  }

  record(username: string, event: string, details: string): void {
    const project = this.project && {
      projectId: this.project.projectId,
      name: this.project.name,
      state: this.project.state,
    };
    this.events.push({ at: Date.now(), username, event, details, ...(project ? { project } : {}) });
  }

  snapshot(): SandboxSnapshot {
    return {
      users: this.users.map(({ userId, username, displayName, employeeId, email, accountEnabled }) => ({
        userId,
        username,
        displayName,
        employeeId,
        email,
        accountEnabled,
      })),
      userGroups: [...this.groups.values()].map((group) => ({
        userGroupId: group.userGroupId,
        displayName: group.displayName,
        description: group.description,
        permissionIds: [...group.permissionIds],
        memberIds: this.members(group).map((user) => user.userId),
      })),
      permissions: [...this.permissions.values()].map(({ permissionId, displayName, description }) => ({
        permissionId,
        displayName,
        description,
      })),
      userPermissions: Object.fromEntries(
        [...this.userPermissions].map(([permissionId, holders]) => [permissionId, [...holders]]),
      ),
    };
  }
}
