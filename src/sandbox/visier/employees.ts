// The sandbox's employee data: what Visier's dynamic user-group filters and Data Query list queries match.
// Each user's account links to an employee by employeeId; a few accounts link to no employee (as when an
// account's employee id is mistyped or the employee is not loaded yet), so a filter can never reach them.

/** One employee: its id and, per dimension, the member it maps to, as a name path from the top level down. */
export interface EmployeeRecord {
  employeeId: string;
  dimensions: Readonly<Record<string, readonly string[]>>;
}

/** The dimensions of the Employee object the sandbox models, each a hierarchy of named members. */
export const EMPLOYEE_DIMENSIONS = ['Organization_Hierarchy', 'Location'] as const;

const ORGANIZATIONS = [
  ['Acme', 'Sales', 'Field Sales'],
  ['Acme', 'Sales', 'Inside Sales'],
  ['Acme', 'Finance'],
  ['Acme', 'People', 'Recruiting'],
  ['Acme', 'Operations', 'IT'],
] as const;

const LOCATIONS = [
  ['North America', 'US', 'CA'],
  ['North America', 'US', 'NY'],
  ['North America', 'Canada', 'BC'],
  ['Europe', 'UK', 'London'],
  ['Europe', 'Germany', 'Berlin'],
  ['Asia Pacific', 'Singapore'],
] as const;

/** Every tenth account (the 10th, 20th, ...) links to no employee. */
export const hasEmployee = (userIndex: number): boolean => userIndex % 10 !== 9;

/**
 * The employee of the account at `userIndex` (its place in the seeded directory): a pure function of the index,
 * so tests can name whom a filter matches without reading the sandbox's state, and seeding users draws nothing
 * more from the directory's random sequence.
 */
export function employeeAt(userIndex: number, employeeId: string): EmployeeRecord {
  return {
    employeeId,
    dimensions: {
      Organization_Hierarchy: ORGANIZATIONS[userIndex % ORGANIZATIONS.length] as readonly string[],
      Location: LOCATIONS[userIndex % LOCATIONS.length] as readonly string[],
    },
  };
}

/** Whether `path` names `member` or a member above it (a member includes everything below it). */
export function within(member: readonly string[], path: readonly string[]): boolean {
  return path.length > 0 && path.length <= member.length && path.every((name, i) => member[i] === name);
}
