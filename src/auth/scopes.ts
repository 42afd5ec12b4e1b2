import type { Classification } from '../contract/tool.js';
import { withArticle } from '../grammar.js';
import type { Mode } from '../guards/guard.js';
import { modeAllows } from '../guards/modes.js';

/**
 * The OAuth scopes this server understands (advertised as `scopes_supported`), each with the widest mode it
 * grants: `visier-admin:read` the read-only surface, `visier-admin:write` user-writes, `visier-admin:admin` full.
 */
export const SCOPE_MODES = {
  'visier-admin:read': 'read-only',
  'visier-admin:write': 'user-writes',
  'visier-admin:admin': 'full',
} as const satisfies Record<string, Mode>;

export const SUPPORTED_SCOPES = Object.keys(SCOPE_MODES) as (keyof typeof SCOPE_MODES)[];

/** From narrowest to widest, as modes.ts orders them. */
const WIDTH: readonly Mode[] = ['read-only', 'user-writes', 'full'];

/** The widest mode a token's scopes grant; undefined when it carries none of ours (refused: insufficient_scope). */
export function modeOfScopes(scopes: readonly string[]): Mode | undefined {
  let widest: Mode | undefined;
  for (const scope of scopes) {
    const mode = (SCOPE_MODES as Record<string, Mode>)[scope];
    if (mode !== undefined && (widest === undefined || WIDTH.indexOf(mode) > WIDTH.indexOf(widest))) widest = mode;
  }
  return widest;
}

/** Whether a mode is at least as wide as another. */
export function atLeast(mode: Mode, than: Mode): boolean {
  return WIDTH.indexOf(mode) >= WIDTH.indexOf(than);
}

/** The scope that allows a class: what a refusal tells the person to ask their identity provider for. */
export function scopeFor(classification: Classification): string {
  const found = SUPPORTED_SCOPES.find((scope) => modeAllows(SCOPE_MODES[scope], classification));
  return found as string;
}

/** Why a call is refused by the caller's token rather than the operator's mode, and what would allow it. */
export function scopeRefusal(tool: string, classification: Classification, scopeMode: Mode): string {
  return (
    `${tool} is ${withArticle(`'${classification}'`)} tool and your access token's scopes allow only '${scopeMode}' mode; ` +
    `it needs the scope ${scopeFor(classification)}. Sign in again asking for that scope (your identity provider's administrator grants it).`
  );
}
