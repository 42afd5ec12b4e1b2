import type { Classification } from '../contract/tool.js';
import { withArticle } from '../grammar.js';
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

/** From weakest to strongest effect. */
const CLASS_STRENGTH: readonly Classification[] = ['read', 'write', 'access', 'destructive'];

/** The stronger of two classes: a call's effect never lowers its tool's class. */
export function strongerClass(a: Classification, b: Classification | undefined): Classification {
  return b !== undefined && CLASS_STRENGTH.indexOf(b) > CLASS_STRENGTH.indexOf(a) ? b : a;
}

/**
 * Why a call is refused in a tenant, and exactly what the operator would change to allow it. `effect` is set
 * when the call's effect is stronger than its tool's class: the refusal names the tool's class and why.
 */
export function modeRefusal(
  tool: string,
  classification: Classification,
  tenant: string,
  mode: Mode,
  effect?: { toolClass: Classification; why: string[] },
  term = 'tenant',
): string {
  const needed = MODES_BY_WIDTH.find((m) => modeAllows(m, classification)) as Mode;
  const what =
    effect === undefined
      ? `${tool} is ${withArticle(`'${classification}'`)} tool`
      : `${tool} is ${withArticle(`'${effect.toolClass}'`)} tool, but this call is '${classification}' by its effect (${effect.why.join('; ') || 'stated by its preview'})`;
  return (
    `${what} and ${term} '${tenant}' runs in '${mode}' mode; it needs mode '${needed}'. ` +
    `The operator can start the server with --mode ${needed} (or VISIER_MCP_MODE=${needed}), ` +
    `or set this ${term} to '${needed}' in the per-${term} modes file (--tenant-modes).`
  );
}
