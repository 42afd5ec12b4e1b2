// The five XLSX user reports: where each lives, and how a workbook becomes rows keyed by each sheet's header row.
import { writeFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import type ExcelJS from 'exceljs';
import type { Report, ReportKind } from './api.js';

export function reportPath(report: ReportKind, userId: string | undefined): string {
  if (report === 'data-security') {
    if (!userId) throw new TypeError('the data-security report needs a userId');
    return `/v1/admin/users/${encodeURIComponent(userId)}/reports/data-security`;
  }
  return `/v1/admin/users/reports/${report}`;
}

export type ReportCell = string | number | boolean | null;
type Cell = ReportCell;

/** One data row of a report, keyed by its worksheet's header names. */
export type ReportRow = Record<string, Cell>;

/**
 * Streams the data rows of every worksheet, each keyed by the first non-blank row of its own sheet (a column with
 * no header is `columnN`). Blank rows are skipped. Visier does not publish the layouts and its UI's security
 * reports are multi-tab (reference §8), so no sheet is assumed to be the only one. Memory stays bounded by a row:
 * a 100,000-user report is never held as a sheet model. Throws when the bytes are not an XLSX workbook.
 */
export async function* reportRows(bytes: Buffer): AsyncGenerator<ReportRow, void, undefined> {
  // Loaded on first use: exceljs costs more start-up time than the rest of the server together.
  const { default: Excel } = await import('exceljs');
  const reader = new Excel.stream.xlsx.WorkbookReader(Readable.from([bytes]), {
    worksheets: 'emit',
    sharedStrings: 'cache',
    styles: 'cache',
    hyperlinks: 'ignore',
  });
  for await (const sheet of reader) {
    let columns: string[] | undefined;
    for await (const row of sheet) {
      const values = (row.values as ExcelJS.CellValue[] | undefined) ?? [];
      if (columns === undefined) {
        if (values.every((v) => cellValue(v) === null)) continue;
        columns = Array.from(values.slice(1), (v, i) => cellValue(v)?.toString() || `column${i + 1}`);
        continue;
      }
      const record: ReportRow = {};
      let hasValue = false;
      columns.forEach((name, i) => {
        const value = cellValue(values[i + 1]);
        if (value !== null) hasValue = true;
        record[name] = value;
      });
      if (hasValue) yield record;
    }
  }
}

/** Parses every worksheet into rows; `columns` lists each header name once, in the order first seen. */
export async function parseReport(
  report: ReportKind,
  bytes: Buffer,
  maxRows = Number.POSITIVE_INFINITY,
): Promise<Report> {
  const columns = new Set<string>();
  const rows: ReportRow[] = [];
  let totalRows = 0;
  for await (const row of reportRows(bytes)) {
    for (const name of Object.keys(row)) columns.add(name);
    totalRows++;
    if (rows.length < maxRows) rows.push(row);
  }
  return { report, columns: [...columns], rows, totalRows, truncated: totalRows > rows.length, bytes: bytes.length };
}

/** Keeps the raw workbook as Visier sent it, for the user to open. */
export async function saveReport(report: Report, bytes: Buffer, path: string): Promise<Report> {
  await writeFile(path, bytes);
  return { ...report, savedTo: path };
}

function cellValue(value: ExcelJS.CellValue): Cell {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object') {
    if ('richText' in value) return value.richText.map((r) => r.text).join('');
    if ('text' in value && typeof value.text === 'string') return value.text;
    if ('result' in value) return cellValue(value.result as ExcelJS.CellValue);
    if ('error' in value) return String(value.error);
  }
  return String(value);
}
