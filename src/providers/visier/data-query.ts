// The one Data Query API call the product makes: which employees a user group's dynamic filter matches.
//
// Source of the shape (public, Apache-2.0): Visier's Data Out OpenAPI spec, visier/openapi-clients
// res/data-out-apis.yaml (commit 61fc3e8, 2026-08-07), operation DataQuery_List (`POST /v1/data/query/list`,
// body `dataservices.query.ListQueryExecutionDTO`, 200 `data_out.ListResponse`); and Visier's sample
// visier/api-samples dv-export/python/query-changes (queries/employee.json, command_handler.py), which sends
// exactly this kind of query: source `analyticObject: Employee`, a column `Employee.EmployeeID`, a `memberSet`
// filter with `values.included: [{path: [...]}]`, and a `timeInterval`.
// UNVERIFIED against a live tenant:
// - the spec's ListQuerySourceDTO says "An analytic object source cannot have filters or time handling", while
//   the sample sends both with an Employee source; we follow the sample.
// - how a user group's `subjectReferencePath` ids map to a query's dotted `qualifyingPath` (we join them with
//   '.', the spec's separator for multi-object paths).
// - the JSON row shape: `data_out.ListResponse` types rows as `google.protobuf.Any`; the sample reads each row as
//   an object keyed by column index ("0", "1", ...), which is what we read.
// - that Visier evaluates a group's dynamic filter on the latest employee data (`dynamicDateFrom: SOURCE`, one
//   day back), as this query does.
import { z } from 'zod';
import type { EmployeeFilter } from './api.js';

export const DATA_QUERY_LIST_PATH = '/v1/data/query/list';

/** The subject every user group filter applies to (Visier supports no other). */
const EMPLOYEE = 'Employee';
const EMPLOYEE_ID = 'Employee.EmployeeID';

/** `dataservices.query.ListQueryExecutionDTO` listing the EmployeeID of every employee the filter matches. */
export function employeeListQuery(filter: EmployeeFilter): Record<string, unknown> {
  const filters = filter.dimensionFilters.flatMap((d) => {
    const included = d.memberSelections.filter((m) => !m.isExcluded).map((m) => ({ path: m.namePath }));
    const excluded = d.memberSelections.filter((m) => m.isExcluded).map((m) => ({ path: m.namePath }));
    // A dimension with no member selected constrains nothing.
    if (included.length + excluded.length === 0) return [];
    return [
      {
        memberSet: {
          dimension: { name: d.dimensionId, qualifyingPath: (d.subjectReferencePath ?? [EMPLOYEE]).join('.') },
          values: { ...(included.length ? { included } : {}), ...(excluded.length ? { excluded } : {}) },
        },
      },
    ];
  });
  return {
    source: { analyticObject: filter.analyticObjectId ?? EMPLOYEE },
    columns: [
      { columnName: 'EmployeeID', columnDefinition: { property: { name: EMPLOYEE_ID, qualifyingPath: EMPLOYEE } } },
    ],
    ...(filters.length ? { filters } : {}),
    timeInterval: {
      dynamicDateFrom: 'SOURCE',
      intervalPeriodType: 'DAY',
      intervalPeriodCount: 1,
      direction: 'BACKWARD',
    },
  };
}

/** `data_out.ListResponse` as JSON: rows keyed by column index; the EmployeeID is column "0". */
export const wireListResponse = z.looseObject({
  header: z.unknown().optional(),
  rows: z.array(z.looseObject({ '0': z.union([z.string(), z.number()]) })).optional(),
});

/** The distinct employee ids of a list response, in Visier's order. */
export function employeeIds(res: z.infer<typeof wireListResponse>): string[] {
  return [...new Set((res.rows ?? []).map((row) => String(row['0'])))];
}
