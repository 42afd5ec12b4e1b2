import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VisierApiError } from '../../src/providers/http/errors.js';
import type { VisierClient } from '../../src/providers/visier/client.js';
import { parseReport, WORKSHEET_COLUMN } from '../../src/providers/visier/reports.js';
import type { SandboxHandle } from '../../src/sandbox/handle.js';
import { clientFor, startTestSandbox } from './harness.js';

let handle: SandboxHandle;
let client: VisierClient;
let dir: string;

beforeAll(async () => {
  handle = await startTestSandbox({ users: 40 });
  client = clientFor(handle);
  dir = await mkdtemp(join(tmpdir(), 'visier-report-'));
});
afterAll(async () => {
  await client.close();
  await handle.close();
  await rm(dir, { recursive: true, force: true });
});

describe('XLSX reports', () => {
  it('parses the permissions list into rows keyed by the header row', async () => {
    const report = await client.getReport('permissions-list');
    expect(report.report).toBe('permissions-list');
    expect(report.columns).toEqual(['Permission ID', 'Permission Name', 'Description']);
    expect(report.rows).toEqual(
      handle.snapshot().permissions.map((p) => ({
        'Permission ID': p.permissionId,
        'Permission Name': p.displayName,
        Description: p.description,
      })),
    );
    expect(report.totalRows).toBe(report.rows.length);
    expect(report.truncated).toBe(false);
    expect(report.bytes).toBeGreaterThan(0);
  });

  it('caps rows at maxRows while counting all, and saves the raw file', async () => {
    const full = await client.getReport('permission-assignments');
    const path = join(dir, 'assignments.xlsx');
    const capped = await client.getReport('permission-assignments', { maxRows: 5, saveTo: path });
    expect(full.totalRows).toBeGreaterThan(5);
    expect(capped.rows).toEqual(full.rows.slice(0, 5));
    expect(capped.totalRows).toBe(full.totalRows);
    expect(capped.truncated).toBe(true);
    expect(capped.savedTo).toBe(path);
    expect((await readFile(path)).length).toBe(capped.bytes);
    // Every user appears, including those without any permission.
    expect(new Set(full.rows.map((r) => r['User ID'])).size).toBe(handle.snapshot().users.length);
  });

  it('fetches the per-user data-security report and the other reports', async () => {
    const user = handle.snapshot().users[0]!;
    const security = await client.getReport('data-security', { userId: user.userId });
    expect(security.columns[0]).toBe('User ID');
    expect(security.rows.every((r) => r['User ID'] === user.userId)).toBe(true);
    const profiles = await client.getReport('profile-assignments');
    expect(profiles.columns).toEqual([
      'User ID',
      'Username',
      'Display Name',
      'Profile ID',
      'Profile Name',
      'Validity Start',
      'Validity End',
    ]);
    const logs = await client.getReport('application-logs', { startTime: '0', endTime: String(Date.now()) });
    // The columns Visier documents for the Application Logs report (reference section 8).
    expect(logs.columns).toEqual([
      'Time (UTC)',
      'Category',
      'Functionality',
      'Description',
      'User',
      'IP Address',
      'Details',
      'Project ID',
      'Project Name',
      'Project State',
    ]);
    expect(logs.rows.length).toBeGreaterThan(0);
    expect(handle.requests.at(-1)?.query).toMatchObject({ startTime: '0' });
    await expect(client.getReport('data-security')).rejects.toThrow('the data-security report needs a userId');
  });

  it('turns an unreadable workbook into a malformed VisierApiError', async () => {
    handle.faults.set({ rules: [{ kind: 'malformed', path: 'reports/permissions-list', count: 1 }] });
    const error = await client.getReport('permissions-list').catch((e: unknown) => e);
    handle.faults.clear();
    expect(error).toBeInstanceOf(VisierApiError);
    expect((error as VisierApiError).kind).toBe('malformed');
    expect((error as VisierApiError).message).toContain('report is not a readable XLSX workbook');
  });
});

describe('parseReport', () => {
  it('reads every worksheet, each with its own header row, saying which sheet each row came from', async () => {
    const { default: Excel } = await import('exceljs');
    const workbook = new Excel.Workbook();
    const users = workbook.addWorksheet('Users');
    users.addRow(['User ID', 'Username']);
    users.addRow(['u-1', 'ann@example.com']);
    const grants = workbook.addWorksheet('Grants');
    grants.addRow(['User ID', 'Permission ID']);
    grants.addRow(['u-1', 'p-1']);
    grants.addRow(['u-2', 'p-2']);
    const bytes = Buffer.from(await workbook.xlsx.writeBuffer());
    const parsed = await parseReport('permission-assignments', bytes, 2);
    expect(parsed.columns).toEqual([WORKSHEET_COLUMN, 'User ID', 'Username', 'Permission ID']);
    expect(parsed.rows).toEqual([
      { Worksheet: 'Users', 'User ID': 'u-1', Username: 'ann@example.com' },
      { Worksheet: 'Grants', 'User ID': 'u-1', 'Permission ID': 'p-1' },
    ]);
    expect([parsed.totalRows, parsed.truncated]).toEqual([3, true]);
  });
});
