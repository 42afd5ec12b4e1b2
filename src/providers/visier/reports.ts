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

/** The column naming the worksheet a row came from, added by `parseReport` when a workbook has more than one. */
export const WORKSHEET_COLUMN = 'Worksheet';

/**
 * Streams the data rows of every worksheet with the sheet's name, each keyed by the first non-blank row of its own
 * sheet (a column with no header is `columnN`). Blank rows are skipped. Visier does not publish the layouts and its
 * UI's security reports are multi-tab (reference §8), so no sheet is assumed to be the only one. Memory stays
 * bounded by a row: a 100,000-user report is never held as a sheet model. Throws when the bytes are not an XLSX
 * workbook.
 */
async function* sheetRows(bytes: Buffer): AsyncGenerator<{ sheet: string; row: ReportRow }, void, undefined> {
  // Loaded on first use: exceljs costs more start-up time than the rest of the server together.
  const { default: Excel } = await import('exceljs');
  const reader = new Excel.stream.xlsx.WorkbookReader(Readable.from([bytes]), {
    worksheets: 'emit',
    sharedStrings: 'cache',
    styles: 'cache',
    hyperlinks: 'ignore',
  });
  let index = 0;
  for await (const worksheet of reader) {
    index++;
    const sheet = (worksheet as { name?: string }).name ?? `Sheet${index}`;
    let columns: string[] | undefined;
    for await (const row of worksheet) {
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
      if (hasValue) yield { sheet, row: record };
    }
  }
}

/** The data rows of every worksheet, keyed by header name (see `sheetRows`). */
export async function* reportRows(bytes: Buffer): AsyncGenerator<ReportRow, void, undefined> {
  for await (const { row } of sheetRows(bytes)) yield row;
}

/**
 * Parses every worksheet into rows; `columns` lists each header name once, in the order first seen. With more than
 * one sheet each row says which it came from (`Worksheet`, the first column).
 */
export async function parseReport(
  report: ReportKind,
  bytes: Buffer,
  maxRows = Number.POSITIVE_INFINITY,
): Promise<Report> {
  const columns = new Set<string>();
  const sheets = new Set<string>();
  const kept: { sheet: string; row: ReportRow }[] = [];
  let totalRows = 0;
  for await (const item of sheetRows(bytes)) {
    sheets.add(item.sheet);
    for (const name of Object.keys(item.row)) columns.add(name);
    totalRows++;
    if (kept.length < maxRows) kept.push(item);
  }
  const several = sheets.size > 1;
  const rows = kept.map(({ sheet, row }) => (several ? { [WORKSHEET_COLUMN]: sheet, ...row } : row));
  return {
    report,
    columns: several ? [WORKSHEET_COLUMN, ...columns] : [...columns],
    rows,
    totalRows,
    truncated: totalRows > rows.length,
    bytes: bytes.length,
  };
}

/** Keeps the raw workbook as Visier sent it, for the user to open. */
export async function saveReport(report: Report, bytes: Buffer, path: string): Promise<Report> {
  await writeFile(path, bytes);
  return { ...report, savedTo: path };
}

/** A cell's value; an empty text cell is no value, as an absent one is (XLSX writers differ in which they write). */
function cellValue(value: ExcelJS.CellValue): Cell {
  if (value === null || value === undefined || value === '') return null;
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
