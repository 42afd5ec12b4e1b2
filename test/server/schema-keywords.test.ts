import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './harness.js';

// Clients hand tools/list schemas to a model API as they are; one keyword the API does not take fails the whole
// request, every tool with it. The keywords each API takes in a schema object, from its documentation:
const SUBSETS: Record<string, { source: string; keywords: string[] }> = {
  // The Schema object of function declarations (an OpenAPI 3.0 subset); `type` is one string, never a list.
  // additionalProperties: taken in FunctionDeclaration.parametersJsonSchema, where MCP clients put tool schemas.
  gemini: {
    source: 'https://ai.google.dev/api/caching#Schema and #FunctionDeclaration (parametersJsonSchema)',
    keywords: [
      'type',
      'format',
      'title',
      'description',
      'nullable',
      'enum',
      'maxItems',
      'minItems',
      'properties',
      'required',
      'minProperties',
      'maxProperties',
      'minLength',
      'maxLength',
      'pattern',
      'example',
      'anyOf',
      'propertyOrdering',
      'default',
      'items',
      'minimum',
      'maximum',
      'additionalProperties',
    ],
  },
  // Supported schemas of Structured Outputs. minLength and maxLength are listed as unsupported only for
  // fine-tuned models. (Strict mode's structural rules, every property required, are not keywords: not checked.)
  openai: {
    source: 'https://platform.openai.com/docs/guides/structured-outputs#supported-schemas',
    keywords: [
      'type',
      'description',
      'title',
      'properties',
      'required',
      'additionalProperties',
      'items',
      'enum',
      'const',
      'anyOf',
      '$ref',
      '$defs',
      'pattern',
      'format',
      'multipleOf',
      'minimum',
      'maximum',
      'exclusiveMinimum',
      'exclusiveMaximum',
      'minItems',
      'maxItems',
      'minLength',
      'maxLength',
    ],
  },
  // Tool use: input_schema is a JSON Schema object of type object ("input_schema does not support oneOf, allOf,
  // or anyOf at the top level"); strict tool use's extra limits are opt-in and not checked here.
  anthropic: {
    source: 'https://docs.anthropic.com/en/docs/agents-and-tools/tool-use/implement-tool-use',
    keywords: [
      'type',
      'description',
      'title',
      'properties',
      'required',
      'additionalProperties',
      'items',
      'enum',
      'const',
      'anyOf',
      'allOf',
      'oneOf',
      '$ref',
      '$defs',
      'definitions',
      'default',
      'format',
      'pattern',
      'minimum',
      'maximum',
      'exclusiveMinimum',
      'exclusiveMaximum',
      'multipleOf',
      'minItems',
      'maxItems',
      'minLength',
      'maxLength',
      'uniqueItems',
      'minProperties',
      'maxProperties',
    ],
  },
};

/** Every schema object inside `schema`, with where it is, and the keywords it uses. */
function nodes(schema: unknown, at: string, out: { at: string; node: Record<string, unknown> }[] = []) {
  if (schema === null || typeof schema !== 'object' || Array.isArray(schema)) return out;
  const node = schema as Record<string, unknown>;
  out.push({ at, node });
  for (const [name, sub] of Object.entries((node.properties as Record<string, unknown>) ?? {})) {
    nodes(sub, `${at}.${name}`, out);
  }
  for (const [name, sub] of Object.entries((node.$defs as Record<string, unknown>) ?? {}))
    nodes(sub, `${at}.$defs.${name}`, out);
  nodes(node.items, `${at}[]`, out);
  nodes(node.additionalProperties, `${at}{}`, out);
  for (const key of ['anyOf', 'oneOf', 'allOf'] as const) {
    for (const [i, sub] of ((node[key] as unknown[]) ?? []).entries()) nodes(sub, `${at}.${key}${i}`, out);
  }
  return out;
}

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ users: 5 });
});
afterAll(() => h.close());

describe('tools/list schemas use only keywords every common model API takes', () => {
  it('every input and output schema, every node, against Gemini, OpenAI and Anthropic', async () => {
    const { tools } = await h.client.listTools();
    const offences: string[] = [];
    for (const tool of tools) {
      for (const [which, schema] of [
        ['input', tool.inputSchema],
        ['output', tool.outputSchema],
      ] as const) {
        const root = schema as Record<string, unknown>;
        if (root.type !== 'object' || ['anyOf', 'oneOf', 'allOf'].some((k) => k in root)) {
          offences.push(`${tool.name} ${which}: root is not a plain object schema`);
        }
        for (const { at, node } of nodes(schema, `${tool.name}:${which}`)) {
          if ('type' in node && typeof node.type !== 'string') offences.push(`${at}: type is not one string (gemini)`);
          for (const keyword of Object.keys(node)) {
            for (const [api, subset] of Object.entries(SUBSETS)) {
              if (!subset.keywords.includes(keyword)) offences.push(`${at}: ${keyword} (${api})`);
            }
          }
        }
      }
    }
    expect(tools.length).toBeGreaterThan(10);
    expect(offences).toEqual([]);
  });
});
