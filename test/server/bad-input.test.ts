import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, mutations, startHarness, textOf } from './harness.js';

// Random malformed arguments to every tool: each is refused naming the field at fault, nothing reaches
// Visier that could change it, and the server keeps answering.

interface FieldSchema {
  type?: string;
  enum?: unknown[];
}

let h: Harness;
let tools: { name: string; properties: Record<string, FieldSchema> }[];
beforeAll(async () => {
  h = await startHarness({ users: 20 });
  tools = (await h.client.listTools()).tools.map((t) => ({
    name: t.name,
    properties: (t.inputSchema.properties ?? {}) as Record<string, FieldSchema>,
  }));
});
afterAll(() => h.close());

/** A value the field's schema certainly rejects. */
function wrongValueFor(schema: FieldSchema): fc.Arbitrary<unknown> {
  const junk = fc.oneof(fc.constant(null), fc.dictionary(fc.string(), fc.integer(), { maxKeys: 2 }));
  switch (schema.type) {
    case 'string':
      return schema.enum
        ? fc.oneof(
            fc.string().filter((s) => !schema.enum!.includes(s)),
            fc.integer(),
            junk,
          )
        : fc.oneof(fc.integer(), fc.boolean(), fc.array(fc.string(), { maxLength: 2 }), junk);
    case 'integer':
    case 'number':
      // A string that spells a number is taken as one (README, "Arguments clients stringify").
      return fc.oneof(
        fc.string().filter((s) => !/^-?\d+(\.\d+)?$/.test(s)),
        fc.boolean(),
        fc.double({ min: 0.1, max: 0.9 }),
        fc.integer({ max: -1 }),
        junk,
      );
    case 'boolean':
      return fc.oneof(
        fc.string().filter((s) => s !== 'true' && s !== 'false'),
        fc.integer(),
        junk,
      );
    case 'array':
      return fc.oneof(fc.string(), fc.integer(), fc.constant([]), junk);
    default:
      return junk;
  }
}

const IDENT = /^[a-zA-Z_][a-zA-Z0-9_]{0,20}$/;

describe('bad input', () => {
  it('every tool refuses malformed arguments, naming the field, and changes nothing', async () => {
    const before = h.sandbox.snapshot();
    h.sandbox.clearRequests();
    const badCall = fc.integer({ min: 0, max: tools.length - 1 }).chain((i) => {
      const tool = tools[i]!;
      const fields = Object.keys(tool.properties);
      const wrongField = fc
        .constantFrom(...fields)
        .chain((field) => wrongValueFor(tool.properties[field]!).map((value) => ({ field, value })));
      const unknownField = fc
        .string({ minLength: 1, maxLength: 20 })
        .filter((k) => IDENT.test(k) && !fields.includes(k) && !(k in Object.prototype))
        .chain((field) => fc.anything().map((value) => ({ field, value })));
      return fc.oneof(wrongField, unknownField).map((bad) => ({ tool: tool.name, ...bad }));
    });
    await fc.assert(
      fc.asyncProperty(badCall, async ({ tool, field, value }) => {
        const result = await h.call(tool, { [field]: value });
        expect(result.isError, `${tool} ${field}=${JSON.stringify(value)}`).toBe(true);
        expect(textOf(result)).toContain(field);
      }),
      { numRuns: 150 },
    );
    expect(mutations(h.sandbox)).toEqual([]);
    expect(h.sandbox.snapshot()).toEqual(before);
    const good = await h.call('list_permissions', { limit: 1 });
    expect(good.isError).toBeFalsy();
    expect((good.structuredContent as { returned: number }).returned).toBe(1);
  });
});
