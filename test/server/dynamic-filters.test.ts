import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UserGroupDefinition } from '../../src/providers/visier/api.js';
import { DEMO_PERMISSIONS, type SandboxHandle, startSandbox } from '../../src/sandbox/index.js';
import { dataRequests, previewCall, textOf } from '../guards/e2e-harness.js';
import { connectStack, type Stack } from '../support/mcp-stack.js';

// Group create/update with a dynamic membership filter, previewed with the users it would reach: the sandbox's
// employee data is a pure function of each account's directory index i (Organization ORGS[i % 5], Location
// LOCATIONS[i % 6]; index 9 links to no employee), so whom a filter reaches is known here without reading it.
//
// index: employee        Organization                  Location
//   0    E000001 (admin) Acme/Sales/Field Sales        North America/US/CA
//   1    E000002 (Dana)  Acme/Sales/Inside Sales       North America/US/NY
//   3    E000004         Acme/People/Recruiting        Europe/UK/London
//   4    E000005         Acme/Operations/IT            Europe/Germany/Berlin
//   5    E000006         Acme/Sales/Field Sales        Asia Pacific/Singapore
//   6    E000007         Acme/Sales/Inside Sales       North America/US/CA
//   9    (none)          -                             -
//  10    E000011         Acme/Sales/Field Sales        Europe/Germany/Berlin
//  11    E000012         Acme/Sales/Inside Sales       Asia Pacific/Singapore

const USERS = 12;
const confirmSecret = 'dynamic-filters-secret-0123';

let sandbox: SandboxHandle;
let stack: Stack;

beforeAll(async () => {
  sandbox = await startSandbox({ rateLimit: false, users: USERS, seed: 3 });
  stack = await connectStack(sandbox, {
    client: { name: 'dynamic-filters-test', version: '1' },
    guard: { confirmSecret, mode: 'full', audit: { stream: new PassThrough().resume() } },
  });
});
afterAll(async () => {
  await stack.close();
  await sandbox.close();
});

const user = (index: number) =>
  sandbox.snapshot().users[index] as { userId: string; username: string; displayName: string };
const selection = (namePath: string[], isExcluded?: boolean) => ({ namePath, ...(isExcluded ? { isExcluded } : {}) });
const dimension = (dimensionId: string, ...memberSelections: ReturnType<typeof selection>[]) => ({
  dimensionId,
  memberSelections,
});
const filterOf = (...dimensionFilters: ReturnType<typeof dimension>[]) => ({ filters: [{ dimensionFilters }] });
const fieldSales = filterOf(
  dimension('Organization_Hierarchy', selection(['Acme', 'Sales']), selection(['Acme', 'Sales', 'Inside Sales'], true)),
);
const preview = async (tool: string, args: Record<string, unknown>) => {
  const issued = await previewCall(sandbox, stack.call, tool, args);
  return { ...issued, visierCalls: issued.reads.length };
};
const reachLine = (lines: string[] | undefined) => lines?.find((l) => l.startsWith('dynamic filter reaches'));
/** The users at these directory indexes as a reach line names them: by username. */
const named = (...indexes: number[]) =>
  indexes
    .map(user)
    .sort((a, b) => (a.username < b.username ? -1 : 1))
    .map((u) => `"${u.displayName}" ${u.userId}`)
    .join(', ');

describe('create_user_groups with a dynamic filter', () => {
  it('reaches exactly the users whose employee the filter matches, named, in a constant number of Visier calls', async () => {
    const { preview: shown, visierCalls } = await preview('create_user_groups', {
      userGroups: [
        {
          displayName: 'Sales',
          permissionIds: [DEMO_PERMISSIONS.headcount.permissionId],
          dynamicFilter: filterOf(dimension('Organization_Hierarchy', selection(['Acme', 'Sales']))),
        },
      ],
    });
    // Indexes 0, 1, 5, 6, 10, 11: the sales employees.
    expect(shown.peopleReached).toBe(6);
    expect(shown.reachUnknown).toBeUndefined();
    expect(shown.summary).toContain('reaching 6 users (6 through a dynamic filter)');
    const reached = [0, 1, 5, 6, 10, 11].map(user);
    const line = reachLine(shown.targets[0]?.after) as string;
    expect(line.startsWith('dynamic filter reaches 6 users: ')).toBe(true);
    for (const u of reached) expect(line).toContain(u.userId);
    expect(shown.targets[0]?.after).toContain(
      'members: dynamic filter: employees with "Organization_Hierarchy" in "Acme / Sales"',
    );
    expect(shown.targets[0]?.elevated).toContain('a dynamic filter chooses members from employee data');
    // The directory snapshot (group page, permission catalogue, two assignment reports) and one data query.
    expect(visierCalls).toBe(5);
    expect(dataRequests(sandbox).filter((r) => r.path === '/v1/data/query/list')).toHaveLength(1);
  });

  it('an excluded member keeps its employees out', async () => {
    const { preview: shown } = await preview('create_user_groups', {
      userGroups: [{ displayName: 'Field Sales', dynamicFilter: fieldSales }],
    });
    expect(shown.peopleReached).toBe(3);
    expect(reachLine(shown.targets[0]?.after)).toBe(`dynamic filter reaches 3 users: ${named(0, 10, 5)}`);
  });

  it('manual exclusions are subtracted and manual members added; an account linked to no employee is not reached', async () => {
    const europe = filterOf(dimension('Location', selection(['Europe'])));
    const { preview: shown, visierCalls } = await preview('create_user_groups', {
      userGroups: [
        { displayName: 'Europe', dynamicFilter: europe, excludedUserIds: [user(4).userId], userIds: [user(2).userId] },
        { displayName: 'Field Sales', dynamicFilter: fieldSales },
      ],
    });
    // Europe: 3, 4, 10 (9 has no employee), less 4 excluded, plus 2 by hand; Field Sales: 0, 5, 10.
    expect(reachLine(shown.targets[0]?.after)).toBe(`dynamic filter reaches 2 users: ${named(3, 10)}`);
    expect(shown.peopleReached).toBe(5);
    // Two distinct filters: one query each, plus the directory snapshot's four reads.
    expect(visierCalls).toBe(6);
  });

  it('sends the filter to Visier as it was previewed, once approved', async () => {
    const args = { userGroups: [{ displayName: 'Field Sales Approved', dynamicFilter: fieldSales }] };
    const { token } = await preview('create_user_groups', args);
    const done = await stack.call('create_user_groups', { ...args, confirmationToken: token });
    expect(done.isError, textOf(done)).toBeFalsy();
    const userGroupId = (done.structuredContent as { successes: { userGroupId: string }[] }).successes[0]?.userGroupId;
    const read = await stack.call('get_user_group', { userGroupId });
    const group = (read.structuredContent as { userGroup: UserGroupDefinition }).userGroup;
    expect(group.users?.dynamicFilterDefinition).toEqual(fieldSales);
  });
});

describe('update_user_groups with a dynamic filter', () => {
  it('shows whom the new filter reaches; the group is counted before and after', async () => {
    const created = await stack.call('create_user_groups', {
      userGroups: [{ displayName: 'Hand picked', userIds: [user(2).userId] }],
      confirmationToken: (
        await preview('create_user_groups', { userGroups: [{ displayName: 'Hand picked', userIds: [user(2).userId] }] })
      ).token,
    });
    const userGroupId = (created.structuredContent as { successes: { userGroupId: string }[] }).successes[0]
      ?.userGroupId;
    const { preview: shown, visierCalls } = await preview('update_user_groups', {
      userGroups: [{ userGroupId, dynamicFilter: fieldSales }],
    });
    // Before: index 2 by hand; after: index 2 by hand and 0, 5, 10 by the filter.
    expect(shown.peopleReached).toBe(4);
    expect(reachLine(shown.targets[0]?.after)).toBe(`dynamic filter reaches 3 users: ${named(0, 10, 5)}`);
    // A dynamic group that grants nothing is named by no report, so the snapshot reads the list pages (groups,
    // catalogue, one user page), then one data query.
    expect(visierCalls).toBe(4);
  });
});

describe('refused query', () => {
  it('credentials without the Data Query capability: the reach is every user, unknown, with Visier reason', async () => {
    const refusing = await startSandbox({ rateLimit: false, users: USERS, dataQuery: false });
    const refusingStack = await connectStack(refusing, {
      client: { name: 'dynamic-filters-refused', version: '1' },
      guard: { confirmSecret, mode: 'full', audit: { stream: new PassThrough().resume() } },
    });
    try {
      const { preview: shown, reads } = await previewCall(refusing, refusingStack.call, 'create_user_groups', {
        userGroups: [{ displayName: 'Field Sales', dynamicFilter: fieldSales }],
      });
      const reason = 'The API user does not have the Data Query API capability';
      expect(shown).toMatchObject({ peopleReached: USERS, reachUnknown: true });
      expect(shown.summary).toContain(`up to ${USERS} users (a dynamic filter Visier would not evaluate: "${reason}")`);
      expect(shown.targets[0]?.after).toContain(
        `dynamic filter reaches: unknown (Visier would not evaluate it: "${reason}")`,
      );
      // The directory snapshot, then the one refused query (not retried).
      expect(reads.map((r) => r.path)).toEqual([
        '/v2/admin/user-groups',
        '/v1/admin/permissions',
        '/v1/admin/users/reports/permission-assignments',
        '/v1/admin/users/reports/profile-assignments',
        '/v1/data/query/list',
      ]);
    } finally {
      await refusingStack.close();
      await refusing.close();
    }
  });
});

describe('bad filters are refused naming the field and the rule, before any Visier call', () => {
  const refused = async (group: Record<string, unknown>) => {
    sandbox.clearRequests();
    const result = await stack.call('create_user_groups', { userGroups: [{ displayName: 'Bad', ...group }] });
    expect(result.isError).toBe(true);
    expect(dataRequests(sandbox)).toEqual([]);
    return textOf(result);
  };

  it('with includeAllUsers', async () => {
    expect(await refused({ includeAllUsers: true, dynamicFilter: fieldSales })).toContain(
      'userGroups.0.dynamicFilter: cannot be combined with includeAllUsers: true',
    );
  });

  it('on another analytic object, with no member, or with an unknown field', async () => {
    const applicant = {
      filters: [{ analyticObjectId: 'Applicant', dimensionFilters: fieldSales.filters[0]?.dimensionFilters }],
    };
    expect(await refused({ dynamicFilter: applicant })).toContain(
      "userGroups.0.dynamicFilter.filters.0.analyticObjectId: Visier supports only the analytic object 'Employee'",
    );
    expect(await refused({ dynamicFilter: filterOf(dimension('Location')) })).toContain(
      'userGroups.0.dynamicFilter.filters.0.dimensionFilters.0.memberSelections: must select or exclude at least one member',
    );
    expect(await refused({ dynamicFilter: filterOf(dimension('Location', selection([]))) })).toContain(
      'memberSelections.0.namePath: must name at least one member, from the top level down',
    );
    expect(await refused({ dynamicFilter: { filters: [] } })).toContain(
      'userGroups.0.dynamicFilter.filters: must have at least one filter',
    );
  });
});
