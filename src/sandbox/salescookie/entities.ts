// The OData entity sets the sandbox serves, as rows built from the workspace. Field lists follow third-party
// samples (UNVERIFIED against Sales Cookie's $metadata): role and tags live on WorkspaceRole, not SystemUser.
import type { Workspace } from './workspace.js';

type Row = Record<string, unknown>;

export const ENTITY_SETS: Record<string, (workspace: Workspace) => Row[]> = {
  SystemUser: (w) =>
    w.users.map((u) => ({ id: u.id, emailAddress: u.emailAddress, firstName: u.firstName, lastName: u.lastName })),
  WorkspaceRole: (w) =>
    w.users.map((u) => ({
      id: u.workspaceRoleId,
      systemUserId: u.id,
      workspaceId: w.id,
      accessLevel: u.role,
      prevAccessLevel: u.prevAccessLevel,
      tags: u.tags.join('|'),
      isDeleted: false,
      created: u.created,
      updated: u.updated,
    })),
  UserAlias: (w) => w.users.flatMap((u) => u.aliases.map((a) => ({ id: a.id, systemUserId: u.id, name: a.name }))),
  Team: (w) => w.teams.map((t) => ({ ...t })),
  TeamMember: (w) => w.members.map((m) => ({ ...m })),
};
