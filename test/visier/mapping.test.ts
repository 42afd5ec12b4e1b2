import { describe, expect, it } from 'vitest';
import {
  flattenV2Successes,
  fromWireBool,
  fromWireGroup,
  fromWireUser,
  toWireGroup,
  toWireUser,
  v2FailureMessage,
  v2FailureUsername,
} from '../../src/providers/visier/mapping.js';
import { wireUser, wireUserGroupDefinition, wireUsersV2Response } from '../../src/providers/visier/wire.js';

describe('wire quirks', () => {
  it('reads accountEnabled as a boolean or a string, and sends it as a string', () => {
    expect([true, false, 'true', 'FALSE', ' true ', 'yes', undefined].map(fromWireBool)).toEqual([
      true,
      false,
      true,
      false,
      true,
      undefined,
      undefined,
    ]);
    expect(toWireUser({ username: 'a@x', accountEnabled: false, displayName: undefined })).toEqual({
      username: 'a@x',
      accountEnabled: 'false',
    });
  });

  it('flattens nested V2 successes and reads userName on failures', () => {
    const flat = wireUsersV2Response.parse({ successes: [{ userId: '1', username: 'a' }], failures: [] });
    const nested = wireUsersV2Response.parse({
      successes: [
        {
          users: [
            { userId: '1', username: 'a' },
            { userId: '2', username: 'b' },
          ],
        },
      ],
      failures: [
        { userId: '3', userName: 'c', error: { message: 'taken', rci: 'r' } },
        { username: 'd', message: 'x' },
      ],
    });
    expect(flattenV2Successes(flat).map((s) => s.userId)).toEqual(['1']);
    expect(flattenV2Successes(nested).map((s) => s.userId)).toEqual(['1', '2']);
    expect(nested.failures?.map(v2FailureUsername)).toEqual(['c', 'd']);
    expect(nested.failures?.map(v2FailureMessage)).toEqual([{ message: 'taken', rci: 'r' }, { message: 'x' }]);
  });

  it('normalises a GET user with nested assignment wrappers, keeping unknown fields out of the result', () => {
    const user = fromWireUser(
      wireUser.parse({
        userId: 'u1',
        username: 'a@x',
        accountEnabled: true,
        lastLogin: { timestamp: '1700000000000' },
        permissions: { assignedPermissions: [{ permissionId: 'p1', displayName: 'P' }] },
        userGroups: {},
        futureField: 42,
      }),
    );
    expect(user).toEqual({
      userId: 'u1',
      username: 'a@x',
      accountEnabled: true,
      lastLogin: '1700000000000',
      permissions: [{ permissionId: 'p1', displayName: 'P' }],
      userGroups: [],
    });
  });

  it('wraps and unwraps ElementIDsDTO in V2 group definitions', () => {
    const group = {
      userGroupId: 'g1',
      displayName: 'G',
      permissionIds: ['p1', 'p2'],
      users: { manuallyIncludedIds: ['u1'], manuallyExcludedIds: [] },
    };
    const wire = toWireGroup(group);
    expect(wire).toEqual({
      userGroupId: 'g1',
      displayName: 'G',
      permissionIds: { ids: ['p1', 'p2'] },
      users: { manuallyIncludedIds: { ids: ['u1'] }, manuallyExcludedIds: { ids: [] } },
    });
    expect(fromWireGroup(wireUserGroupDefinition.parse(wire))).toEqual(group);
    expect(fromWireGroup(wireUserGroupDefinition.parse({ userGroupId: 'g2', permissionIds: {} }))).toEqual({
      userGroupId: 'g2',
      permissionIds: [],
    });
  });

  it('a dynamic filter: subjectReferencePath wraps as ElementIDsDTO, the rest goes as it is, and reads back the same', () => {
    const group = {
      userGroupId: 'g1',
      users: {
        manuallyExcludedIds: ['u9'],
        dynamicFilterDefinition: {
          filters: [
            {
              analyticObjectId: 'Employee',
              dimensionFilters: [
                { dimensionId: 'Location', memberSelections: [{ namePath: ['Europe'] }] },
                {
                  dimensionId: 'Employment_Start_Type',
                  subjectReferencePath: ['Employee', 'Employment_Start'],
                  memberSelections: [{ isExcluded: true, namePath: ['Rehire'] }],
                },
              ],
            },
          ],
        },
      },
    };
    const wire = toWireGroup(group);
    expect(wire.users).toEqual({
      manuallyExcludedIds: { ids: ['u9'] },
      dynamicFilterDefinition: {
        filters: [
          {
            analyticObjectId: 'Employee',
            dimensionFilters: [
              { dimensionId: 'Location', memberSelections: [{ namePath: ['Europe'] }] },
              {
                dimensionId: 'Employment_Start_Type',
                subjectReferencePath: { ids: ['Employee', 'Employment_Start'] },
                memberSelections: [{ isExcluded: true, namePath: ['Rehire'] }],
              },
            ],
          },
        ],
      },
    });
    expect(fromWireGroup(wireUserGroupDefinition.parse(wire))).toEqual(group);
    // Visier leaves out empty lists and defaults.
    expect(
      fromWireGroup(
        wireUserGroupDefinition.parse({
          userGroupId: 'g3',
          users: { dynamicFilterDefinition: { filters: [{ filterId: 'f1' }] } },
        }),
      ).users,
    ).toEqual({ dynamicFilterDefinition: { filters: [{ filterId: 'f1', dimensionFilters: [] }] } });
  });
});
