// One site's users and groups and the rules the API enforces on them. Users are keyed by e-mail and groups
// by name, both case-insensitively; `All Users` holds every user and `Administrators` grants Admin.
import { BUILT_IN_GROUPS } from './demo-ids.js';
import { conflict, invalid, notFound } from './errors.js';

/** The access a group grants. Admin comes only from Administrators; the others may be chosen. */
export const GRANTABLE_ACCESS = ['SQL', 'Discovery', 'View'] as const;

export interface UserRecord {
  id: number;
  email: string;
  first_name: string;
  last_name: string;
  /** Group names as stored, All Users included. */
  groups: string[];
  invited_by_email: string;
  created_at: string;
}

export interface GroupRecord {
  id: number;
  name: string;
  access: string;
  created_by_email: string;
  created_at: string;
  built_in: boolean;
}

export interface NewUser {
  first_name: string;
  last_name: string;
  email: string;
  groups: string[];
  invited_by_email: string;
}

const key = (s: string) => s.trim().toLowerCase();

export class SiteState {
  readonly users = new Map<string, UserRecord>();
  readonly groups = new Map<string, GroupRecord>();
  private nextId = 1;

  constructor(
    readonly site: string,
    /** False for a site whose plan lacks the User and Group Management API. */
    readonly apiEnabled: boolean,
    private readonly now: () => string,
  ) {
    this.putGroup({ name: BUILT_IN_GROUPS.administrators, access: 'Admin', created_by_email: '' }, true);
    this.putGroup({ name: BUILT_IN_GROUPS.allUsers, access: 'View', created_by_email: '' }, true);
  }

  user(email: string): UserRecord {
    const user = this.users.get(key(email));
    if (!user) throw notFound(`No user with email '${email}' on site '${this.site}'`);
    return user;
  }

  group(name: string): GroupRecord {
    const group = this.groups.get(key(name));
    if (!group) throw notFound(`No group named '${name}' on site '${this.site}'`);
    return group;
  }

  /** The site's first user: an administrator nobody invited, as when the site was opened. */
  addFirstAdmin(user: Pick<UserRecord, 'email' | 'first_name' | 'last_name'>): void {
    const { administrators, allUsers } = BUILT_IN_GROUPS;
    this.users.set(key(user.email), {
      ...user,
      id: this.nextId++,
      groups: [administrators, allUsers],
      invited_by_email: '',
      created_at: this.now(),
    });
  }

  /** Validates and, unless `dryRun`, stores the user; returns the user as stored (or as it would be). */
  createUser(input: NewUser, dryRun: boolean): UserRecord {
    if (this.users.has(key(input.email))) throw conflict(`A user with email '${input.email}' already exists`);
    const inviter = this.users.get(key(input.invited_by_email));
    if (!inviter || !this.isAdmin(inviter)) {
      throw invalid(`invited_by_email '${input.invited_by_email}' is not an administrator of this site`);
    }
    const record: UserRecord = {
      id: dryRun ? 0 : this.nextId++,
      email: input.email,
      first_name: input.first_name,
      last_name: input.last_name,
      groups: this.withAllUsers(this.groupNames(input.groups)),
      invited_by_email: inviter.email,
      created_at: this.now(),
    };
    if (!dryRun) this.users.set(key(record.email), record);
    return structuredClone(record);
  }

  /** `groups`, when given, replaces the user's memberships (All Users stays). */
  updateUser(
    email: string,
    patch: Partial<Pick<UserRecord, 'first_name' | 'last_name' | 'groups'>>,
    dryRun: boolean,
  ): UserRecord {
    const current = this.user(email);
    const next = structuredClone(current);
    if (patch.first_name !== undefined) next.first_name = patch.first_name;
    if (patch.last_name !== undefined) next.last_name = patch.last_name;
    if (patch.groups !== undefined) next.groups = this.withAllUsers(this.groupNames(patch.groups));
    if (
      current.groups.some((g) => key(g) === key(BUILT_IN_GROUPS.administrators)) &&
      !next.groups.some((g) => key(g) === key(BUILT_IN_GROUPS.administrators)) &&
      this.adminCount() === 1
    ) {
      throw invalid('groups: the last administrator cannot leave Administrators');
    }
    if (!dryRun) this.users.set(key(email), next);
    return structuredClone(next);
  }

  deleteUser(email: string, dryRun: boolean): UserRecord {
    const user = this.user(email);
    if (this.isAdmin(user) && this.adminCount() === 1) throw invalid('The last administrator cannot be deleted');
    if (!dryRun) this.users.delete(key(email));
    return structuredClone(user);
  }

  createGroup(input: { name: string; access: string; created_by_email: string }, dryRun: boolean): GroupRecord {
    if (this.groups.has(key(input.name))) throw conflict(`A group named '${input.name}' already exists`);
    const fields = { name: input.name, access: grantable(input.access), created_by_email: input.created_by_email };
    if (dryRun) return { ...fields, id: 0, created_at: this.now(), built_in: false };
    return structuredClone(this.putGroup(fields, false));
  }

  /** Renames and/or changes the access of a group; a rename is carried into every member's list. */
  updateGroup(name: string, patch: { name?: string; access?: string }, dryRun: boolean): GroupRecord {
    const current = this.group(name);
    if (current.built_in) throw invalid(`'${current.name}' is a built-in group and cannot be changed`);
    const next = structuredClone(current);
    if (patch.access !== undefined) next.access = grantable(patch.access);
    if (patch.name !== undefined && patch.name !== current.name) {
      const clash = this.groups.get(key(patch.name));
      if (clash && clash !== current) throw conflict(`A group named '${patch.name}' already exists`);
      next.name = patch.name;
    }
    if (dryRun) return next;
    this.groups.delete(key(current.name));
    this.groups.set(key(next.name), next);
    if (next.name !== current.name) {
      for (const user of this.users.values()) {
        user.groups = user.groups.map((g) => (key(g) === key(current.name) ? next.name : g));
      }
    }
    return structuredClone(next);
  }

  deleteGroup(name: string, dryRun: boolean): GroupRecord {
    const group = this.group(name);
    if (group.built_in) throw invalid(`'${group.name}' is a built-in group and cannot be deleted`);
    if (!dryRun) {
      this.groups.delete(key(group.name));
      for (const user of this.users.values()) user.groups = user.groups.filter((g) => key(g) !== key(group.name));
    }
    return structuredClone(group);
  }

  private putGroup(input: Omit<GroupRecord, 'id' | 'created_at' | 'built_in'>, builtIn: boolean): GroupRecord {
    const record = { ...input, id: this.nextId++, created_at: this.now(), built_in: builtIn };
    this.groups.set(key(record.name), record);
    return record;
  }

  /** Stored spellings of the named groups, each once; an unknown name is refused by name. */
  private groupNames(names: string[]): string[] {
    const out: string[] = [];
    for (const name of names) {
      const group = this.groups.get(key(name));
      if (!group) throw invalid(`groups: no group named '${name}' on site '${this.site}'`);
      if (!out.includes(group.name)) out.push(group.name);
    }
    return out;
  }

  private withAllUsers(groups: string[]): string[] {
    const all = this.group(BUILT_IN_GROUPS.allUsers).name;
    return groups.includes(all) ? groups : [...groups, all];
  }

  private isAdmin(user: UserRecord): boolean {
    return user.groups.some((g) => key(g) === key(BUILT_IN_GROUPS.administrators));
  }

  private adminCount(): number {
    return [...this.users.values()].filter((u) => this.isAdmin(u)).length;
  }
}

/** The grantable level named case-insensitively (the docs' examples write both `discovery` and `View`). */
function grantable(access: string): string {
  const level = GRANTABLE_ACCESS.find((a) => a.toLowerCase() === access.trim().toLowerCase());
  if (!level) {
    throw invalid(`access: must be one of ${GRANTABLE_ACCESS.join(', ')} (Admin comes only from Administrators)`);
  }
  return level;
}
