// One conformance fixture tool: a read tool like the product's, so it passes the same guard and audit.
import type { ZodRawShape } from 'zod';
import { type AnyToolDefinition, defineTool, type ToolContext, type ToolOutput } from '../contract/tool.js';

export type FixtureOutput = ToolOutput<Record<string, never>>;

export function fixture<I extends ZodRawShape = Record<string, never>>(
  name: string,
  description: string,
  run: (ctx: ToolContext, args: Record<string, unknown>) => Promise<FixtureOutput>,
  inputSchema?: I,
): AnyToolDefinition {
  return defineTool({
    name,
    title: name,
    description: `Conformance fixture: ${description}`,
    classification: 'read',
    inputSchema: inputSchema ?? {},
    outputSchema: {},
    handler: (args, ctx) => run(ctx, args),
  });
}
