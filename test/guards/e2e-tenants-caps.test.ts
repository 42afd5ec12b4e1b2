import { describe, expect, it } from 'vitest';
import { DEMO_PERMISSIONS, DEMO_USERS } from '../../src/sandbox/index.js';
import { changeRequests, dataRequests, e2eSuite, textOf } from './e2e-harness.js';

const dana = DEMO_USERS.dana.userId;
const perm = DEMO_PERMISSIONS.recruiting.permissionId;
const ACCEPT = async () => ({ action: 'accept' as const, content: { confirm: true } });

const suite = e2eSuite();
const { withE2E } = suite;

describe('e2e: tenant allowlist', () => {
  it.each([
    [
      'another case',
      'wff_demo~c01',
      "tenant 'wff_demo~c01' is not allowed; did you mean 'WFF_demo~c01'? Nothing was sent.",
    ],
    [
      'a trailing space',
      'WFF_demo~c01 ',
      "tenant 'WFF_demo~c01\\u{0020}' is not allowed; did you mean 'WFF_demo~c01'?",
    ],
    [
      'a zero-width space',
      'WFF_\u200Bdemo~c01',
      "tenant 'WFF_\\u{200B}demo~c01' is not allowed; did you mean 'WFF_demo~c01'?",
    ],
    ['a Cyrillic о', 'WFF_dem\u043E~c01', "tenant 'WFF_dem\\u{043E}~c01' is not allowed; did you mean 'WFF_demo~c01'?"],
    [
      'fullwidth letters',
      '\uFF37FF_demo~c01',
      "tenant '\\u{FF37}FF_demo~c01' is not allowed; did you mean 'WFF_demo~c01'?",
    ],
    [
      'an unknown tenant',
      'ACME~prod',
      "tenant 'ACME~prod' is not allowed; allowed tenants: WFF_demo~c01, WFF_demo~c02.",
    ],
  ])('refuses a read in a tenant with %s, sending nothing', async (_label, tenantCode, message) => {
    await withE2E({}, async (e2e) => {
      const result = await e2e.call('get_user', { userId: dana, tenantCode });
      expect(result.isError).toBe(true);
      expect(textOf(result)).toContain(message);
      expect(dataRequests(suite.sandbox)).toEqual([]);
    });
  });

  it('refuses a grant whose project targets mix an allowed and a forbidden tenant, before any preview', async () => {
    await withE2E({ elicit: ACCEPT }, async (e2e) => {
      const result = await e2e.call('assign_permissions_to_users', {
        permissionIds: [perm],
        userIds: [dana],
        targetProjectForTenants: [
          { tenantCode: suite.sandbox.tenants.primary, projectId: 'p1' },
          { tenantCode: 'WFF_demo~c03', projectId: 'p2' },
        ],
      });
      expect(result.isError).toBe(true);
      expect(textOf(result)).toContain("tenant 'WFF_demo~c03' is not allowed");
      expect(e2e.elicited).toEqual([]);
      expect(dataRequests(suite.sandbox)).toEqual([]);
    });
  });
});

describe('e2e: caps and budgets', () => {
  const users = (n: number) => ({
    users: Array.from({ length: n }, (_, i) => ({ userId: `u-${i}`, displayName: 'X' })),
  });

  it('refuses a call over the per-call cap with the numbers, before any request', async () => {
    await withE2E({ guard: { caps: { maxItemsPerCall: 5 } }, elicit: ACCEPT }, async (e2e) => {
      const result = await e2e.call('bulk_update_users', users(6));
      expect(result.isError).toBe(true);
      expect(textOf(result)).toContain('this call touches 6 users; the cap is 5 per call.');
      expect(e2e.elicited).toEqual([]);
      expect(dataRequests(suite.sandbox)).toEqual([]);
    });
  });

  it('counts the members a group change names, so a big member list is not "one group" under the cap', async () => {
    await withE2E({ guard: { caps: { maxItemsPerCall: 5 } }, elicit: ACCEPT }, async (e2e) => {
      const userIds = Array.from({ length: 6 }, (_, i) => `u-${i}`);
      const result = await e2e.call('update_user_groups', { userGroups: [{ userGroupId: 'g-1', userIds }] });
      expect(result.isError).toBe(true);
      expect(textOf(result)).toContain('this call touches 7 users; the cap is 5 per call.');
      expect(e2e.elicited).toEqual([]);
      expect(dataRequests(suite.sandbox)).toEqual([]);
    });
  });

  it("refuses a call over the caller's budget once earlier calls used it up", async () => {
    await withE2E({ guard: { caps: { maxChangesPerSession: 3 } } }, async (e2e) => {
      const first = await e2e.call('update_user', { userId: dana, displayName: 'Dana One' });
      expect(first.isError).toBeFalsy();
      const second = await e2e.call('bulk_update_users', {
        users: [
          { userId: dana, displayName: 'Dana Two' },
          { userId: DEMO_USERS.admin.userId, displayName: 'Admin Two' },
        ],
      });
      expect(second.isError).toBeFalsy();
      const sentBefore = dataRequests(suite.sandbox).length;
      const third = await e2e.call('update_user', { userId: dana, displayName: 'Dana Three' });
      expect(third.isError).toBe(true);
      expect(textOf(third)).toContain(
        'this call touches 1 user; this caller has made 3 of its 3 allowed changes (all its sessions together).',
      );
      expect(dataRequests(suite.sandbox)).toHaveLength(sentBefore);
      expect(changeRequests(suite.sandbox).map((r) => `${r.method} ${r.path}`)).toEqual([
        `PUT /v1/admin/users/${dana}`,
        'PUT /v2/admin/users',
      ]);
      expect(suite.sandbox.snapshot().users.find((u) => u.userId === dana)?.displayName).toBe('Dana Two');
    });
  });
});
