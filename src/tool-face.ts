// What a client sees of a tool (its tools/list entry) and the check that every result matches what was shown.
import type { Tool } from '@modelcontextprotocol/server';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/server/validators/ajv';
import { z } from 'zod';
import type { AnyToolDefinition } from './contract/tool.js';

/** A defect: a handler built a result its own outputSchema does not describe. */
export class OutputSchemaMismatch extends Error {
  constructor(tool: string, detail: string | undefined) {
    super(`${tool} built a result that does not match its outputSchema: ${detail ?? 'no detail'}`);
  }
}

type SchemaNode = Record<string, unknown>;

const isNode = (value: unknown): value is SchemaNode =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/** The subschemas of a schema node: only these are schemas (a property may well be named `type`). */
function subschemas(node: SchemaNode): unknown[] {
  const named = (value: unknown) => (isNode(value) ? Object.values(value) : []);
  const listed = (value: unknown) => (Array.isArray(value) ? value : []);
  return [
    ...named(node.properties),
    ...named(node.$defs),
    ...named(node.definitions),
    node.items,
    node.additionalProperties,
    node.not,
    ...listed(node.anyOf),
    ...listed(node.oneOf),
    ...listed(node.allOf),
  ];
}

/**
 * Says a schema, in place, in the keywords every common model API takes (test/server/schema-keywords.test.ts
 * lists the subsets and their sources). Gemini rejects a whole request over two that zod writes: a record's
 * `propertyNames` (a plain string one says nothing, JSON keys are strings) and a list of types (zod's form of a
 * union of primitives), which `anyOf` says the same way. Done on the finished schema: zod folds such an `anyOf`
 * into a type list after its `override` hook has run.
 */
function inCommonKeywords(node: SchemaNode): void {
  const keys = node.propertyNames;
  if (isNode(keys) && Object.keys(keys).length === 1 && keys.type === 'string') delete node.propertyNames;
  if (Array.isArray(node.type)) {
    node.anyOf = node.type.map((type) => ({ type }));
    delete node.type;
  }
  for (const sub of subschemas(node)) if (isNode(sub)) inCommonKeywords(sub);
}

/**
 * JSON Schema as zod writes it (draft-07, the dialect the most clients and model APIs accept) in the keywords
 * model APIs take, less the `$schema` line it repeats in every schema: without it, validators and 2026-07-28
 * clients read the schema as 2020-12, which draft-07's keywords used here mean the same in.
 */
export function jsonSchemaOf(schema: z.ZodObject, io: 'input' | 'output') {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { target: 'draft-7', io }) as SchemaNode;
  inCommonKeywords(rest);
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
