// The onboarding and offboarding lists people actually have are spreadsheets: bulk tools take their CSV text as
// well as JSON rows. Parsed by csv-parse (RFC 4180: quotes, embedded commas and line breaks, a BOM); each row
// is checked against the tool's own row schema, and the first bad cell is named by row and column.
import { parse } from 'csv-parse/sync';
import { z } from 'zod';
import { ToolArgumentError } from './errors.js';

/** CSV text is bounded like any argument: 10,000 rows of a few fields fit in 2 MB. */
export const MAX_CSV_CHARS = 2_000_000;

/** The `csv` argument of a bulk tool: header row first; `columns` names the headers it reads. */
export function csvArgument(columns: readonly string[]) {
  return z
    .string()
    .min(1)
    .max(MAX_CSV_CHARS)
    .describe(
      `CSV text, header row first (columns: ${columns.join(', ')}; others are refused); instead of the JSON list`,
    );
}

/**
 * The rows of `csv` as objects keyed by header, each checked with `row` (empty cells are left out, so optional
 * fields may be blank). Throws ToolArgumentError naming the argument, the row (1 = the first data row, as a
 * spreadsheet shows it after the header) and the column, with the rule broken.
 */
export function rowsFromCsv<T>(csv: string, row: z.ZodType<T>, columns: readonly string[], field = 'csv'): T[] {
  let records: string[][];
  try {
    records = parse(csv, { bom: true, skip_empty_lines: true, trim: true, relax_column_count: false });
  } catch (error) {
    const { lines, message } = error as { lines?: number; message: string };
    throw new ToolArgumentError(field, `not valid CSV${lines === undefined ? '' : ` near line ${lines}`}: ${message}`);
  }
  const [header, ...data] = records;
  if (header === undefined || data.length === 0)
    throw new ToolArgumentError(field, 'needs a header row and at least one row');
  const unknown = header.filter((name) => !columns.includes(name));
  if (unknown.length > 0) {
    throw new ToolArgumentError(
      field,
      `unknown column ${JSON.stringify(unknown[0])}; columns are ${columns.join(', ')}`,
    );
  }
  return data.map((cells, index) => {
    const object: Record<string, string> = {};
    header.forEach((name, at) => {
      const cell = cells[at];
      if (cell !== undefined && cell !== '') object[name] = cell;
    });
    const parsed = row.safeParse(object);
    if (parsed.success) return parsed.data;
    const issue = parsed.error.issues[0];
    const column = issue?.path[0];
    const where = `row ${index + 1}${column === undefined ? '' : `, column ${String(column)}`}`;
    throw new ToolArgumentError(field, `${where}: ${issue?.message ?? 'invalid row'}`);
  });
}

/** Exactly one of the JSON list and the CSV text; the error names both fields. */
export function oneOf<T>(
  list: T[] | undefined,
  csv: string | undefined,
  fromCsv: (csv: string) => T[],
  names: [string, string],
): T[] {
  if ((list === undefined) === (csv === undefined)) {
    throw new ToolArgumentError(names[0], `give either ${names[0]} or ${names[1]}, not both or neither`);
  }
  return list ?? fromCsv(csv as string);
}
