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

/** Parses the first worksheet; its first row names the columns. Blank rows are skipped. */
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
  const sheet = workbook.worksheets[0];
  const columns: string[] = [];
  const rows: Record<string, Cell>[] = [];
  let totalRows = 0;
  sheet?.eachRow({ includeEmpty: false }, (row, rowNumber) => {
    if (rowNumber === 1 || columns.length === 0) {
      row.eachCell({ includeEmpty: true }, (cell, col) => {
        columns[col - 1] = cellValue(cell.value)?.toString() || `column${col}`;
      });
      return;
    }
    const record: Record<string, Cell> = {};
    let hasValue = false;
    columns.forEach((name, i) => {
      const value = cellValue(row.getCell(i + 1).value);
      if (value !== null) hasValue = true;
      record[name ?? `column${i + 1}`] = value;
    });
    if (!hasValue) return;
    totalRows++;
    if (rows.length < maxRows) rows.push(record);
  });
  return {
    report,
    columns: Array.from(columns, (c, i) => c ?? `column${i + 1}`),
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
