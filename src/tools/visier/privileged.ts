import type { PrivilegedPolicy } from '../../contract/tool.js';

// Which permissions previews flag as privileged. Visier's permission detail (`GET /v1/admin/permissions` with
// `includeDetails=true`) carries `adminCapabilityConfig` {allCapabilitiesAccess, capabilities}: the one place the
// API says what a permission lets its holder administer. The name is a second signal, for permissions whose
// detail does not come back (and because "Admin (Full Access)" reads as administrative to the human too).

const ADMINISTRATIVE_NAME = /\badmin(istrator|istrative)?\b|\bfull access\b|\bsuperuser\b/i;

/**
 * Capabilities that let a holder change who can see or do what, run as someone else, or see every record:
 * the capability-group names of Visier's `servicing.CapabilityGroupDTO` enum (authentication spec) that do so.
 */
const ADMINISTRATIVE_CAPABILITY =
  /^(Security|UserManagement|TenantManagement|ApplicationManagement|ProfileManagement|PermissionManagement|UserGroupManagement|AccessToAllData|ClassicAdminConfig|ClassicManageTenant)$|Impersonat|Admin/i;

function administrativeCapabilities(details: Record<string, unknown> | undefined): boolean {
  const config = details?.adminCapabilityConfig as
    | { allCapabilitiesAccess?: unknown; capabilities?: unknown }
    | undefined;
  if (config?.allCapabilitiesAccess === true) return true;
  const capabilities = Array.isArray(config?.capabilities) ? config.capabilities : [];
  return capabilities.some((c) => typeof c === 'string' && ADMINISTRATIVE_CAPABILITY.test(c));
}

/**
 * The default policy: a permission is privileged when its detail grants all capabilities
 * (`adminCapabilityConfig.allCapabilitiesAccess`) or an administrative one (user management, security, tenant
 * management, impersonation, access to all data), or when its display name is administrative ("Admin",
 * "Administrator", "Full Access", "Superuser"). With `listed` (the `--privileged-permissions` flag: ids or
 * display names, exact match) the operator's list replaces that rule entirely.
 */
export function privilegedPolicy(listed?: readonly string[]): PrivilegedPolicy {
  if (listed !== undefined && listed.length > 0) {
    const named = new Set(listed);
    return {
      isPrivileged: (p) => named.has(p.permissionId) || (p.displayName !== undefined && named.has(p.displayName)),
    };
  }
  return {
    isPrivileged: (p) =>
      administrativeCapabilities(p.details) || (p.displayName !== undefined && ADMINISTRATIVE_NAME.test(p.displayName)),
  };
}

/**
 * The administrative capabilities a profile carries (the same capability rule as for permissions, read from the
 * profile's `capabilities` with any access level but `None`, and its `additionalCapabilities`), empty when none.
 * Giving such a profile is flagged like a privileged permission grant.
 */
export function administrativeCapabilitiesOf(profile: {
  capabilities: readonly { capability: string; accessLevel?: string | undefined }[];
  additionalCapabilities: readonly string[];
}): string[] {
  const granted = [
    ...profile.capabilities.filter((c) => c.accessLevel !== 'None').map((c) => c.capability),
    ...profile.additionalCapabilities,
  ];
  return [...new Set(granted.filter((c) => ADMINISTRATIVE_CAPABILITY.test(c)))];
}
