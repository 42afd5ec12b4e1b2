import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VisierApiError } from '../../src/providers/http/errors.js';
import type { EmployeeFilter } from '../../src/providers/visier/api.js';
import type { VisierClient } from '../../src/providers/visier/client.js';
import { employeeListQuery } from '../../src/providers/visier/data-query.js';
import type { SandboxHandle } from '../../src/sandbox/index.js';
import { clientFor, countRequests, startTestSandbox } from './harness.js';

// The client's one Data Query call: the employees a dynamic group filter matches, over real HTTP to the sandbox
// (account i maps to Organization ORGS[i % 5] and Location LOCATIONS[i % 6]; index 9 links to no employee).

let sandbox: SandboxHandle;
let client: VisierClient;

beforeAll(async () => {
  sandbox = await startTestSandbox({ users: 12 });
  client = clientFor(sandbox);
});
afterAll(async () => {
  await client.close();
  await sandbox.close();
});

const sales: EmployeeFilter = {
  analyticObjectId: 'Employee',
  dimensionFilters: [
    {
      dimensionId: 'Organization_Hierarchy',
      memberSelections: [
        { namePath: ['Acme', 'Sales'] },
        { isExcluded: true, namePath: ['Acme', 'Sales', 'Inside Sales'] },
      ],
    },
  ],
};

describe('employeesMatching', () => {
  it('is one list query on Employee: a memberSet filter per dimension, included and excluded members by path', () => {
    expect(employeeListQuery(sales)).toEqual({
      source: { analyticObject: 'Employee' },
      columns: [
        {
          columnName: 'EmployeeID',
          columnDefinition: { property: { name: 'Employee.EmployeeID', qualifyingPath: 'Employee' } },
        },
      ],
      filters: [
        {
          memberSet: {
            dimension: { name: 'Organization_Hierarchy', qualifyingPath: 'Employee' },
            values: {
              included: [{ path: ['Acme', 'Sales'] }],
              excluded: [{ path: ['Acme', 'Sales', 'Inside Sales'] }],
            },
          },
        },
      ],
      timeInterval: {
        dynamicDateFrom: 'SOURCE',
        intervalPeriodType: 'DAY',
        intervalPeriodCount: 1,
        direction: 'BACKWARD',
      },
    });
    const referenced = employeeListQuery({
      dimensionFilters: [
        {
          dimensionId: 'Employment_Start_Type',
          subjectReferencePath: ['Employee', 'Employment_Start'],
          memberSelections: [{ namePath: ['Rehire'] }],
        },
      ],
    });
    expect((referenced.filters as { memberSet: { dimension: unknown } }[])[0]?.memberSet.dimension).toEqual({
      name: 'Employment_Start_Type',
      qualifyingPath: 'Employee.Employment_Start',
    });
  });

  it('answers the exact employee ids, in one request to the tenant named by TargetTenantID', async () => {
    sandbox.clearRequests();
    expect(await client.employeesMatching(sales)).toEqual(['E000001', 'E000006', 'E000011']);
    expect(countRequests(sandbox, 'POST', '/v1/data/query/list')).toBe(1);
    expect(sandbox.requests.find((r) => r.path === '/v1/data/query/list')?.tenant).toBe(sandbox.tenants.primary);
  });

  it('a dimension filter with only exclusions keeps everyone else', async () => {
    const outsideNorthAmerica = await client.employeesMatching({
      dimensionFilters: [
        { dimensionId: 'Location', memberSelections: [{ isExcluded: true, namePath: ['North America'] }] },
      ],
    });
    // Index 9 (E000010, Europe) links to no employee.
    expect(outsideNorthAmerica).toEqual(['E000004', 'E000005', 'E000006', 'E000011', 'E000012']);
  });

  it('a refusal is a VisierApiError with Visier status and words, sent once', async () => {
    const refusing = await startTestSandbox({ users: 3, dataQuery: false });
    const refused = clientFor(refusing);
    try {
      const error = await refused.employeesMatching(sales).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(VisierApiError);
      expect(error).toMatchObject({
        status: 403,
        localizedMessage: 'The API user does not have the Data Query API capability',
      });
      expect(countRequests(refusing, 'POST', '/v1/data/query/list')).toBe(1);
    } finally {
      await refused.close();
      await refusing.close();
    }
  });
});
