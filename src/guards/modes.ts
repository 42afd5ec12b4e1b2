import type { Classification } from '../tools/define.js';
import type { Mode } from './guard.js';

const CLASSES: Record<Mode, readonly Classification[]> = {
  'read-only': ['read'],
  'user-writes': ['read', 'write'],
  full: ['read', 'write', 'access', 'destructive'],
};

/** From narrowest to widest, so the first that allows a class is the least the operator must grant. */
const MODES_BY_WIDTH: readonly Mode[] = ['read-only', 'user-writes', 'full'];

export function modeAllows(mode: Mode, classification: Classification): boolean {
  return CLASSES[mode].includes(classification);
}

/** The mode one tenant runs under: its own entry in the per-tenant modes, else the server's mode. */
export function modeOf(tenant: string, mode: Mode, tenantModes: Record<string, Mode> | undefined): Mode {
  return tenantModes !== undefined && Object.hasOwn(tenantModes, tenant) ? (tenantModes[tenant] as Mode) : mode;
}

/** Whether `tools/list` shows a class: some allowlisted tenant's mode allows it. */
export function listedInSomeTenant(
  classification: Classification,
  tenants: readonly string[],
  mode: Mode,
  tenantModes: Record<string, Mode> | undefined,
): boolean {
  return tenants.some((tenant) => modeAllows(modeOf(tenant, mode, tenantModes), classification));
}

/** Why a tool is refused in a tenant, and exactly what the operator would change to allow it. */
export function modeRefusal(tool: string, classification: Classification, tenant: string, mode: Mode): string {
  const needed = MODES_BY_WIDTH.find((m) => modeAllows(m, classification)) as Mode;
  return (
    `${tool} is a '${classification}' tool and tenant '${tenant}' runs in '${mode}' mode; it needs mode '${needed}'. ` +
    `The operator can start the server with --mode ${needed} (or VISIER_MCP_MODE=${needed}), ` +
    `or set this tenant to '${needed}' in the per-tenant modes file (--tenant-modes).`
  );
}
