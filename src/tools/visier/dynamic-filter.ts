import { z } from 'zod';
import { counted } from '../../grammar.js';
import type { DynamicFilterDefinition } from '../../providers/visier/api.js';
import { quoted } from '../shared/format.js';
import { id, name } from './fields.js';

// A user group's dynamic membership filter as a tool argument: Visier's `admin.UserGroupFiltersDTO`
// (administration-apis.yaml; reference §2.7), validated here so a malformed filter is refused naming the field
// and the rule before anything reaches Visier.

const MAX_FILTERS = 10;
const MAX_DIMENSION_FILTERS = 20;
const MAX_SELECTIONS = 500;
const MAX_PATH = 20;

const memberSelection = z.strictObject({
  isExcluded: z
    .boolean()
    .optional()
    .describe('true: employees mapped to this member (or below it) are kept out; default false (selected)'),
  namePath: z
    .array(name('Member name'))
    .min(1, { error: 'must name at least one member, from the top level down' })
    .max(MAX_PATH, { error: `must have at most ${counted(MAX_PATH, 'level')}` })
    .describe('The member by its name path from the top level down, e.g. ["North America", "US", "CA"]'),
});

const dimensionFilter = z.strictObject({
  dimensionId: id('Dimension id, e.g. Location or Organization_Hierarchy'),
  subjectReferencePath: z
    .array(id('Analytic object id'))
    .min(1, { error: 'must name at least one object (omit it for a dimension of Employee)' })
    .max(MAX_PATH)
    .optional()
    .describe('Objects leading to the dimension when it is not on Employee, e.g. ["Employee", "Employment_Start"]'),
  memberSelections: z
    .array(memberSelection)
    .min(1, { error: 'must select or exclude at least one member' })
    .max(MAX_SELECTIONS, { error: `must have at most ${counted(MAX_SELECTIONS, 'member')}` })
    .describe('Members selected or excluded; a member includes the members below it'),
});

const employeeFilter = z.strictObject({
  filterId: id('Id of a filter the group already has (omit for a new one)').optional(),
  analyticObjectId: z
    // An enum of one, not a literal: `const` is a keyword some model APIs refuse in a tool schema.
    .enum(['Employee'], { error: "Visier supports only the analytic object 'Employee'" })
    .optional()
    .describe("Only 'Employee' (the default)"),
  dimensionFilters: z
    .array(dimensionFilter)
    .min(1, { error: 'must have at least one dimension filter' })
    .max(MAX_DIMENSION_FILTERS, { error: `must have at most ${counted(MAX_DIMENSION_FILTERS, 'dimension filter')}` })
    .describe('Conditions an employee must all meet'),
});

/** The tool argument: becomes the group's `dynamicFilterDefinition`. */
export const dynamicFilterInput = z
  .strictObject({
    filters: z
      .array(employeeFilter)
      .min(1, { error: 'must have at least one filter' })
      .max(MAX_FILTERS, { error: `must have at most ${counted(MAX_FILTERS, 'filter')}` })
      .describe('Employees matching any one filter are members'),
  })
  .describe(
    "Members chosen by employee data (Visier's dynamicFilterDefinition; replaces the group's filter): each user whose employeeId matches an employee the filter selects. Not with includeAllUsers.",
  );

/** A group's filter as `get_user_group` returns it: as Visier holds it, without the input's bounds. */
export const dynamicFilterOutput = z.object({
  filters: z.array(
    z.object({
      filterId: z.string().optional(),
      analyticObjectId: z.string().optional(),
      dimensionFilters: z.array(
        z.object({
          dimensionId: z.string(),
          subjectReferencePath: z.array(z.string()).optional(),
          memberSelections: z.array(z.object({ isExcluded: z.boolean().optional(), namePath: z.array(z.string()) })),
        }),
      ),
    }),
  ),
});

/**
 * Refuses a group argument Visier refuses (reference §2.7: `dynamicFilterDefinition` is omitted when
 * `includeAllUsers` is true), naming the field, before anything is sent.
 */
export function checkFilterCombination(
  group: { includeAllUsers?: boolean | undefined; dynamicFilter?: unknown },
  ctx: z.RefinementCtx,
): void {
  if (group.includeAllUsers === true && group.dynamicFilter !== undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['dynamicFilter'],
      message: 'cannot be combined with includeAllUsers: true (every user is already a member)',
    });
  }
}

/** A filter as readable lines: one per filter, its dimension conditions joined by "and". */
export function filterLines(definition: DynamicFilterDefinition): string[] {
  return definition.filters.map((filter, i) => {
    const conditions = filter.dimensionFilters.map((d) => {
      const dimension = [...(d.subjectReferencePath ?? []), d.dimensionId].join('.');
      const members = (excluded: boolean) =>
        d.memberSelections
          .filter((m) => (m.isExcluded ?? false) === excluded)
          .map((m) => quoted(m.namePath.join(' / ')))
          .join(', ');
      const inside = members(false);
      const outside = members(true);
      return `${quoted(dimension)}${inside ? ` in ${inside}` : ''}${inside && outside ? ' and' : ''}${outside ? ` not in ${outside}` : ''}`;
    });
    const head =
      definition.filters.length > 1 ? `dynamic filter ${i + 1} of ${definition.filters.length}` : 'dynamic filter';
    return `members: ${head}: employees with ${conditions.join(' and ') || 'any data'}`;
  });
}
