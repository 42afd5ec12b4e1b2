// The sandbox stands where Visier stands: if it imported the client's schemas or types, a mistake in them
// would pass on both sides. This keeps src/sandbox free of imports from the rest of src/.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SANDBOX_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../src/sandbox');
const ALLOWED_PACKAGES = new Set(['exceljs', 'zod']);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sourceFiles(join(dir, entry.name))
      : entry.name.endsWith('.ts')
        ? [join(dir, entry.name)]
        : [],
  );
}

describe('src/sandbox import boundary', () => {
  it('imports only node built-ins, exceljs, zod and its own files', () => {
    const offending: string[] = [];
    for (const file of sourceFiles(SANDBOX_DIR)) {
      for (const match of readFileSync(file, 'utf8').matchAll(/^(?:import|export)[^'"]*from\s+['"]([^'"]+)['"]/gm)) {
        const specifier = match[1] as string;
        const name = relative(SANDBOX_DIR, file);
        if (specifier.startsWith('node:') || ALLOWED_PACKAGES.has(specifier)) continue;
        if (specifier.startsWith('.')) {
          const target = resolve(dirname(file), specifier);
          if (!target.startsWith(SANDBOX_DIR)) offending.push(`${name} -> ${specifier}`);
          continue;
        }
        offending.push(`${name} -> ${specifier}`);
      }
    }
    expect(offending).toEqual([]);
    expect(sourceFiles(SANDBOX_DIR).length).toBeGreaterThan(10);
  });
});
