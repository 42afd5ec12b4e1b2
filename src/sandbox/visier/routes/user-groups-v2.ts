// User groups V2: rich definitions with `{ids: [...]}` lists, per-item successes and failures, and the
// same group records V1 uses.

import { badRequest, newRci, StatusError } from '../../status-error.js';
import { type RequestContext, type Route, stateFor } from '../context.js';
import {
  applyDefinition,
  checkDefinition,
  type GroupDefinition,
  newGroup,
  parseDefinition,
} from '../group-definition.js';
import { arrayField, objectBody, paging } from '../params.js';
import type { GroupRecord, TenantState } from '../tenant-state.js';

type Part = 'permissions' | 'users' | 'details';
const PARTS: readonly Part[] = ['permissions', 'users', 'details'];

function parts(query: URLSearchParams, fallback: Part[]): Set<Part> {
  const asked = query
    .getAll('with')
    .flatMap((value) => value.split(','))
    .filter(Boolean);
  for (const part of asked) {
    if (!PARTS.includes(part as Part)) throw badRequest(`'with' must be one of ${PARTS.join(', ')}, got '${part}'`);
  }
  return new Set(asked.length > 0 ? (asked as Part[]) : fallback);
}

const idList = (values: Iterable<string>) => ({ ids: [...values] });

function groupDto(tenant: TenantState, group: GroupRecord, wanted: Set<Part>): Record<string, unknown> {
  const all = wanted.has('details');
  const dto: Record<string, unknown> = {
    userGroupId: group.userGroupId,
    displayName: group.displayName,
    description: group.description,
    tenantCode: tenant.tenantCode,
  };
  if (all || wanted.has('permissions')) dto.permissionIds = idList(group.permissionIds);
  if (all || wanted.has('users')) {
    dto.users = {
      includeAllUsers: group.includeAllUsers,
      manuallyIncludedIds: idList(group.included),
      manuallyExcludedIds: idList(group.excluded),
      ...(group.dynamicFilterDefinition !== undefined
        ? { dynamicFilterDefinition: group.dynamicFilterDefinition }
        : {}),
    };
  }
  if (all)
    dto.visibleForSelection = group.visibleForSelection ?? {
      enabled: true,
      features: ['AnalyticsFeatures', 'StudioFeatures'],
    };
  return dto;
}

/** Visier's displayNameFilter: a case-sensitive glob where `*` is any run and `?` one character. */
function glob(pattern: string): RegExp {
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  // `s`: `*` and `?` match any character, a line break in a name included.
  return new RegExp(`^${source}$`, 's');
}

type Mode = 'create' | 'replace' | 'patch';

function change(mode: Mode): Route['handle'] {
  return (ctx: RequestContext) => {
    const items = arrayField(objectBody(ctx.body), 'userGroups');
    const successes: Record<string, unknown>[] = [];
    const failures: Record<string, unknown>[] = [];
    for (const raw of items) {
      const echo = (definition: Partial<GroupDefinition>, tenantCode: string) => ({
        ...(definition.displayName !== undefined ? { displayName: definition.displayName } : {}),
        tenantCode,
        ...(definition.projectId !== undefined ? { projectId: definition.projectId } : {}),
        ...(definition.correlationId !== undefined ? { correlationId: definition.correlationId } : {}),
      });
      let definition: Partial<GroupDefinition> = (raw ?? {}) as Partial<GroupDefinition>;
      let tenantCode = typeof definition.tenantCode === 'string' ? definition.tenantCode : ctx.tenant.tenantCode;
      try {
        definition = parseDefinition(raw);
        const tenant = stateFor(ctx, definition.tenantCode, definition.projectId);
        tenantCode = tenant.tenantCode;
        const group = applyChange(tenant, definition as GroupDefinition, mode);
        tenant.record(ctx.actor, `UserGroup${mode === 'create' ? 'Created' : 'Changed'}`, group.displayName);
        successes.push({
          ...echo(definition, tenantCode),
          displayName: group.displayName,
          userGroupId: group.userGroupId,
        });
      } catch (error) {
        if (!(error instanceof StatusError)) throw error;
        failures.push({
          ...echo(definition, tenantCode),
          ...(typeof definition.userGroupId === 'string' ? { userGroupId: definition.userGroupId } : {}),
          message: error.message,
          rci: newRci(),
        });
      }
    }
    return { status: 200, json: { successes, failures } };
  };
}

function applyChange(tenant: TenantState, definition: GroupDefinition, mode: Mode): GroupRecord {
  checkDefinition(tenant, definition);
  if (mode === 'create') {
    if (definition.userGroupId !== undefined) throw badRequest('Omit userGroupId when creating a user group');
    if (!definition.displayName) throw badRequest('displayName is required');
    const group = newGroup(tenant.newId(), definition);
    tenant.groups.set(group.userGroupId, group);
    return group;
  }
  if (definition.userGroupId === undefined) throw badRequest('userGroupId is required');
  const group = tenant.requireGroup(definition.userGroupId);
  if (mode === 'replace' && !definition.displayName) throw badRequest('displayName is required');
  applyDefinition(group, definition, mode);
  return group;
}

function deleteGroup(tenant: TenantState, userGroupId: string, actor: string): void {
  const group = tenant.requireGroup(userGroupId);
  tenant.groups.delete(userGroupId);
  tenant.record(actor, 'UserGroupDeleted', group.displayName);
}

export const userGroupsV2Routes: Route[] = [
  {
    method: 'GET',
    path: '/v2/admin/user-groups',
    handle({ query, tenant }) {
      const { limit, start } = paging(query, 100, 1000);
      const wanted = parts(query, []);
      const filter = query.get('displayNameFilter');
      const matcher = filter ? glob(filter) : undefined;
      const userGroups = [...tenant.groups.values()]
        .filter((group) => !matcher || matcher.test(group.displayName))
        .slice(start, start + limit)
        .map((group) => groupDto(tenant, group, wanted));
      return { status: 200, json: { userGroups } };
    },
  },
  { method: 'POST', path: '/v2/admin/user-groups', handle: change('create') },
  { method: 'PUT', path: '/v2/admin/user-groups', handle: change('replace') },
  { method: 'PATCH', path: '/v2/admin/user-groups', handle: change('patch') },
  {
    method: 'DELETE',
    path: '/v2/admin/user-groups',
    handle(ctx) {
      const successes: Record<string, unknown>[] = [];
      const failures: Record<string, unknown>[] = [];
      for (const raw of arrayField(objectBody(ctx.body), 'userGroups')) {
        const { tenantCode, userGroupId, projectId } = objectBody(raw);
        const code = typeof tenantCode === 'string' ? tenantCode : ctx.tenant.tenantCode;
        const entry = {
          tenantCode: code,
          userGroupId: String(userGroupId ?? ''),
          ...(typeof projectId === 'string' ? { projectId } : {}),
        };
        try {
          deleteGroup(
            stateFor(ctx, code, typeof projectId === 'string' ? projectId : undefined),
            entry.userGroupId,
            ctx.actor,
          );
          successes.push(entry);
        } catch (error) {
          if (!(error instanceof StatusError)) throw error;
          failures.push({ ...entry, message: error.message, rci: newRci() });
        }
      }
      return { status: 200, json: { successes, failures } };
    },
  },
  {
    // Without `with`, a single group comes back in full detail, as Visier documents.
    method: 'GET',
    path: '/v2/admin/user-groups/:userGroupId',
    handle({ query, params, tenant }) {
      const group = tenant.requireGroup(params.userGroupId as string);
      return { status: 200, json: groupDto(tenant, group, parts(query, ['details'])) };
    },
  },
  {
    method: 'DELETE',
    path: '/v2/admin/user-groups/:userGroupId',
    handle({ params, tenant, actor }) {
      const entry = { tenantCode: tenant.tenantCode, userGroupId: params.userGroupId as string };
      try {
        deleteGroup(tenant, entry.userGroupId, actor);
        return { status: 200, json: { success: entry } };
      } catch (error) {
        if (!(error instanceof StatusError)) throw error;
        return { status: 200, json: { failure: { ...entry, message: error.message, rci: newRci() } } };
      }
    },
  },
];
