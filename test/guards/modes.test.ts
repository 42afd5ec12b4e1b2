import { describe, expect, it } from 'vitest';
import type { Classification } from '../../src/contract/tool.js';
import type { Mode } from '../../src/guards/guard.js';
import { listedInSomeTenant, modeAllows, modeOf, modeRefusal } from '../../src/guards/modes.js';

const CLASSES: Classification[] = ['read', 'write', 'access', 'destructive'];

describe('modes', () => {
  it.each<[Mode, boolean[]]>([
    ['read-only', [true, false, false, false]],
    ['user-writes', [true, true, false, false]],
    ['full', [true, true, true, true]],
  ])('%s allows exactly its classes', (mode, expected) => {
    expect(CLASSES.map((c) => modeAllows(mode, c))).toEqual(expected);
  });

  it('uses a tenant entry when present and the server mode otherwise', () => {
    const tenantModes: Record<string, Mode> = { B: 'full' };
    expect(modeOf('B', 'read-only', tenantModes)).toBe('full');
    expect(modeOf('A', 'read-only', tenantModes)).toBe('read-only');
    expect(modeOf('toString', 'read-only', tenantModes)).toBe('read-only');
    expect(modeOf('A', 'user-writes', undefined)).toBe('user-writes');
  });

  it('lists a class when some allowed tenant permits it', () => {
    const tenantModes: Record<string, Mode> = { B: 'user-writes' };
    expect(CLASSES.map((c) => listedInSomeTenant(c, ['A', 'B'], 'read-only', tenantModes))).toEqual([
      true,
      true,
      false,
      false,
    ]);
    expect(CLASSES.map((c) => listedInSomeTenant(c, ['A'], 'read-only', tenantModes))).toEqual([
      true,
      false,
      false,
      false,
    ]);
  });

  it('names the mode that would allow the tool and how the operator sets it', () => {
    expect(modeRefusal('delete_user', 'destructive', 'T1', 'user-writes')).toBe(
      "delete_user is a 'destructive' tool and tenant 'T1' runs in 'user-writes' mode; it needs mode 'full'. " +
        'The operator can start the server with --mode full (or VISIER_MCP_MODE=full), ' +
        "or set this tenant to 'full' in the per-tenant modes file (--tenant-modes).",
    );
    expect(modeRefusal('create_user', 'write', 'T1', 'read-only')).toContain(
      "it needs mode 'user-writes'. The operator can start the server with --mode user-writes (or VISIER_MCP_MODE=user-writes)",
    );
  });
});
