// The five XLSX user reports: where each lives, and how a workbook becomes rows keyed by its header row.
import { writeFile } from 'node:fs/promises';
import type ExcelJS from 'exceljs';
import type { Report, ReportKind } from './api.js';

export function reportPath(report: ReportKind, userId: string | undefined): string {
  if (report === 'data-security') {
    if (!userId) throw new TypeError('the data-security report needs a userId');
    return `/v1/admin/users/${encodeURIComponent(userId)}/reports/data-security`;
  }
  return `/v1/admin/users/reports/${report}`;
}

type Cell = string | number | boolean | null;

/** The column naming the worksheet a row came from, added when a workbook has more than one. */
export const WORKSHEET_COLUMN = 'Worksheet';

/**
 * Parses every worksheet (whether Visier's report files have several tabs, as its UI security reports do, is
 * unverified: reference section 8); each sheet's first row names its columns. With more than one sheet each row
 * says which it came from (`Worksheet`), and the columns are those of every sheet in first-seen order. Blank rows
 * are skipped.
 */
export async function parseReport(
  report: ReportKind,
  bytes: Buffer,
  maxRows = Number.POSITIVE_INFINITY,
): Promise<Report> {
  // Loaded on first use: exceljs costs more start-up time than the rest of the server together.
  const { default: Excel } = await import('exceljs');
  const workbook = new Excel.Workbook();
  // exceljs's Buffer type predates Node's generic Buffer; the bytes are the same.
  await workbook.xlsx.load(bytes as unknown as ArrayBuffer);
  const several = workbook.worksheets.length > 1;
  const allColumns: string[] = several ? [WORKSHEET_COLUMN] : [];
  const rows: Record<string, Cell>[] = [];
  let totalRows = 0;
  for (const sheet of workbook.worksheets) {
    const columns: string[] = [];
    sheet.eachRow({ includeEmpty: false }, (row, rowNumber) => {
      if (rowNumber === 1 || columns.length === 0) {
        row.eachCell({ includeEmpty: true }, (cell, col) => {
          columns[col - 1] = cellValue(cell.value)?.toString() || `column${col}`;
        });
        for (const [i, name] of Array.from(columns).entries()) {
          const named = name ?? `column${i + 1}`;
          if (!allColumns.includes(named)) allColumns.push(named);
        }
        return;
      }
      const record: Record<string, Cell> = several ? { [WORKSHEET_COLUMN]: sheet.name } : {};
      let hasValue = false;
      Array.from(columns).forEach((name, i) => {
        const value = cellValue(row.getCell(i + 1).value);
        if (value !== null) hasValue = true;
        record[name ?? `column${i + 1}`] = value;
      });
      if (!hasValue) return;
      totalRows++;
      if (rows.length < maxRows) rows.push(record);
    });
  }
  return {
    report,
    columns: allColumns,
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
