// Every provider's catalogue as a client sees it in each mode: read-only lists the read tools, user-writes adds
// the write tools, full lists everything; annotations follow the class; names and descriptions stay short.
import { describe, expect, it } from 'vitest';
import type { Classification } from '../../../src/contract/tool.js';
import { annotationsFor } from '../../../src/tools/shared/annotations.js';
import { PROVIDER_CASES } from '../../support/cases/index.js';
import { catalogueOf, withProviderStack } from '../../support/provider-stack.js';

/** Every word of a description costs the model context on every turn. */
const DESCRIPTION_MAX = 120;

const MODES: [string, Classification[]][] = [
  ['read-only', ['read']],
  ['user-writes', ['read', 'write']],
  ['full', ['read', 'write', 'access', 'destructive']],
];

describe.each(PROVIDER_CASES)('catalogue: $id', (providerCase) => {
  const catalogue = catalogueOf(providerCase);

  it('has tools of every class, so each mode below lists something different', () => {
    expect(new Set(catalogue.map((t) => t.classification))).toEqual(
      new Set<Classification>(['read', 'write', 'access', 'destructive']),
    );
  });

  it.each(MODES)('mode %s lists exactly the tools of its classes', async (mode, classes) => {
    await withProviderStack(providerCase, { flags: ['--mode', mode] }, async (stack) => {
      const listed = (await stack.listTools()).map((t) => t.name).sort();
      const expected = catalogue
        .filter((t) => classes.includes(t.classification))
        .map((t) => t.name)
        .sort();
      expect(listed).toEqual(expected);
      expect(listed.length).toBeGreaterThan(0);
    });
  });

  it('annotations follow the class; names are snake_case; descriptions are short and every field described', async () => {
    await withProviderStack(providerCase, {}, async (stack) => {
      const tools = await stack.listTools();
      const classOf = new Map(catalogue.map((t) => [t.name, t.classification]));
      for (const tool of tools) {
        const classification = classOf.get(tool.name);
        expect(classification, tool.name).toBeDefined();
        expect(tool.annotations, tool.name).toEqual(annotationsFor(classification as Classification));
        expect(tool.name).toMatch(/^[a-z][a-z0-9]*(_[a-z0-9]+)+$/);
        expect(tool.description?.length ?? 0, tool.name).toBeGreaterThan(0);
        expect(tool.description?.length ?? Number.POSITIVE_INFINITY, tool.name).toBeLessThanOrEqual(DESCRIPTION_MAX);
        expect(tool.inputSchema.additionalProperties, tool.name).toBe(false);
        for (const [field, schema] of Object.entries(tool.inputSchema.properties ?? {})) {
          expect((schema as { description?: string }).description, `${tool.name}.${field}`).toBeTruthy();
        }
        expect('confirmationToken' in (tool.inputSchema.properties ?? {}), tool.name).toBe(classification !== 'read');
        expect(tool.outputSchema?.type, tool.name).toBe('object');
      }
    });
  });
});
