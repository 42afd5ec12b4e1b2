import { describe, expect, it } from 'vitest';
import type { Mode } from '../../src/guards/guard.js';
import { DEMO_GROUPS, DEMO_PERMISSIONS, DEMO_PROFILES, DEMO_USERS } from '../../src/sandbox/index.js';
import { TOOLS } from '../../src/tools/visier/index.js';
import { dataRequests, e2eSuite, startE2E, textOf } from './e2e-harness.js';

// Written out here, not taken from the guard, so a wrong mode table in the guard cannot pass.
const ALLOWED: Record<Mode, string[]> = {
  'read-only': ['read'],
  'user-writes': ['read', 'write'],
  full: ['read', 'write', 'access', 'destructive'],
};
const NEEDED: Record<string, Mode> = { write: 'user-writes', access: 'full', destructive: 'full' };

const dana = DEMO_USERS.dana.userId;
const perm = DEMO_PERMISSIONS.recruiting.permissionId;
const group = DEMO_GROUPS.contractors.userGroupId;

/** Valid arguments for every change tool, so a refusal can only come from the guard. */
const ARGS: Record<string, Record<string, unknown>> = {
  create_user: { username: 'new.user@wff-demo.example' },
  update_user: { userId: dana, displayName: 'Dana W.' },
  bulk_create_users: { users: [{ username: 'bulk.one@wff-demo.example' }] },
  bulk_update_users: { users: [{ userId: dana, displayName: 'Dana W.' }] },
  assign_permissions_to_users: { permissionIds: [perm], userIds: [dana] },
  remove_permissions_from_users: { permissionIds: [perm], userIds: [dana] },
  add_users_to_group: { userGroupId: group, userIds: [dana] },
  remove_users_from_group: { userGroupId: group, userIds: [dana] },
  assign_permissions_to_group: { userGroupId: group, permissionIds: [perm] },
  remove_permissions_from_group: { userGroupId: group, permissionIds: [perm] },
  create_user_groups: { userGroups: [{ displayName: 'New group' }] },
  update_user_groups: { userGroups: [{ userGroupId: group, displayName: 'Renamed' }] },
  delete_user: { userId: dana },
  bulk_delete_users: { userIds: [dana] },
  delete_user_groups: { userGroupIds: [group] },
  undo_change: { changeId: 'chg_0123456789abcdef' },
  assign_profile: { profileId: DEMO_PROFILES.manager.profileId, userIds: [dana] },
  remove_profile: { profileId: DEMO_PROFILES.analyst.profileId, userIds: [dana] },
  create_project: { name: 'Modes project' },
};

const suite = e2eSuite();

describe('e2e: modes through a real MCP client', () => {
  it('has valid arguments for every change tool in the catalogue', () => {
    expect(
      TOOLS.filter((t) => t.classification !== 'read')
        .map((t) => t.name)
        .sort(),
    ).toEqual(Object.keys(ARGS).sort());
  });

  it.each<Mode>(['read-only', 'user-writes', 'full'])(
    '%s: tools/list shows exactly the allowed classes; every hidden tool is refused with nothing sent',
    async (mode) => {
      const e2e = await startE2E({ sandbox: suite.sandbox, guard: { mode } });
      try {
        const { tools } = await e2e.client.listTools();
        const expected = TOOLS.filter((t) => ALLOWED[mode].includes(t.classification)).map((t) => t.name);
        expect(tools.map((t) => t.name).sort()).toEqual(expected.sort());

        const hidden = TOOLS.filter((t) => !ALLOWED[mode].includes(t.classification));
        suite.sandbox.clearRequests();
        for (const def of hidden) {
          const result = await e2e.call(def.name, ARGS[def.name] as Record<string, unknown>);
          expect(result.isError).toBe(true);
          const needed = NEEDED[def.classification] as Mode;
          expect(textOf(result)).toContain(
            `${def.name} is ${def.classification === 'access' ? 'an' : 'a'} '${def.classification}' tool and tenant '${suite.sandbox.tenants.primary}' runs in '${mode}' mode; it needs mode '${needed}'. The operator can start the server with --mode ${needed} (or VISIER_MCP_MODE=${needed})`,
          );
        }
        expect(dataRequests(suite.sandbox)).toEqual([]);
        const audit = await e2e.auditLines();
        expect(audit.map((a) => [a.tool, a.decision, a.reason])).toEqual(
          hidden.map((d) => [d.name, 'refused', 'mode']),
        );
      } finally {
        await e2e.close();
      }
    },
  );

  it('per-tenant modes: the list is the union, each call is checked against its own tenant', async () => {
    const e2e = await startE2E({
      sandbox: suite.sandbox,
      guard: { mode: 'read-only', tenantModes: { [suite.sandbox.tenants.secondary]: 'user-writes' } },
    });
    try {
      const { tools } = await e2e.client.listTools();
      expect(tools.some((t) => t.name === 'update_user')).toBe(true);
      expect(tools.some((t) => t.name === 'delete_user')).toBe(false);
      suite.sandbox.clearRequests();
      const inPrimary = await e2e.call('update_user', { userId: dana, displayName: 'X' });
      expect(textOf(inPrimary)).toContain(`tenant '${suite.sandbox.tenants.primary}' runs in 'read-only' mode`);
      expect(dataRequests(suite.sandbox)).toEqual([]);
    } finally {
      await e2e.close();
    }
  });
});
