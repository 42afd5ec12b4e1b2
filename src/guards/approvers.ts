import { z } from 'zod';
import type { Classification, ImpactPreview } from '../contract/tool.js';
import type { ConfirmedClass } from './guard.js';

/**
 * The classes an approval count can be set for: the confirmed classes, and `privileged`, an access change whose
 * preview flags a privileged permission newly held (`ImpactPreview.privilegedGrants`).
 */
export const APPROVAL_CLASSES = ['write', 'access', 'privileged', 'destructive'] as const;
export type ApprovalClass = (typeof APPROVAL_CLASSES)[number];

/** Any tenant without a section of its own. */
export const ANY_TENANT = '*';

/**
 * How many distinct people must approve a change on the approvals page, per tenant (`*` for the others) and class.
 * A class a tenant's section leaves out takes the `*` section's count; `privileged` left out takes `access`'s.
 * A class with no count at all is confirmed as the `--confirm` policy says.
 */
export type ApproversPolicy = Record<string, Partial<Record<ApprovalClass, number>>>;

/** At most this many people per change: more is a typo, not a policy a team can staff. */
const MAX_APPROVERS = 9;

const isClass = (name: string): name is ApprovalClass => (APPROVAL_CLASSES as readonly string[]).includes(name);

/**
 * `CLASS=N` pairs (`access=1,privileged=2,destructive=2`) for every tenant, or `TENANT:` sections separated by
 * `;` (`acme:access=2,destructive=2;*:access=1`). Each tenant and each class within it at most once; N from 0
 * (as if unset) to 9. Issues name the part at fault and the rule it breaks.
 */
export const approversPolicy = z.string().transform((value, ctx): ApproversPolicy => {
  const fail = (part: string, rule: string) => {
    ctx.addIssue({
      code: 'custom',
      message: `'${part}' ${rule} (e.g. access=1,privileged=2 or acme:access=2;*:access=1)`,
    });
    return z.NEVER;
  };
  const policy: ApproversPolicy = {};
  for (const section of value.split(';').map((s) => s.trim())) {
    const colon = section.indexOf(':');
    const tenant = colon === -1 ? ANY_TENANT : section.slice(0, colon).trim();
    const pairs = colon === -1 ? section : section.slice(colon + 1);
    if (tenant === '') return fail(section, 'names no tenant before its colon');
    if (tenant in policy) return fail(section, `names tenant ${tenant} a second time`);
    const counts: Partial<Record<ApprovalClass, number>> = {};
    for (const pair of pairs.split(',').map((p) => p.trim())) {
      const [name = '', count = '', ...extra] = pair.split('=');
      if (!isClass(name) || extra.length > 0) {
        return fail(pair, `is not CLASS=N with CLASS one of ${APPROVAL_CLASSES.join(', ')}`);
      }
      if (name in counts) return fail(pair, `sets ${name} a second time for ${tenant}`);
      if (!/^\d$/.test(count) || Number(count) > MAX_APPROVERS) {
        return fail(pair, `needs a whole number of people from 0 to ${MAX_APPROVERS}`);
      }
      counts[name] = Number(count);
    }
    policy[tenant] = counts;
  }
  return policy;
});

/** The class a change is counted under: an access change granting a privileged permission is `privileged`. */
export function approvalClassOf(classification: Classification, preview: Pick<ImpactPreview, 'privilegedGrants'>) {
  if (classification === 'access' && (preview.privilegedGrants ?? []).length > 0) return 'privileged';
  return classification as ApprovalClass;
}

function countIn(section: Partial<Record<ApprovalClass, number>> | undefined, cls: ApprovalClass) {
  return section?.[cls] ?? (cls === 'privileged' ? section?.access : undefined);
}

/**
 * How many distinct people must approve a change of `cls` reaching `tenants`: the largest count any of them asks
 * for (a change is as guarded as its most guarded tenant); undefined when the policy sets none for them.
 */
export function approversRequired(
  policy: ApproversPolicy | undefined,
  tenants: readonly string[],
  cls: ApprovalClass,
): number | undefined {
  if (policy === undefined) return undefined;
  const counts = tenants
    .map((tenant) => countIn(policy[tenant], cls) ?? countIn(policy[ANY_TENANT], cls))
    .filter((n): n is number => n !== undefined);
  return counts.length === 0 ? undefined : Math.max(...counts);
}

/** The confirmed class whose channel a class uses: privileged changes are access changes. */
export function channelClassOf(cls: ApprovalClass): ConfirmedClass {
  return cls === 'privileged' ? 'access' : cls;
}

/** The largest count the policy sets anywhere, and the confirmed classes that need at least one person. */
export function approversSummary(policy: ApproversPolicy): { most: number; pageClasses: ConfirmedClass[] } {
  const all = Object.values(policy).flatMap((section) => Object.entries(section)) as [ApprovalClass, number][];
  return {
    most: Math.max(0, ...all.map(([, n]) => n)),
    pageClasses: [...new Set(all.filter(([, n]) => n >= 1).map(([cls]) => channelClassOf(cls)))],
  };
}
