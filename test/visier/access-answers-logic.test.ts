import { describe, expect, it } from 'vitest';
import type { DynamicFilterDefinition } from '../../src/providers/visier/api.js';
import type { DirectoryGroup, DirectorySnapshot, DirectoryUser } from '../../src/providers/visier/directory.js';
import { accessOf, permissionLine } from '../../src/tools/visier/access-paths.js';
import { comparison } from '../../src/tools/visier/compare.js';
import { groupToJoin } from '../../src/tools/visier/explain.js';
import { privilegedPolicy } from '../../src/tools/visier/privileged.js';
import { resolveUser } from '../../src/tools/visier/user-reference.js';

// The rules of the access answers on a directory the sandbox cannot express yet: a membership by dynamic filter
// (the sandbox has no employee data to match filters against). Everything else is covered end to end in
// test/server/access-answers.test.ts.

const policy = privilegedPolicy();
const FILTER: DynamicFilterDefinition = {
  filters: [{ dimensionFilters: [{ dimensionId: 'Department', memberSelections: [{ namePath: ['Sales'] }] }] }],
};

function directory(): DirectorySnapshot {
  const users: DirectoryUser[] = [
    { userId: 'u-ann', username: 'ann@x.example', displayName: 'Ann' },
    { userId: 'u-bob', username: 'bob@x.example', displayName: 'Bob' },
    { userId: 'u-zoe', username: 'zoe@x.example', displayName: 'Zoë Ángel' },
  ];
  const groups: DirectoryGroup[] = [
    {
      userGroupId: 'g-sales',
      displayName: 'Sales',
      permissionIds: ['p-sales'],
      users: { dynamicFilterDefinition: FILTER },
    },
    {
      userGroupId: 'g-ops',
      displayName: 'Ops',
      permissionIds: ['p-sales', 'p-admin'],
      users: { manuallyIncludedIds: [] },
    },
    { userGroupId: 'g-all', displayName: 'Everyone', permissionIds: ['p-head'], users: { includeAllUsers: true } },
  ];
  return {
    asOf: 0,
    requests: 0,
    users: new Map(users.map((u) => [u.userId, u])),
    groups: new Map(groups.map((g) => [g.userGroupId, g])),
    permissions: new Map([
      ['p-sales', { permissionId: 'p-sales', displayName: 'Sales Dashboards' }],
      ['p-admin', { permissionId: 'p-admin', displayName: 'Admin (Full Access)' }],
      ['p-head', { permissionId: 'p-head', displayName: 'Headcount' }],
    ]),
    directPermissions: new Map(),
    memberships: new Map([
      [
        'u-ann',
        [
          { userGroupId: 'g-sales', kind: 'dynamic' },
          { userGroupId: 'g-all', kind: 'all-users' },
        ],
      ],
      ['u-bob', [{ userGroupId: 'g-all', kind: 'all-users' }]],
    ]),
    members: new Map([
      ['g-sales', ['u-ann']],
      ['g-all', ['u-ann', 'u-bob']],
    ]),
    profiles: new Map(),
  };
}

describe('a membership by dynamic filter', () => {
  it('is a path of its own, said as such', () => {
    const ann = accessOf(directory(), 'u-ann', policy);
    expect(ann.permissions.map((p) => [p.permissionId, p.paths])).toEqual([
      ['p-head', [{ via: 'group', userGroupId: 'g-all', displayName: 'Everyone', kind: 'all-users' }]],
      ['p-sales', [{ via: 'group', userGroupId: 'g-sales', displayName: 'Sales', kind: 'dynamic' }]],
    ]);
    expect(permissionLine(ann.permissions[1]!)).toBe(
      'permission "Sales Dashboards" (p-sales): group "Sales" (g-sales), dynamic filter',
    );
  });

  it('a dynamic group is joined by hand to grant what it grants; a group with a privileged extra is not', () => {
    const snapshot = directory();
    const bob = accessOf(snapshot, 'u-bob', policy);
    expect(groupToJoin(snapshot, bob, 'p-sales', policy)).toEqual({
      group: snapshot.groups.get('g-sales'),
      extras: [],
    });
  });

  it('compare joins the dynamic group by hand, and leaving one is listed as no step can do it', () => {
    const snapshot = directory();
    const [ann, bob] = ['u-ann', 'u-bob'].map((id) => snapshot.users.get(id)!) as [DirectoryUser, DirectoryUser];
    const bobLikeAnn = comparison(snapshot, bob, ann, policy, {});
    expect(bobLikeAnn.plan).toEqual([
      {
        tool: 'add_users_to_group',
        arguments: { userGroupId: 'g-sales', userIds: ['u-bob'] },
        why: 'the model user is in group "Sales" (g-sales): dynamic filter',
      },
    ]);
    const annLikeBob = comparison(snapshot, ann, bob, policy, { tenantCode: 'T1', projectId: 'proj-1' });
    expect(annLikeBob).toMatchObject({ differences: 1, plan: [] });
    expect(annLikeBob.unplanned).toEqual([
      `group "Sales" (g-sales): the user is in it by its dynamic filter, which no membership call undoes; change the group's rule instead`,
    ]);
  });
});

describe('compare: a group counts by what a person can do', () => {
  it('in the group by hand and in it by its filter are the same: shown side by side, no difference, no step', () => {
    const base = directory();
    const snapshot: DirectorySnapshot = {
      ...base,
      memberships: new Map([
        ...base.memberships,
        [
          'u-bob',
          [
            { userGroupId: 'g-sales', kind: 'by-hand' },
            { userGroupId: 'g-all', kind: 'all-users' },
          ],
        ],
      ]),
      members: new Map([...base.members, ['g-sales', ['u-ann', 'u-bob']]]),
    };
    const [ann, bob] = ['u-ann', 'u-bob'].map((id) => snapshot.users.get(id)!) as [DirectoryUser, DirectoryUser];
    for (const [user, model] of [
      [bob, ann],
      [ann, bob],
    ] as const) {
      const c = comparison(snapshot, user, model, policy, {});
      expect({ differences: c.differences, plan: c.plan, unplanned: c.unplanned }).toEqual({
        differences: 0,
        plan: [],
        unplanned: [],
      });
    }
    expect(comparison(snapshot, bob, ann, policy, {}).groups).toEqual([
      { id: 'g-all', displayName: 'Everyone', user: 'all-users rule', model: 'all-users rule' },
      { id: 'g-sales', displayName: 'Sales', user: 'added by hand', model: 'dynamic filter' },
    ]);
  });
});

describe('naming a user', () => {
  it('by id, by a name whatever its case and accents, by part of one; several are listed, none is an error', () => {
    const snapshot = directory();
    const id = (r: ReturnType<typeof resolveUser>) => ('user' in r ? r.user.userId : r.candidates.map((u) => u.userId));
    expect(id(resolveUser(snapshot, 'u-bob', 'userId'))).toBe('u-bob');
    expect(id(resolveUser(snapshot, ' ZOE ANGEL ', 'userId'))).toBe('u-zoe');
    expect(id(resolveUser(snapshot, 'ángel', 'userId'))).toBe('u-zoe');
    expect(id(resolveUser(snapshot, 'x.example', 'userId'))).toEqual(['u-ann', 'u-bob', 'u-zoe']);
    // An exact name wins over names that merely contain it.
    expect(id(resolveUser(snapshot, 'ann', 'userId'))).toBe('u-ann');
    expect(() => resolveUser(snapshot, 'nobody', 'modelUserId')).toThrow(/^modelUserId: no user has this userId/);
  });
});
