// What a client sees of a tool (its tools/list entry) and the check that every result matches what was shown.
import type { Tool } from '@modelcontextprotocol/server';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/server/validators/ajv';
import { z } from 'zod';
import type { AnyToolDefinition } from './tools/define.js';

/** A defect: a handler built a result its own outputSchema does not describe. */
export class OutputSchemaMismatch extends Error {
  constructor(tool: string, detail: string | undefined) {
    super(`${tool} built a result that does not match its outputSchema: ${detail ?? 'no detail'}`);
  }
}

/**
 * JSON Schema as zod writes it (draft-07, the dialect the most clients and model APIs accept), less the
 * `$schema` line it repeats in every schema: without it, validators and 2026-07-28 clients read the schema
 * as 2020-12, which draft-07's keywords used here mean the same in.
 */
function jsonSchemaOf(schema: z.ZodObject, io: 'input' | 'output') {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { target: 'draft-7', io }) as Record<string, unknown>;
  return rest;
}

/**
 * A tool as tools/list shows it, and the check of its results against the outputSchema shown there. Built on
 * first use and kept per definition: HTTP builds a server per session, and a server should not convert or
 * compile the schemas of tools its mode never lists.
 */
export class PublicFace {
  private advertised: Tool | undefined;
  private compiled: ((structured: unknown) => { valid: boolean; errorMessage?: string | undefined }) | undefined;

  constructor(
    private readonly def: AnyToolDefinition,
    private readonly input: z.ZodObject,
    private readonly output: z.ZodObject,
    private readonly annotations: Tool['annotations'],
  ) {}

  get tool(): Tool {
    this.advertised ??= {
      name: this.def.name,
      title: this.def.title,
      description: this.def.description,
      inputSchema: jsonSchemaOf(this.input, 'input') as Tool['inputSchema'],
      outputSchema: jsonSchemaOf(this.output, 'output') as Tool['outputSchema'],
      annotations: this.annotations,
    };
    return this.advertised;
  }

  /** As strict as a client: the advertised outputSchema, compiled once. */
  checkOutput(structured: unknown): { valid: boolean; errorMessage?: string | undefined } {
    outputValidators ??= new AjvJsonSchemaValidator();
    this.compiled ??= outputValidators.getValidator(this.tool.outputSchema as Record<string, unknown>);
    return this.compiled(structured);
  }
}

const publicFaces = new WeakMap<AnyToolDefinition, PublicFace>();
// Made on the first result rather than at start-up, where a stdio server's first answer waits on it.
let outputValidators: AjvJsonSchemaValidator | undefined;

export function publicFace(
  def: AnyToolDefinition,
  input: z.ZodObject,
  output: z.ZodObject,
  annotations: Tool['annotations'],
): PublicFace {
  let face = publicFaces.get(def);
  if (face === undefined) {
    face = new PublicFace(def, input, output, annotations);
    publicFaces.set(def, face);
  }
  return face;
}
