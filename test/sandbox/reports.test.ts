import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { DEMO_PERMISSIONS, DEMO_USERS, REPORT_COLUMNS } from '../../src/sandbox/index.js';
import { sandboxSuite } from './session.js';

const env = sandboxSuite({ users: 30 });

async function rows(path: string, query?: Record<string, string>): Promise<string[][]> {
  const call = await env.session.get(path, query);
  expect(call.status).toBe(200);
  expect(call.headers.get('content-type')).toBe('application/vnd.ms-excel');
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(call.bytes as unknown as ArrayBuffer);
  const sheet = workbook.worksheets[0] as ExcelJS.Worksheet;
  const out: string[][] = [];
  sheet.eachRow((row) => {
    out.push((row.values as unknown[]).slice(1).map((v) => (v === undefined || v === null ? '' : String(v))));
  });
  return out;
}

const trimEmpty = (row: string[] | undefined) => {
  const copy = [...(row ?? [])];
  while (copy.length > 0 && copy.at(-1) === '') copy.pop();
  return copy;
};

describe('XLSX reports', () => {
  it('permissions-list: header row then every permission', async () => {
    const sheet = await rows('/v1/admin/users/reports/permissions-list');
    expect(sheet[0]).toEqual([...REPORT_COLUMNS['permissions-list']]);
    expect(sheet).toHaveLength(13);
    expect(sheet[2]).toEqual([
      DEMO_PERMISSIONS.compensation.permissionId,
      'Compensation Analyst',
      'Salary, bonus and equity analysis across the organization.',
    ]);
  });

  it('permission-assignments reflects a new direct assignment and lists how each permission is held', async () => {
    const dana = (sheet: string[][]) => sheet.filter((row) => row[0] === DEMO_USERS.dana.userId).map((row) => row[4]);
    const before = await rows('/v1/admin/users/reports/permission-assignments');
    expect(before[0]).toEqual([...REPORT_COLUMNS['permission-assignments']]);
    expect(dana(before)).not.toContain('Compensation Analyst');
    expect(before.find((row) => row[0] === DEMO_USERS.dana.userId && row[4] === 'Headcount Viewer')?.[5]).toBe(
      'User; User Group: Sales Analysts; User Group: All Employees',
    );
    await env.session.call('PUT', '/v1/admin/permissions/users', {
      body: {
        permissions: [{ permissionId: DEMO_PERMISSIONS.compensation.permissionId, userIds: [DEMO_USERS.dana.userId] }],
      },
    });
    const after = await rows('/v1/admin/users/reports/permission-assignments');
    expect(dana(after)).toContain('Compensation Analyst');
    await env.session.call('DELETE', '/v1/admin/permissions/users', {
      body: {
        permissions: [{ permissionId: DEMO_PERMISSIONS.compensation.permissionId, userIds: [DEMO_USERS.dana.userId] }],
      },
    });
  });

  it('permission-assignments includes a user with no permissions as one row with empty permission cells', async () => {
    const lonely = (
      await env.session.call('POST', '/v1/admin/users', { body: { username: 'lonely@wff-demo.example' } })
    ).json as { userId: string };
    await env.session.call('PUT', '/v2/admin/user-groups', {
      body: {
        userGroups: [
          {
            userGroupId: '9b7e4d20-5f1a-4a3c-b6d8-000000000208',
            displayName: 'All Employees',
            users: { includeAllUsers: true, manuallyExcludedIds: { ids: [lonely.userId] } },
          },
        ],
      },
    });
    const sheet = await rows('/v1/admin/users/reports/permission-assignments');
    const columns = REPORT_COLUMNS['permission-assignments'];
    const lonelyRows = sheet.filter((row) => row[0] === lonely.userId);
    expect(lonelyRows).toHaveLength(1);
    const cells = Object.fromEntries(columns.map((name, i) => [name, lonelyRows[0]?.[i] ?? '']));
    expect(cells).toMatchObject({
      'User ID': lonely.userId,
      Username: 'lonely@wff-demo.example',
      'Permission ID': '',
      'Permission Name': '',
      'Assigned Through': '',
      Email: 'lonely@wff-demo.example',
      'Account Enabled': 'true',
      'Last Login': '',
    });
  });

  it('profile-assignments lists each user profile with its validity start', async () => {
    const sheet = await rows('/v1/admin/users/reports/profile-assignments');
    expect(sheet[0]).toEqual([...REPORT_COLUMNS['profile-assignments']]);
    expect(trimEmpty(sheet[1])).toEqual([
      DEMO_USERS.admin.userId,
      DEMO_USERS.admin.username,
      'Sandbox Administrator',
      '3a8d2f6b-1c4e-4b7a-9f20-000000000303',
      'System Administrator',
      String(Date.UTC(2025, 0, 1)),
    ]);
  });

  it('application-logs filters by [startTime, endTime) and includes changes made through the API', async () => {
    const dayBefore = Date.UTC(2026, 10, 1) - 3 * 3_600_000;
    const window = await rows('/v1/admin/users/reports/application-logs', {
      startTime: String(dayBefore),
      endTime: String(Date.UTC(2026, 10, 1)),
    });
    expect(window[0]).toEqual([...REPORT_COLUMNS['application-logs']]);
    expect(
      window
        .slice(1)
        .filter((row) => row[2] === 'Logon')
        .map((row) => row[4]),
    ).toEqual([DEMO_USERS.mallory.username, DEMO_USERS.dana.username, DEMO_USERS.admin.username]);
    const startedAt = Date.now();
    await env.session.call('POST', '/v1/admin/users', { body: { username: 'logged@wff-demo.example' } });
    const recent = await rows('/v1/admin/users/reports/application-logs', { startTime: String(startedAt) });
    // Blank cells read back as missing, so each row is compared by column name.
    const header = recent[0] as string[];
    expect(recent.slice(1).map((row) => Object.fromEntries(header.map((name, i) => [name, row[i] ?? ''])))).toEqual([
      {
        'Time (UTC)': expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        Category: 'Administration',
        Functionality: 'User Management',
        Description: 'UserCreated',
        User: DEMO_USERS.admin.username,
        'IP Address': '',
        Details: 'logged@wff-demo.example',
        'Project ID': '',
        'Project Name': '',
        'Project State': '',
      },
    ]);
    expect((await env.session.get('/v1/admin/users/reports/application-logs', { startTime: 'yesterday' })).status).toBe(
      400,
    );
  });

  it('data-security lists what a user can reach and through what; unknown users are 404', async () => {
    const sheet = await rows(`/v1/admin/users/${DEMO_USERS.dana.userId}/reports/data-security`);
    expect(sheet[0]).toEqual([...REPORT_COLUMNS['data-security']]);
    expect(sheet.slice(1).map((row) => [row[3], row[5], row[6]])).toEqual([
      ['Headcount Viewer', 'All Employees', 'Aggregate'],
      ['Sales Performance Analyst', 'Sales Organization', 'Detailed'],
    ]);
    expect((await env.session.get('/v1/admin/users/ghost/reports/data-security')).status).toBe(404);
  });
});
