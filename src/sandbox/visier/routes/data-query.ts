// Data Query API, the one query shape the sandbox answers: a list query on Employee (POST /v1/data/query/list)
// with member-set filters on its dimensions, answered from the tenant's employee data. Anything else a real
// tenant would answer (metrics, formulas, other columns, paging) is refused by name, so a client that relies on
// it fails here rather than passing against an emulation that guessed.

import { badRequest, StatusError } from '../../status-error.js';
import type { Route } from '../context.js';
import { EMPLOYEE_DIMENSIONS, type EmployeeRecord, within } from '../employees.js';
import { objectBody } from '../params.js';

const EMPLOYEE = 'Employee';
const EMPLOYEE_ID = 'Employee.EmployeeID';

type JsonObject = Record<string, unknown>;

const isRecord = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function record(value: unknown, field: string): JsonObject {
  if (!isRecord(value)) throw badRequest(`'${field}' must be an object`);
  return value;
}

function array(value: unknown, field: string): unknown[] {
  if (!Array.isArray(value)) throw badRequest(`'${field}' must be an array`);
  return value;
}

/** `DimensionMemberReferenceDTO.path` lists, for included or excluded members. */
function paths(value: unknown, field: string): string[][] {
  if (value === undefined) return [];
  return array(value, field).map((member, i) => {
    const path = record(member, `${field}[${i}]`).path;
    if (!Array.isArray(path) || path.length === 0 || path.some((name) => typeof name !== 'string')) {
      throw badRequest(`'${field}[${i}].path' must be a non-empty array of member names`);
    }
    return path as string[];
  });
}

interface MemberSet {
  dimension: string;
  included: string[][];
  excluded: string[][];
}

function memberSet(filter: unknown, field: string): MemberSet {
  const f = record(filter, field);
  if (f.memberSet === undefined) {
    throw badRequest(`'${field}': the sandbox answers memberSet filters only, not ${Object.keys(f).join(', ')}`);
  }
  const set = record(f.memberSet, `${field}.memberSet`);
  const dimension = record(set.dimension, `${field}.memberSet.dimension`);
  const name = dimension.name;
  if (typeof name !== 'string' || !(EMPLOYEE_DIMENSIONS as readonly string[]).includes(name)) {
    throw badRequest(`Dimension '${String(name)}' is not defined on ${EMPLOYEE}`);
  }
  if (dimension.qualifyingPath !== undefined && dimension.qualifyingPath !== EMPLOYEE) {
    throw badRequest(
      `Dimension '${name}' is not reachable through qualifying path '${String(dimension.qualifyingPath)}'`,
    );
  }
  const values = record(set.values, `${field}.memberSet.values`);
  return {
    dimension: name,
    included: paths(values.included, `${field}.memberSet.values.included`),
    excluded: paths(values.excluded, `${field}.memberSet.values.excluded`),
  };
}

/** An employee passes a member set when it maps to an included member (if any is named) and to no excluded one. */
function passes(employee: EmployeeRecord, set: MemberSet): boolean {
  const member = employee.dimensions[set.dimension] ?? [];
  if (set.included.length && !set.included.some((path) => within(member, path))) return false;
  return !set.excluded.some((path) => within(member, path));
}

function checkColumns(value: unknown): string {
  const columns = array(value, 'columns');
  if (columns.length !== 1) throw badRequest("'columns': the sandbox answers exactly one column, Employee.EmployeeID");
  const column = record(columns[0], 'columns[0]');
  const property = record(
    record(column.columnDefinition, 'columns[0].columnDefinition').property,
    'columns[0].columnDefinition.property',
  );
  if (property.name !== EMPLOYEE_ID) {
    throw badRequest(
      `'columns[0]': the sandbox answers the property ${EMPLOYEE_ID} only, not '${String(property.name)}'`,
    );
  }
  return typeof column.columnName === 'string' ? column.columnName : EMPLOYEE_ID;
}

export const dataQueryRoutes: Route[] = [
  {
    method: 'POST',
    path: '/v1/data/query/list',
    handle(ctx) {
      if (!ctx.services.dataQuery) {
        throw new StatusError(403, 'PermissionDenied', 'The API user does not have the Data Query API capability');
      }
      const body = objectBody(ctx.body);
      const source = record(body.source, 'source');
      if (source.analyticObject !== EMPLOYEE) {
        throw badRequest(`'source': the sandbox answers list queries on the analytic object ${EMPLOYEE} only`);
      }
      const columnName = checkColumns(body.columns);
      const sets =
        body.filters === undefined ? [] : array(body.filters, 'filters').map((f, i) => memberSet(f, `filters[${i}]`));
      // The sandbox's employee data is one snapshot: every time interval sees the same employees.
      if (body.timeInterval !== undefined) record(body.timeInterval, 'timeInterval');
      const matched = [...ctx.tenant.employees.values()]
        .filter((employee) => sets.every((set) => passes(employee, set)))
        .map((employee) => employee.employeeId)
        .sort();
      return { status: 200, json: { header: { '0': columnName }, rows: matched.map((id) => ({ '0': id })) } };
    },
  },
];
