import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { OPTIONS } from '../../src/config.js';
import { ROOT } from '../e2e/build.js';

// server.json describes the package to the official MCP Registry; it is checked against the registry's schema
// (vendored: see README.md here) and against the facts it restates from package.json, config.ts and the bundle.

interface EnvVar {
  name: string;
  isSecret?: boolean;
}
interface ServerJson {
  $schema: string;
  name: string;
  version: string;
  packages: { registryType: string; identifier: string; version: string; environmentVariables: EnvVar[] }[];
}

const read = <T>(path: string) => JSON.parse(readFileSync(`${ROOT}${path}`, 'utf8')) as T;
const schema = read<{ $id: string }>('test/package/server.schema.json');
const server = read<ServerJson>('server.json');
const pkg = read<{ name: string; version: string; mcpName: string }>('package.json');
const manifest = read<{ server: { mcp_config: { env: Record<string, string> } } }>('manifest.json');

const ajv = new Ajv({ allErrors: true, strict: false });
addFormats.default(ajv);
const validate = ajv.compile(schema);

describe('server.json (MCP Registry)', () => {
  it('is valid against the current registry schema it names', () => {
    expect(server.$schema).toBe(schema.$id);
    validate(server);
    expect(validate.errors ?? []).toEqual([]);
  });

  it('the schema can fail: a name without its namespace is refused', () => {
    expect(validate({ ...server, name: 'visier-admin-mcp' })).toBe(false);
  });

  it("agrees with package.json: mcpName, the npm package's name and version", () => {
    expect(server.name).toBe(pkg.mcpName);
    expect(server.name).toMatch(/^io\.github\.[^/]+\/visier-admin-mcp$/);
    expect(server.version).toBe(pkg.version);
    expect(server.packages).toHaveLength(1);
    expect(server.packages[0]).toMatchObject({ registryType: 'npm', identifier: pkg.name, version: pkg.version });
  });

  it('describes the variables config.ts reads that the bundle asks for, secrets marked secret', () => {
    const vars = server.packages[0]?.environmentVariables ?? [];
    const known = new Set<string>(Object.values(OPTIONS).flatMap((spec) => ('env' in spec ? [spec.env] : [])));
    expect(vars.map((v) => v.name).filter((name) => !known.has(name))).toEqual([]);
    expect(vars.map((v) => v.name).sort()).toEqual(Object.keys(manifest.server.mcp_config.env).sort());
    for (const v of vars) expect(v.isSecret ?? false, v.name).toBe(/KEY|PASSWORD|SECRET|TOKEN/.test(v.name));
  });
});
