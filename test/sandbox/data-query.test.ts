import { describe, expect, it } from 'vitest';
import { startSandbox } from '../../src/sandbox/index.js';
import { Session, sandboxSuite } from './session.js';

// The Data Query list route: which employees member-set filters on Employee's dimensions match, from the
// sandbox's employee data (each account at directory index i maps to Organization ORGS[i % 5] and Location
// LOCATIONS[i % 6]; every tenth account, index 9, 19, ..., links to no employee).

const env = sandboxSuite({ users: 12 });

const memberSet = (name: string, values: { included?: string[][]; excluded?: string[][] }) => ({
  memberSet: {
    dimension: { name, qualifyingPath: 'Employee' },
    values: {
      ...(values.included ? { included: values.included.map((path) => ({ path })) } : {}),
      ...(values.excluded ? { excluded: values.excluded.map((path) => ({ path })) } : {}),
    },
  },
});

const listQuery = (filters: unknown[]) => ({
  source: { analyticObject: 'Employee' },
  columns: [
    {
      columnName: 'EmployeeID',
      columnDefinition: { property: { name: 'Employee.EmployeeID', qualifyingPath: 'Employee' } },
    },
  ],
  filters,
  timeInterval: { dynamicDateFrom: 'SOURCE', intervalPeriodType: 'DAY', intervalPeriodCount: 1, direction: 'BACKWARD' },
});

const list = (body: unknown) => env.session.call('POST', '/v1/data/query/list', { body });
const ids = (json: unknown) => (json as { rows: Record<string, string>[] }).rows.map((row) => row['0']);

describe('POST /v1/data/query/list', () => {
  it('lists the employees a member includes, the members below it included, as rows keyed by column index', async () => {
    const call = await list(listQuery([memberSet('Organization_Hierarchy', { included: [['Acme', 'Sales']] })]));
    expect(call.status).toBe(200);
    expect((call.json as { header: unknown }).header).toEqual({ '0': 'EmployeeID' });
    expect(ids(call.json)).toEqual(['E000001', 'E000002', 'E000006', 'E000007', 'E000011', 'E000012']);
  });

  it('an excluded member keeps its employees out; filters on two dimensions must both hold', async () => {
    const salesOutsideNorthAmerica = await list(
      listQuery([
        memberSet('Organization_Hierarchy', {
          included: [['Acme', 'Sales']],
          excluded: [['Acme', 'Sales', 'Inside Sales']],
        }),
        memberSet('Location', { excluded: [['North America']] }),
      ]),
    );
    expect(ids(salesOutsideNorthAmerica.json)).toEqual(['E000006', 'E000011']);
  });

  it('an account whose employee id matches no employee is never listed (index 9, E000010, in Europe / UK)', async () => {
    const europe = await list(listQuery([memberSet('Location', { included: [['Europe']] })]));
    expect(ids(europe.json)).toEqual(['E000004', 'E000005', 'E000011']);
    expect(env.sandbox.snapshot().users[9]?.employeeId).toBe('E000010');
  });

  it('no filters lists every employee', async () => {
    const all = await list(listQuery([]));
    expect(ids(all.json)).toHaveLength(11);
  });

  it('refuses what it does not model, naming it', async () => {
    const unknown = await list(listQuery([memberSet('Gender', { included: [['Female']] })]));
    expect(unknown.status).toBe(400);
    expect((unknown.json as { localizedMessage: string }).localizedMessage).toBe(
      "Dimension 'Gender' is not defined on Employee",
    );
    const metric = await list({ ...listQuery([]), source: { metric: 'employeeCount' } });
    expect(metric.status).toBe(400);
    const noPath = await list(
      listQuery([{ memberSet: { dimension: { name: 'Location' }, values: { included: [{ path: [] }] } } }]),
    );
    expect((noPath.json as { localizedMessage: string }).localizedMessage).toBe(
      "'filters[0].memberSet.values.included[0].path' must be a non-empty array of member names",
    );
  });

  it('credentials without the Data Query capability get 403', async () => {
    const sandbox = await startSandbox({ users: 3, rateLimit: false, dataQuery: false });
    try {
      const session = await Session.login(sandbox);
      const call = await session.call('POST', '/v1/data/query/list', { body: listQuery([]) });
      expect(call.status).toBe(403);
      expect(call.json).toMatchObject({ code: 'PermissionDenied', userError: true });
    } finally {
      await sandbox.close();
    }
  });
});
