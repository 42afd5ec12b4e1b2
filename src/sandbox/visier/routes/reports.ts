// The five XLSX reports, built from the current state with exceljs: a header row, then one row per fact. Visier
// documents the Application Logs columns (reference section 8); the other layouts are unpublished, so those are ours.
import { PassThrough } from 'node:stream';
import type { Reply } from '../../http-io.js';
import { badRequest } from '../../status-error.js';
import type { Route } from '../context.js';
import type { TenantState, UserRecord } from '../tenant-state.js';

export const REPORT_COLUMNS = {
  'permissions-list': ['Permission ID', 'Permission Name', 'Description'],
  'permission-assignments': [
    'User ID',
    'Username',
    'Display Name',
    'Permission ID',
    'Permission Name',
    'Assigned Through',
    // The account's own fields, so one download describes every user (the directory snapshot reads it instead
    // of a user page per 1,000 users). Values as the user endpoints send them.
    'Email',
    'Employee ID',
    'Account Enabled',
    'Last Login',
  ],
  'profile-assignments': [
    'User ID',
    'Username',
    'Display Name',
    'Profile ID',
    'Profile Name',
    'Validity Start',
    'Validity End',
  ],
  'application-logs': [
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
  ],
  'data-security': [
    'User ID',
    'Username',
    'Permission ID',
    'Permission Name',
    'Assigned Through',
    'Population',
    'Property Access',
  ],
} as const;

type ReportName = keyof typeof REPORT_COLUMNS;
type Cell = string | number;

/** Streams rows into the workbook as they are produced, so a 100,000-user report never holds a sheet model. */
async function xlsx(name: ReportName, tenant: TenantState, rows: Iterable<Cell[]>): Promise<Reply> {
  const chunks: Buffer[] = [];
  const sink = new PassThrough();
  sink.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise((resolve) => sink.on('end', resolve));
  // Loaded on first use: exceljs costs more start-up time than the rest of the server together.
  const { default: ExcelJS } = await import('exceljs');
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: sink, useSharedStrings: false, useStyles: false });
  const sheet = workbook.addWorksheet(name);
  sheet.addRow([...REPORT_COLUMNS[name]]).commit();
  for (const row of rows) sheet.addRow(row).commit();
  sheet.commit();
  await workbook.commit();
  await done;
  const body = Buffer.concat(chunks);
  return { status: 200, xlsx: { body, filename: `${name}-${tenant.tenantCode.replace(/[^A-Za-z0-9_-]/g, '_')}.xlsx` } };
}

/** Every permission a user holds, with how: directly, through named groups, or both. */
function permissionsHeld(tenant: TenantState, user: UserRecord): { permissionId: string; through: string }[] {
  const through = new Map<string, string[]>();
  for (const permission of tenant.directPermissions(user.userId)) through.set(permission.permissionId, ['User']);
  for (const group of tenant.groupsOf(user.userId)) {
    for (const permissionId of group.permissionIds) {
      through.set(permissionId, [...(through.get(permissionId) ?? []), `User Group: ${group.displayName}`]);
    }
  }
  return [...through].map(([permissionId, sources]) => ({ permissionId, through: sources.join('; ') }));
}

function* permissionAssignmentRows(tenant: TenantState): Generator<Cell[]> {
  for (const user of tenant.users) {
    const held = permissionsHeld(tenant, user);
    const identity = [user.userId, user.username, user.displayName];
    const account = [user.email, user.employeeId, String(user.accountEnabled), user.lastLogin?.toString() ?? ''];
    // Users with no permission still get a row, so the report shows who has no access at all.
    if (held.length === 0) yield [...identity, '', '', '', ...account];
    for (const { permissionId, through } of held) {
      yield [...identity, permissionId, tenant.permissions.get(permissionId)?.displayName ?? '', through, ...account];
    }
  }
}

function* profileRows(tenant: TenantState): Generator<Cell[]> {
  for (const user of tenant.users) {
    for (const held of user.profiles) {
      yield [
        user.userId,
        user.username,
        user.displayName,
        held.profileId,
        tenant.profiles.get(held.profileId)?.displayName ?? '',
        held.validityStartTime ?? '',
        held.validityEndTime ?? '',
      ];
    }
  }
}

function epochParam(query: URLSearchParams, name: string, fallback: number): number {
  const raw = query.get(name);
  if (raw === null || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw badRequest(`'${name}' must be epoch milliseconds, got '${raw}'`);
  return value;
}

/**
 * Logons (from each user's last logon) and the changes this sandbox has served, in time order. The sandbox keeps no
 * client address, so IP Address is empty; Project columns name the project a change was made in, empty for
 * production.
 */
function logRows(tenant: TenantState, startTime: number, endTime: number): Cell[][] {
  const inRange = (at: number) => at >= startTime && at < endTime;
  const time = (at: number) => new Date(at).toISOString();
  const rows: [number, Cell[]][] = [];
  for (const user of tenant.users) {
    if (user.lastLogin !== undefined && inRange(user.lastLogin)) {
      rows.push([
        user.lastLogin,
        [time(user.lastLogin), 'Authentication', 'Logon', 'User logged on', user.username, '', '', '', '', ''],
      ]);
    }
  }
  for (const event of tenant.events) {
    if (inRange(event.at)) {
      const project = event.project;
      rows.push([
        event.at,
        [
          time(event.at),
          'Administration',
          'User Management',
          event.event,
          event.username,
          '',
          event.details,
          project?.projectId ?? '',
          project?.name ?? '',
          project?.state ?? '',
        ],
      ]);
    }
  }
  return rows.sort((a, b) => a[0] - b[0]).map(([, row]) => row);
}

export const reportRoutes: Route[] = [
  {
    method: 'GET',
    path: '/v1/admin/users/reports/permissions-list',
    handle: ({ tenant }) =>
      xlsx(
        'permissions-list',
        tenant,
        [...tenant.permissions.values()].map((p) => [p.permissionId, p.displayName, p.description]),
      ),
  },
  {
    method: 'GET',
    path: '/v1/admin/users/reports/permission-assignments',
    handle: ({ tenant }) => xlsx('permission-assignments', tenant, permissionAssignmentRows(tenant)),
  },
  {
    method: 'GET',
    path: '/v1/admin/users/reports/profile-assignments',
    handle: ({ tenant }) => xlsx('profile-assignments', tenant, profileRows(tenant)),
  },
  {
    // Logons come from each user's last logon; admin changes from the calls this sandbox has served.
    method: 'GET',
    path: '/v1/admin/users/reports/application-logs',
    handle({ query, tenant }) {
      const startTime = epochParam(query, 'startTime', 0);
      const endTime = epochParam(query, 'endTime', Number.MAX_SAFE_INTEGER);
      if (endTime < startTime) throw badRequest("'endTime' must not be before 'startTime'");
      return xlsx('application-logs', tenant, logRows(tenant, startTime, endTime));
    },
  },
  {
    method: 'GET',
    path: '/v1/admin/users/:userId/reports/data-security',
    handle({ params, tenant }) {
      const user = tenant.requireUser(params.userId as string);
      const rows = permissionsHeld(tenant, user).flatMap(({ permissionId, through }) => {
        const permission = tenant.permissions.get(permissionId);
        if (!permission) return [];
        return [
          [
            user.userId,
            user.username,
            permissionId,
            permission.displayName,
            through,
            permission.population,
            permission.propertyAccess,
          ],
        ];
      });
      return xlsx('data-security', tenant, rows);
    },
  },
];
