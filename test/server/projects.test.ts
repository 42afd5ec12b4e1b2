import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_GROUPS, DEMO_PERMISSIONS, DEMO_USERS } from '../../src/sandbox/index.js';
import { dataRequests } from '../guards/e2e-harness.js';
import { type Harness, startHarness, textOf } from './harness.js';

// Projects through an SDK client, the guard and the client, against the sandbox over HTTP: a change made in a
// project lands there and nowhere else, reads with the project see it, reads without it see production.

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ elicit: true, users: 40 });
});
afterAll(() => h.close());

const dana = DEMO_USERS.dana.userId;
const gid = DEMO_GROUPS.contractors.userGroupId;
const pid = DEMO_PERMISSIONS.payrollAuditor.permissionId;

async function counted(tool: string, args: Record<string, unknown>) {
  h.sandbox.clearRequests();
  const result = await h.call(tool, args);
  return { result, calls: dataRequests(h.sandbox).map((r) => `${r.method} ${r.path}`) };
}

let projectId = '';

describe('list_projects and create_project', () => {
  it('creates an open project in one call, and the list then shows it', async () => {
    const before = await counted('list_projects', {});
    expect(before.calls).toEqual(['GET /v1/admin/projects']);
    expect(before.result.structuredContent).toMatchObject({ projects: [], returned: 0 });

    const created = await counted('create_project', { name: 'Q3 access review', ticketNumber: 'CHG-42' });
    expect(created.calls).toEqual(['POST /v1/admin/projects']);
    const { project } = created.result.structuredContent as { project: { projectId: string } };
    projectId = project.projectId;
    expect(project).toEqual({
      projectId: expect.any(String),
      name: 'Q3 access review',
      description: '',
      releaseVersion: '',
      ticketNumber: 'CHG-42',
      versionNumber: 0,
      capabilities: ['owner'],
      projectType: 'Standard',
    });

    const after = await counted('list_projects', { states: ['Open', 'Archived'] });
    expect(after.calls).toEqual(['GET /v1/admin/projects']);
    expect(h.sandbox.requests.at(-1)?.query).toMatchObject({ with: 'Archived' });
    expect((after.result.structuredContent as { projects: unknown[] }).projects).toEqual([
      { ...project, state: 'Open' },
    ]);
  });
});

describe('a change made in a project', () => {
  it('add_users_to_group in a project: the preview says so, production is untouched, the project sees it', async () => {
    const production = h.sandbox.snapshot().userGroups.find((g) => g.userGroupId === gid)!.memberIds;
    expect(production).not.toContain(dana);
    const added = await h.call('add_users_to_group', { userGroupId: gid, userIds: [dana], projectId });
    expect(added.isError, textOf(added)).toBeFalsy();
    expect(h.elicitations.at(-1)).toContain(`project ${projectId}]`);

    expect(h.sandbox.snapshot().userGroups.find((g) => g.userGroupId === gid)!.memberIds).toEqual(production);
    expect(h.sandbox.snapshot(undefined, projectId).userGroups.find((g) => g.userGroupId === gid)!.memberIds).toContain(
      dana,
    );
    // Reads through the tools: with the project the member is there, without it is not.
    const inProject = await h.call('get_user', { userId: dana, projectId });
    const inProduction = await h.call('get_user', { userId: dana });
    const groupsOf = (r: typeof inProject) =>
      (r.structuredContent as { user: { userGroups: { userGroupId: string }[] } }).user.userGroups.map(
        (g) => g.userGroupId,
      );
    expect(groupsOf(inProject)).toContain(gid);
    expect(groupsOf(inProduction)).not.toContain(gid);
  });

  it('assign_permissions_to_users and create_user_groups in a project stay there', async () => {
    const granted = await h.call('assign_permissions_to_users', { permissionIds: [pid], userIds: [dana], projectId });
    expect(granted.isError, textOf(granted)).toBeFalsy();
    expect(h.sandbox.snapshot().userPermissions[pid] ?? []).not.toContain(dana);
    expect(h.sandbox.snapshot(undefined, projectId).userPermissions[pid]).toContain(dana);

    const created = await h.call('create_user_groups', { userGroups: [{ displayName: 'Project only' }], projectId });
    expect(created.isError, textOf(created)).toBeFalsy();
    const names = (snap: ReturnType<typeof h.sandbox.snapshot>) => snap.userGroups.map((g) => g.displayName);
    expect(names(h.sandbox.snapshot())).not.toContain('Project only');
    expect(names(h.sandbox.snapshot(undefined, projectId))).toContain('Project only');
    const listed = await h.call('list_user_groups', { projectId });
    expect(textOf(listed)).toContain('"Project only"');
    expect(textOf(await h.call('list_user_groups', {}))).not.toContain('"Project only"');
  });

  it("the application log names the project a change was made in, and production's changes name none", async () => {
    const logs = await h.call('get_report', { report: 'application-logs', maxRows: 1000 });
    const rows = (logs.structuredContent as { rows: Record<string, unknown>[] }).rows;
    const grouped = rows.filter((r) => r.Description === 'UserGroupCreated' || r.Description === 'UserGroupChanged');
    expect(grouped.some((r) => r.Details === 'Project only')).toBe(true);
    for (const row of rows.filter((r) => r.Details === 'Project only')) {
      expect([row['Project ID'], row['Project Name'], row['Project State']]).toEqual([
        projectId,
        'Q3 access review',
        'Open',
      ]);
    }
    const created = rows.find((r) => r.Description === 'ProjectCreated');
    expect(created?.['Project ID'] ?? null).toBeNull();
  });

  it('targetProjectForTenants lands the change in that project', async () => {
    const { primary } = h.sandbox.tenants;
    const revoked = await h.call('remove_permissions_from_users', {
      permissionIds: [pid],
      userIds: [dana],
      targetProjectForTenants: [{ tenantCode: primary, projectId }],
    });
    expect(revoked.isError, textOf(revoked)).toBeFalsy();
    expect(h.sandbox.snapshot(undefined, projectId).userPermissions[pid] ?? []).not.toContain(dana);
  });

  it('an unknown project is refused by Visier, and nothing changes anywhere', async () => {
    const before = JSON.stringify(h.sandbox.snapshot());
    const result = await h.call('add_users_to_group', {
      userGroupId: gid,
      userIds: [dana],
      projectId: 'no-such-project',
    });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toContain("Project 'no-such-project' was not found");
    expect(JSON.stringify(h.sandbox.snapshot())).toBe(before);
  });

  it("a read's 404 in an unknown project names the project as a possible cause, not only the group", async () => {
    const result = await h.call('get_user_group', { userGroupId: gid, projectId: 'no-such-project' });
    expect(result.isError).toBe(true);
    // Visier's 404 does not say which id it missed: every id the call carried is named, the project first.
    expect(textOf(result)).toContain(
      'Next: no project has this projectId (list_projects lists them); or no user group has this id (list_user_groups lists them).',
    );
  });

  it('user create, update and delete are not subject to projects: their tools refuse a projectId', async () => {
    for (const [tool, args] of [
      ['create_user', { username: 'p@wff-demo.example' }],
      ['update_user', { userId: dana, displayName: 'X' }],
      ['delete_user', { userId: dana }],
      ['bulk_update_users', { users: [{ userId: dana, displayName: 'X' }] }],
    ] as const) {
      const { result, calls } = await counted(tool, { ...args, projectId });
      expect(result.isError, tool).toBe(true);
      expect(textOf(result), tool).toMatch(/projectId/);
      expect(calls, tool).toEqual([]);
    }
  });
});
