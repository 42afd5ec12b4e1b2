// The seeded demo tenants. Generation is one pass with a seeded generator and shared profile arrays, so
// 100,000 users build quickly and the same seed always yields the same directory.

import { createPrng, pickInt, seededUuid } from '../prng.js';
import { DEMO_GROUPS, DEMO_PERMISSIONS, DEMO_PROFILES, DEMO_TENANTS, DEMO_USERS, INJECTION_TEXT } from './demo-ids.js';
import { employeeAt, hasEmployee } from './employees.js';
import { type GroupRecord, type PermissionRecord, type ProfileAssignmentRecord, TenantState } from './tenant-state.js';

/** Logons are spread over the 90 days before this fixed instant, so data does not depend on the clock. */
export const DEMO_EPOCH = Date.UTC(2026, 10, 1);
const DAY_MS = 86_400_000;
const SECONDARY_USERS = 25;
const DOMAIN = 'wff-demo.example';

const FIRST_NAMES = [
  'Aaliyah',
  'Aarav',
  'Abigail',
  'Adrian',
  'Aisha',
  'Alejandro',
  'Amara',
  'Andre',
  'Anika',
  'Benjamin',
  'Beatriz',
  'Caleb',
  'Camila',
  'Chen',
  'Chloe',
  'Daniel',
  'Deepa',
  'Diego',
  'Elena',
  'Elijah',
  'Emeka',
  'Emma',
  'Fatima',
  'Felix',
  'Gabriel',
  'Grace',
  'Hana',
  'Hiroshi',
  'Ingrid',
  'Isaac',
  'Jamal',
  'Julia',
  'Kai',
  'Kavya',
  'Liam',
  'Lucia',
  'Mateo',
  'Maya',
  'Mei',
  'Mohammed',
  'Nadia',
  'Noah',
  'Olivia',
  'Omar',
  'Priya',
  'Rafael',
  'Rosa',
  'Samuel',
  'Sofia',
  'Tariq',
  'Thandiwe',
  'Tomas',
  'Valentina',
  'Wei',
  'Yara',
  'Yusuf',
  'Zara',
  'Zoe',
];
const LAST_NAMES = [
  'Abara',
  'Andersson',
  'Bakshi',
  'Bennett',
  'Castillo',
  'Chen',
  'Costa',
  'Dubois',
  'Eriksen',
  'Fernandes',
  'Fischer',
  'Garcia',
  'Gupta',
  'Haddad',
  'Hansen',
  'Ito',
  'Jensen',
  'Kim',
  'Kowalski',
  'Kumar',
  'Larsen',
  'Lopez',
  'Mahlangu',
  'Martin',
  'Mendes',
  'Moreau',
  'Nakamura',
  'Nguyen',
  'Novak',
  'Okafor',
  'Olsen',
  'Patel',
  'Petrov',
  'Quinn',
  'Rahman',
  'Reyes',
  'Rossi',
  'Santos',
  'Schmidt',
  'Silva',
  'Singh',
  'Sato',
  'Tanaka',
  'Torres',
  'Usman',
  'Van Dijk',
  'Wang',
  'Williams',
  'Yamamoto',
  'Zhang',
];

const PERMISSION_DETAILS: Record<
  keyof typeof DEMO_PERMISSIONS,
  Omit<PermissionRecord, 'permissionId' | 'displayName'>
> = {
  admin: {
    description: 'Every capability and all data, for tenant administrators.',
    population: 'All Employees',
    propertyAccess: 'Detailed',
  },
  compensation: {
    description: 'Salary, bonus and equity analysis across the organization.',
    population: 'All Employees',
    propertyAccess: 'Detailed',
  },
  hrBusinessPartner: {
    description: 'Workforce analytics for supported business units.',
    population: 'Own Business Unit',
    propertyAccess: 'Detailed',
  },
  recruiting: {
    description: 'Requisitions, applicants and hiring funnel metrics.',
    population: 'Open Requisitions',
    propertyAccess: 'Aggregate',
  },
  headcount: {
    description: 'Headcount and turnover at aggregate level only.',
    population: 'All Employees',
    propertyAccess: 'Aggregate',
  },
  salesPerformance: {
    description: 'Quota attainment and sales productivity.',
    population: 'Sales Organization',
    propertyAccess: 'Detailed',
  },
  financePlanner: {
    description: 'Workforce cost planning and budgets.',
    population: 'All Employees',
    propertyAccess: 'Aggregate',
  },
  diversity: {
    description: 'Representation and pay equity metrics.',
    population: 'All Employees',
    propertyAccess: 'Aggregate',
  },
  managerSelfService: {
    description: 'A manager sees their own team.',
    population: 'Direct and Indirect Reports',
    propertyAccess: 'Detailed',
  },
  executiveDashboards: {
    description: 'Curated executive dashboards.',
    population: 'All Employees',
    propertyAccess: 'Aggregate',
  },
  dataConnectorAdmin: {
    description: 'Manage data connectors and extraction jobs.',
    population: 'None',
    propertyAccess: 'None',
  },
  payrollAuditor: {
    description: 'Read payroll records for audits.',
    population: 'Payroll Records',
    propertyAccess: 'Detailed',
  },
};

interface GroupSeed {
  key: keyof typeof DEMO_GROUPS;
  description: string;
  permissions: (keyof typeof DEMO_PERMISSIONS)[];
  /** Share of generated users who are members (a band of the per-user draw). */
  band?: [number, number];
}

const GROUP_SEEDS: GroupSeed[] = [
  {
    key: 'salesAnalysts',
    description: 'Analysts in the sales organization.',
    permissions: ['salesPerformance', 'headcount'],
    band: [0, 0.08],
  },
  {
    key: 'hrBusinessPartners',
    description: 'HR business partners for all regions.',
    permissions: ['hrBusinessPartner', 'compensation'],
    band: [0.08, 0.11],
  },
  { key: 'recruitingTeam', description: 'Talent acquisition staff.', permissions: ['recruiting'], band: [0.11, 0.15] },
  {
    key: 'financePlanning',
    description: 'Finance workforce planners.',
    permissions: ['financePlanner', 'compensation'],
    band: [0.15, 0.18],
  },
  { key: 'peopleManagers', description: 'Everyone with the Manager profile.', permissions: ['managerSelfService'] },
  {
    key: 'executives',
    description: 'The executive leadership team.',
    permissions: ['executiveDashboards', 'diversity'],
  },
  {
    key: 'contractors',
    description: `External contractors. ${INJECTION_TEXT}.`,
    permissions: ['headcount'],
    band: [0.18, 0.2],
  },
  { key: 'allEmployees', description: 'Every user in the tenant.', permissions: ['headcount'] },
];

/** Every seeded assignment is valid from 2025-01-01 UTC, with no end. */
const SEEDED_FROM = String(Date.UTC(2025, 0, 1));
const seeded = (profileId: string): readonly ProfileAssignmentRecord[] =>
  Object.freeze([Object.freeze({ profileId, validityStartTime: SEEDED_FROM })]);

const PROFILE_SETS = {
  none: Object.freeze([]) as readonly ProfileAssignmentRecord[],
  analyst: seeded(DEMO_PROFILES.analyst.profileId),
  manager: seeded(DEMO_PROFILES.manager.profileId),
  admin: seeded(DEMO_PROFILES.systemAdministrator.profileId),
};

export function buildDemoTenants(users: number, seed: number): Map<string, TenantState> {
  return new Map([
    [DEMO_TENANTS.primary, buildTenant(DEMO_TENANTS.primary, users, seed, true)],
    [DEMO_TENANTS.secondary, buildTenant(DEMO_TENANTS.secondary, SECONDARY_USERS, seed ^ 0x5bd1e995, false)],
  ]);
}

function buildTenant(code: string, userCount: number, seed: number, primary: boolean): TenantState {
  const prng = createPrng(seed);
  const tenant = new TenantState(code, createPrng(seed ^ 0x27d4eb2f));
  for (const [key, base] of Object.entries(DEMO_PERMISSIONS) as [
    keyof typeof DEMO_PERMISSIONS,
    { permissionId: string; displayName: string },
  ][]) {
    tenant.permissions.set(base.permissionId, { ...base, ...PERMISSION_DETAILS[key] });
    tenant.userPermissions.set(base.permissionId, new Set());
  }
  addProfiles(tenant);
  const groups = new Map<GroupSeed['key'], GroupRecord>();
  for (const groupSeed of GROUP_SEEDS) {
    const base = DEMO_GROUPS[groupSeed.key];
    const group: GroupRecord = {
      userGroupId: primary ? base.userGroupId : seededUuid(prng),
      displayName: base.displayName,
      description: groupSeed.description,
      permissionIds: new Set(groupSeed.permissions.map((key) => DEMO_PERMISSIONS[key].permissionId)),
      includeAllUsers: groupSeed.key === 'allEmployees',
      included: new Set(),
      excluded: new Set(),
    };
    groups.set(groupSeed.key, group);
    tenant.groups.set(group.userGroupId, group);
  }
  const groupOf = (key: GroupSeed['key']) => groups.get(key) as GroupRecord;
  const banded = GROUP_SEEDS.filter((groupSeed) => groupSeed.band).map((groupSeed) => ({
    band: groupSeed.band as [number, number],
    group: groupOf(groupSeed.key),
  }));
  addFixedUsers(tenant, primary, userCount);
  const direct = (key: keyof typeof DEMO_PERMISSIONS) =>
    tenant.userPermissions.get(DEMO_PERMISSIONS[key].permissionId) as Set<string>;

  const usernames = new Map<string, number>();
  for (let i = tenant.users.length; i < userCount; i++) {
    const first = FIRST_NAMES[pickInt(prng, FIRST_NAMES.length)] as string;
    const last = LAST_NAMES[pickInt(prng, LAST_NAMES.length)] as string;
    const stem = `${first}.${last}`.toLowerCase().replace(/[^a-z.]/g, '');
    const seen = (usernames.get(stem) ?? 0) + 1;
    usernames.set(stem, seen);
    const username = `${seen === 1 ? stem : `${stem}${seen}`}@${DOMAIN}`;
    const roll = prng();
    const isManager = prng() < 0.15;
    const neverLoggedOn = prng() < 0.12;
    const userId = seededUuid(prng);
    tenant.load({
      userId,
      username,
      displayName: `${first} ${last}`,
      employeeId: `E${String(i + 1).padStart(6, '0')}`,
      email: username,
      accountEnabled: prng() >= 0.05,
      ...(neverLoggedOn ? {} : { lastLogin: DEMO_EPOCH - Math.floor(prng() * 90 * DAY_MS) }),
      profiles: isManager ? PROFILE_SETS.manager : roll < 0.9 ? PROFILE_SETS.analyst : PROFILE_SETS.none,
    });
    for (const { band, group } of banded) if (roll >= band[0] && roll < band[1]) group.included.add(userId);
    if (isManager) groupOf('peopleManagers').included.add(userId);
    if (i % 97 === 5) groupOf('executives').included.add(userId);
    const grant = prng();
    if (grant < 0.03) direct('headcount').add(userId);
    else if (grant < 0.04) direct('compensation').add(userId);
    else if (grant < 0.045) direct('payrollAuditor').add(userId);
  }
  for (const [index, user] of tenant.users.entries()) {
    if (hasEmployee(index)) tenant.employees.set(user.employeeId, employeeAt(index, user.employeeId));
  }
  return tenant;
}

function addProfiles(tenant: TenantState): void {
  const capability = (name: string, accessLevel: string) => ({ capability: name, accessLevel, viewLevel: 'Detailed' });
  tenant.profiles.set(DEMO_PROFILES.analyst.profileId, {
    ...DEMO_PROFILES.analyst,
    capabilities: [capability('Analytics', 'ReadOnly')],
    additionalCapabilities: [],
  });
  tenant.profiles.set(DEMO_PROFILES.manager.profileId, {
    ...DEMO_PROFILES.manager,
    capabilities: [capability('Analytics', 'ReadOnly'), capability('PlanningData', 'ReadOnly')],
    additionalCapabilities: ['ReportDownloading'],
  });
  tenant.profiles.set(DEMO_PROFILES.systemAdministrator.profileId, {
    ...DEMO_PROFILES.systemAdministrator,
    capabilities: [capability('UserManagement', 'Write'), capability('Analytics', 'Write')],
    additionalCapabilities: ['ProfileManagement'],
  });
}

/**
 * The administrator (who the demo credentials log in as) exists in both tenants; Dana and the
 * injection-named user only in the primary one, when it is asked for at least three users. Dana is a
 * Sales Analyst without any compensation access.
 */
function addFixedUsers(tenant: TenantState, primary: boolean, userCount: number): void {
  const fixed = (primary ? Object.values(DEMO_USERS) : [DEMO_USERS.admin]).slice(0, userCount);
  for (const [index, user] of fixed.entries()) {
    const userId = primary ? user.userId : `${user.userId.slice(0, -4)}c02${index}`;
    tenant.load({
      ...user,
      userId,
      email: user === DEMO_USERS.mallory ? 'mallory@evil.example' : user.username,
      accountEnabled: true,
      lastLogin: DEMO_EPOCH - (index + 1) * 3_600_000,
      profiles: user === DEMO_USERS.admin ? PROFILE_SETS.admin : PROFILE_SETS.analyst,
    });
  }
  const first = tenant.users[0] as { userId: string };
  tenant.userPermissions.get(DEMO_PERMISSIONS.admin.permissionId)?.add(first.userId);
  if (!primary) return;
  if (tenant.getUser(DEMO_USERS.dana.userId)) {
    tenant.userPermissions.get(DEMO_PERMISSIONS.headcount.permissionId)?.add(DEMO_USERS.dana.userId);
    tenant.groups.get(DEMO_GROUPS.salesAnalysts.userGroupId)?.included.add(DEMO_USERS.dana.userId);
  }
  if (tenant.getUser(DEMO_USERS.mallory.userId)) {
    tenant.groups.get(DEMO_GROUPS.contractors.userGroupId)?.included.add(DEMO_USERS.mallory.userId);
  }
}
