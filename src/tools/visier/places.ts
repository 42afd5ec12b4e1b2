import type { ImpactTarget } from '../../contract/tool.js';
import type { TargetProjectForTenant } from '../../providers/visier/api.js';
import { quoted } from '../shared/format.js';
import type { ToolContext } from './define.js';

// Where an assignment lands. With `targetProjectForTenants` Visier applies the change inside each named tenant's
// project, not in the call's own tenant: a preview must read users, groups and permissions there, or it shows
// "does not exist" or a no-op for a grant that happens elsewhere.

/** One place a change lands: the context that reads there, and how preview lines name it (none for the call's own). */
export interface Place {
  ctx: ToolContext;
  /** `in tenant "c02" project "proj-1"`, or undefined for the call's own tenant and project. */
  label: string | undefined;
}

/**
 * The places an assignment lands: each project target (reads routed with its `tenantCode` and `projectId`, the
 * way the client routes every call), else the call's own tenant. A preview costs its reads once per place.
 */
export function placesOf(ctx: ToolContext, targets: readonly TargetProjectForTenant[] | undefined): Place[] {
  if (!targets?.length) return [{ ctx, label: undefined }];
  return targets.map((t) => ({
    // Only the target's own routing: a `targetTenantId` of the call would send the reads elsewhere again.
    ctx: { ...ctx, call: { signal: ctx.signal, tenantCode: t.tenantCode, projectId: t.projectId } },
    label: `in tenant ${quoted(t.tenantCode)} project ${quoted(t.projectId)}`,
  }));
}

/** A change phrase or `before` line prefixed with where it lands, unchanged for the call's own tenant. */
export const at = (place: Place, text: string): string =>
  place.label === undefined ? text : `${place.label}: ${text}`;

/**
 * A target as read in `place`: its first `before` line says where (so the fingerprint binds it) and its change
 * phrase too (so grouping never merges the same change in two tenants). Unchanged for the call's own tenant.
 */
export function placed(place: Place, target: ImpactTarget): ImpactTarget {
  if (place.label === undefined) return target;
  return {
    ...target,
    before: [place.label, ...(target.before ?? [])],
    ...(target.change === undefined ? {} : { change: at(place, target.change) }),
  };
}

/** `, inside tenant "c02" project "proj-1"` for a summary, empty for the call's own tenant. */
export function placesPhrase(places: readonly Place[]): string {
  const named = places.flatMap((p) => (p.label === undefined ? [] : [p.label.replace(/^in /, '')]));
  return named.length ? `, inside ${named.join(', ')} (read there)` : '';
}
