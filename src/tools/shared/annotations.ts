import type { ToolAnnotations } from '@modelcontextprotocol/server';
import type { Classification } from '../../contract/tool.js';

/**
 * MCP annotations follow from the classification alone, so a tool can never claim to be harmless while the
 * guards treat it as destructive. Access changes count as destructive for clients: revoking or regranting
 * access cannot be undone by re-running the call. Idempotency is claimed only where it holds for every tool
 * of the class (reads); every tool talks to a Visier tenant, an outside system, hence open world.
 */
export function annotationsFor(classification: Classification): ToolAnnotations {
  return {
    readOnlyHint: classification === 'read',
    destructiveHint: classification === 'access' || classification === 'destructive',
    idempotentHint: classification === 'read',
    openWorldHint: true,
  };
}
