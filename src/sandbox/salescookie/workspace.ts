// One Sales Cookie workspace's users, aliases, teams and memberships, with the vendor's upsert rules: match by
// e-mail, create or update, tags and aliases added to the existing ones and never removed.
import { randomUUID } from 'node:crypto';
import { SalescookieError } from './errors.js';

export const ROLES = ['FullAdmin', 'LimitedAdmin', 'Participant', 'Deactivated'] as const;
export type Role = (typeof ROLES)[number];

export interface UserRecord {
  id: string;
  /** WorkspaceRole is a record of its own in OData, with its own id. */
  workspaceRoleId: string;
  emailAddress: string;
  firstName: string | null;
  lastName: string | null;
  role: Role;
  prevAccessLevel: Role | null;
  tags: string[];
  aliases: { id: string; name: string }[];
  created: string;
  updated: string;
}

export interface TeamRecord {
  id: string;
  name: string;
  description: string | null;
  managerId: string | null;
  parentTeamId: string | null;
}

export interface MemberRecord {
  id: string;
  systemUserId: string;
  teamId: string;
}

export interface SetUserInput {
  emailAddress: string;
  role: Role;
  firstName?: string;
  lastName?: string;
  tags?: string;
  aliases?: string;
}

/** Pipe-delimited as the vendor documents; blanks between pipes are dropped. */
export function splitPipes(text: string | undefined): string[] {
  return (text ?? '')
    .split('|')
    .map((part) => part.trim())
    .filter((part) => part !== '');
}

export class Workspace {
  readonly users: UserRecord[] = [];
  readonly teams: TeamRecord[] = [];
  readonly members: MemberRecord[] = [];

  constructor(
    readonly id: string,
    readonly name: string,
    private readonly now: () => string = () => new Date().toISOString(),
  ) {}

  /** E-mail matching ignores case (UNVERIFIED: the vendor says only "matching email address"). */
  findByEmail(emailAddress: string): UserRecord | undefined {
    const wanted = emailAddress.toLowerCase();
    return this.users.find((user) => user.emailAddress.toLowerCase() === wanted);
  }

  user(id: string): UserRecord | undefined {
    return this.users.find((user) => user.id === id);
  }

  team(id: string): TeamRecord | undefined {
    return this.teams.find((team) => team.id === id);
  }

  setUser(input: SetUserInput): { created: boolean; user: UserRecord } {
    const existing = this.findByEmail(input.emailAddress);
    const at = this.now();
    const user: UserRecord = existing ?? {
      id: randomUUID(),
      workspaceRoleId: randomUUID(),
      emailAddress: input.emailAddress,
      firstName: null,
      lastName: null,
      role: input.role,
      prevAccessLevel: null,
      tags: [],
      aliases: [],
      created: at,
      updated: at,
    };
    if (input.firstName !== undefined) user.firstName = input.firstName;
    if (input.lastName !== undefined) user.lastName = input.lastName;
    if (existing && existing.role !== input.role) {
      user.prevAccessLevel = existing.role;
      user.role = input.role;
    }
    for (const tag of splitPipes(input.tags)) if (!user.tags.includes(tag)) user.tags.push(tag);
    for (const alias of splitPipes(input.aliases)) {
      if (!user.aliases.some((known) => known.name === alias)) user.aliases.push({ id: randomUUID(), name: alias });
    }
    user.updated = at;
    if (!existing) this.users.push(user);
    return { created: !existing, user };
  }

  addMember(systemUserId: string, teamId: string): MemberRecord {
    this.requireUserAndTeam(systemUserId, teamId);
    if (this.members.some((m) => m.systemUserId === systemUserId && m.teamId === teamId)) {
      throw new SalescookieError(400, 'AlreadyMember', 'The user is already a member of this team');
    }
    const member = { id: randomUUID(), systemUserId, teamId };
    this.members.push(member);
    return member;
  }

  removeMember(systemUserId: string, teamId: string): void {
    this.requireUserAndTeam(systemUserId, teamId);
    const index = this.members.findIndex((m) => m.systemUserId === systemUserId && m.teamId === teamId);
    if (index < 0) throw new SalescookieError(400, 'NotAMember', 'The user is not a member of this team');
    this.members.splice(index, 1);
  }

  private requireUserAndTeam(systemUserId: string, teamId: string): void {
    if (!this.user(systemUserId)) throw new SalescookieError(400, 'UnknownUser', 'No such user in this workspace');
    if (!this.team(teamId)) throw new SalescookieError(400, 'UnknownTeam', 'No such team in this workspace');
  }

  /** A deep copy for tests to compare against. */
  snapshot(): { users: UserRecord[]; teams: TeamRecord[]; members: MemberRecord[] } {
    return structuredClone({ users: this.users, teams: this.teams, members: this.members });
  }
}
