// Reading and checking a V2 user group definition (`admin.UserGroupChangeDefinitionDTO`), and applying it
// to a group record as a create, a full replacement (PUT) or a partial update (PATCH).
import { StatusError } from '../status-error.js';
import type { GroupRecord, TenantState } from './tenant-state.js';

export interface GroupDefinition {
  userGroupId?: string;
  displayName?: string;
  description?: string;
  permissionIds?: string[];
  users?: {
    includeAllUsers?: boolean;
    included?: string[];
    excluded?: string[];
    dynamicFilterDefinition?: unknown;
  };
  tenantCode?: string;
  projectId?: string;
  visibleForSelection?: { enabled?: boolean; features?: string[] };
  correlationId?: string;
}

const invalid = (message: string) => new StatusError(400, 'InvalidArgument', message);

function text(record: Record<string, unknown>, key: string): string | undefined {
  const value = record[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw invalid(`'${key}' must be a string`);
  return value;
}

/** `{ids: [...]}`, the wire form of every id list in V2 user groups. */
function ids(value: unknown, key: string): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  const list = (value as { ids?: unknown }).ids ?? [];
  if (!Array.isArray(list) || list.some((id) => typeof id !== 'string')) {
    throw invalid(`'${key}' must be an object {ids: [string]}`);
  }
  return list as string[];
}

export function parseDefinition(raw: unknown): GroupDefinition {
  if (typeof raw !== 'object' || raw === null) throw invalid('Each user group must be an object');
  const record = raw as Record<string, unknown>;
  const definition: GroupDefinition = {};
  for (const key of [
    'userGroupId',
    'displayName',
    'description',
    'tenantCode',
    'projectId',
    'correlationId',
  ] as const) {
    const value = text(record, key);
    if (value !== undefined) definition[key] = value;
  }
  const permissionIds = ids(record.permissionIds, 'permissionIds');
  if (permissionIds) definition.permissionIds = permissionIds;
  if (record.users !== undefined && record.users !== null) {
    const users = record.users as Record<string, unknown>;
    const includeAll = users.includeAllUsers;
    if (includeAll !== undefined && typeof includeAll !== 'boolean')
      throw invalid("'users.includeAllUsers' must be a boolean");
    const included = ids(users.manuallyIncludedIds, 'users.manuallyIncludedIds');
    const excluded = ids(users.manuallyExcludedIds, 'users.manuallyExcludedIds');
    definition.users = {
      ...(includeAll !== undefined ? { includeAllUsers: includeAll } : {}),
      ...(included ? { included } : {}),
      ...(excluded ? { excluded } : {}),
      ...(users.dynamicFilterDefinition !== undefined
        ? { dynamicFilterDefinition: users.dynamicFilterDefinition }
        : {}),
    };
  }
  if (record.visibleForSelection !== undefined && record.visibleForSelection !== null) {
    const visible = record.visibleForSelection as { enabled?: unknown; features?: unknown };
    if (visible.enabled !== undefined && typeof visible.enabled !== 'boolean') {
      throw invalid("'visibleForSelection.enabled' must be a boolean");
    }
    const features = visible.features ?? [];
    if (!Array.isArray(features) || features.some((f) => f !== 'AnalyticsFeatures' && f !== 'StudioFeatures')) {
      throw invalid("'visibleForSelection.features' must list AnalyticsFeatures or StudioFeatures");
    }
    if (visible.enabled === true && features.length === 0) {
      throw invalid("'visibleForSelection.enabled' cannot be true while 'features' is empty");
    }
    definition.visibleForSelection = {
      ...(visible.enabled !== undefined ? { enabled: visible.enabled } : {}),
      features: features as string[],
    };
  }
  return definition;
}

/** Checks references and the membership rules Visier's spec states, against the tenant the group is in. */
export function checkDefinition(tenant: TenantState, definition: GroupDefinition): void {
  for (const permissionId of definition.permissionIds ?? []) {
    if (!tenant.permissions.has(permissionId)) throw invalid(`Permission '${permissionId}' was not found`);
  }
  const users = definition.users;
  if (!users) return;
  if (users.includeAllUsers && (users.included?.length || users.dynamicFilterDefinition !== undefined)) {
    throw invalid('includeAllUsers cannot be combined with manuallyIncludedIds or dynamicFilterDefinition');
  }
  for (const userId of [...(users.included ?? []), ...(users.excluded ?? [])]) {
    if (!tenant.getUser(userId)) throw invalid(`User '${userId}' was not found`);
  }
  const excluded = new Set(users.excluded ?? []);
  const overlap = (users.included ?? []).find((userId) => excluded.has(userId));
  if (overlap) throw invalid(`User '${overlap}' cannot be both manually included and manually excluded`);
}

export function newGroup(userGroupId: string, definition: GroupDefinition): GroupRecord {
  const group: GroupRecord = {
    userGroupId,
    displayName: '',
    description: '',
    permissionIds: new Set(),
    includeAllUsers: false,
    included: new Set(),
    excluded: new Set(),
  };
  applyDefinition(group, definition, 'replace');
  return group;
}

/** `replace` resets every field the definition leaves out; `patch` keeps them. */
export function applyDefinition(group: GroupRecord, definition: GroupDefinition, mode: 'replace' | 'patch'): void {
  const replace = mode === 'replace';
  if (definition.displayName !== undefined || replace) group.displayName = definition.displayName ?? '';
  if (definition.description !== undefined || replace) group.description = definition.description ?? '';
  if (definition.permissionIds !== undefined || replace) group.permissionIds = new Set(definition.permissionIds ?? []);
  const users = definition.users;
  if (users !== undefined || replace) {
    if (users?.includeAllUsers !== undefined || replace) group.includeAllUsers = users?.includeAllUsers ?? false;
    if (users?.included !== undefined || replace) group.included = new Set(users?.included ?? []);
    if (users?.excluded !== undefined || replace) group.excluded = new Set(users?.excluded ?? []);
    if (users?.dynamicFilterDefinition !== undefined || replace) {
      if (users?.dynamicFilterDefinition === undefined) delete group.dynamicFilterDefinition;
      else group.dynamicFilterDefinition = users.dynamicFilterDefinition;
    }
    if (group.includeAllUsers) group.included.clear();
  }
  if (definition.visibleForSelection !== undefined) group.visibleForSelection = definition.visibleForSelection;
  else if (replace) delete group.visibleForSelection;
}
