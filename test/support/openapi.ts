// Visier's published OpenAPI 3.0.3 spec as a validator: response bodies the sandbox sends and request
// bodies the client sends are checked against the schema the spec names for that path, method and status.
// Components become one ajv document so `#/components/schemas/X` references resolve; `nullable` becomes a
// union with null; unknown fields stay allowed, as Visier tells clients to expect them.
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';
import { parse } from 'yaml';
import { specVerdict } from './spec-presence.js';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const SPEC_DIR = resolve(REPO_ROOT, '../shared/reference/visier-openapi');
export const SPEC_FILES = [
  resolve(SPEC_DIR, 'administration-apis.yaml'),
  resolve(SPEC_DIR, 'authentication-apis.yaml'),
];

type Json = Record<string, unknown>;

interface Operation {
  path: string;
  method: string;
  pattern: RegExp;
  /** Names of the header parameters the operation declares (`TargetTenantID`, `ProjectID`, ...). */
  headers: string[];
  requestSchema?: Json;
  responses: Record<string, { contentType: string; schema?: Json }>;
}

export interface LoadedSpec {
  operations: Operation[];
  ajv: Ajv;
  cache: Map<string, ValidateFunction>;
}

const DOC_ID = 'visier-openapi';

/** OpenAPI 3.0 schema -> JSON Schema: local refs point into the registered document; nullable -> null type. */
function convert(node: unknown, names = false): unknown {
  if (Array.isArray(node)) return node.map((item) => convert(item));
  if (typeof node !== 'object' || node === null) return node;
  const out: Json = {};
  for (const [key, value] of Object.entries(node as Json)) {
    // Under `properties` (and the schema map) keys are names, not keywords, so nothing is dropped there.
    if (names) out[key] = convert(value);
    else if (key === '$ref' && typeof value === 'string' && value.startsWith('#/')) out.$ref = `${DOC_ID}${value}`;
    else if (key === 'nullable' || key === 'example' || key === 'xml') continue;
    else out[key] = convert(value, key === 'properties');
  }
  if ((node as Json).nullable === true) {
    const { $ref: ref, ...rest } = out;
    return ref !== undefined ? { anyOf: [{ $ref: ref }, { type: 'null' }] } : { anyOf: [rest, { type: 'null' }] };
  }
  return out;
}

function contentOf(content: unknown): { contentType: string; schema?: Json } | undefined {
  const entries = Object.entries((content ?? {}) as Record<string, { schema?: Json }>);
  const [contentType, media] = entries.find(([type]) => type.includes('json')) ?? entries[0] ?? [];
  if (!contentType) return undefined;
  return { contentType, ...(media?.schema ? { schema: convert(media.schema) as Json } : {}) };
}

let loaded: LoadedSpec | undefined;

/** Where the spec is expected, as messages show it: relative to the repository, so no machine path appears. */
export const SPEC_WHERE = `${relative(REPO_ROOT, SPEC_DIR)} (relative to the repository root)`;

/**
 * The spec for a contract test file, or undefined after a notice when the file should skip. Throws, failing the
 * file, when the spec is missing under CI. `env` and `exists` default to the process's.
 */
export function requireSpec(
  env: Readonly<Record<string, string | undefined>> = process.env,
  exists: (file: string) => boolean = existsSync,
): LoadedSpec | undefined {
  const missing = SPEC_FILES.filter((file) => !exists(file)).map((file) => basename(file));
  const verdict = specVerdict(env, missing, SPEC_WHERE);
  if (verdict.kind === 'fail') throw new Error(verdict.reason);
  if (verdict.kind === 'skip') {
    console.warn(verdict.reason);
    return undefined;
  }
  return loadSpec();
}

/** Undefined when the reference spec is not checked out next to the repository. */
export function loadSpec(): LoadedSpec | undefined {
  if (loaded) return loaded;
  if (!SPEC_FILES.every((file) => existsSync(file))) return undefined;
  // strict: false tolerates OpenAPI-only keywords and formats such as `format: enum` or `uint32`.
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
  const schemas: Json = {};
  const operations: Operation[] = [];
  for (const file of SPEC_FILES) {
    const doc = parse(readFileSync(file, 'utf8')) as { paths: Json; components?: { schemas?: Json } };
    Object.assign(schemas, doc.components?.schemas ?? {});
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(item as Json)) {
        if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
        const operation = op as {
          parameters?: { name?: string; in?: string }[];
          requestBody?: { content?: unknown };
          responses?: Record<string, { content?: unknown }>;
        };
        const responses: Operation['responses'] = {};
        for (const [status, response] of Object.entries(operation.responses ?? {})) {
          responses[status] = contentOf(response.content) ?? { contentType: '' };
        }
        const request = contentOf(operation.requestBody?.content);
        operations.push({
          path,
          method: method.toUpperCase(),
          pattern: new RegExp(`^${path.replace(/\{[^}]+\}/g, '[^/]+')}$`),
          headers: (operation.parameters ?? []).flatMap((p) => (p.in === 'header' && p.name ? [p.name] : [])),
          ...(request?.schema ? { requestSchema: request.schema } : {}),
          responses,
        });
      }
    }
  }
  ajv.addSchema({ $id: DOC_ID, components: { schemas: convert(schemas, true) } });
  // Literal paths first, so /v1/admin/users/reports/x is not taken for /v1/admin/users/{userId}/...
  operations.sort((a, b) => a.path.split('{').length - b.path.split('{').length);
  loaded = { operations, ajv, cache: new Map() };
  return loaded;
}

/** The spec operation for a concrete path (`/v1/admin/users/abc`) or a template (`/v1/admin/users/{userId}`). */
export function findOperation(method: string, path: string): Operation | undefined {
  const spec = loadSpec();
  const upper = method.toUpperCase();
  return spec?.operations.find((op) => op.method === upper && (op.path === path || op.pattern.test(path)));
}

function check(key: string, schema: Json, body: unknown): string[] {
  const spec = loadSpec() as LoadedSpec;
  let validate = spec.cache.get(key);
  if (!validate) {
    validate = spec.ajv.compile(schema);
    spec.cache.set(key, validate);
  }
  if (validate(body)) return [];
  return (validate.errors ?? []).map((error) => `${error.instancePath || '(body)'} ${error.message ?? 'is invalid'}`);
}

/**
 * Errors in `body` against the response schema for this status (falling back to `default`, Visier's
 * Status error). An empty list means valid; an undocumented status is itself reported.
 */
export function validateResponse(method: string, path: string, status: number, body: unknown): string[] {
  const op = findOperation(method, path);
  if (!op) return [`no operation ${method} ${path} in the spec`];
  const response = op.responses[String(status)] ?? (status >= 400 ? op.responses.default : undefined);
  if (!response) return [`status ${status} is not documented for ${op.method} ${op.path}`];
  if (!response.schema) return [];
  return check(`res ${op.method} ${op.path} ${status}`, response.schema, body);
}

/** Errors in a request body against the spec's request schema; a body where none is documented is an error. */
export function validateRequestBody(method: string, path: string, body: unknown): string[] {
  const op = findOperation(method, path);
  if (!op) return [`no operation ${method} ${path} in the spec`];
  if (!op.requestSchema) return body === undefined ? [] : [`${op.method} ${op.path} takes no JSON body`];
  return check(`req ${op.method} ${op.path}`, op.requestSchema, body);
}
