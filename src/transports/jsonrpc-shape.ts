import {
  type JSONRPCErrorResponse,
  type JSONRPCMessage,
  type StandardSchemaV1,
  specTypeSchemas,
} from '@modelcontextprotocol/server';

/**
 * The protocol versions whose wire carries JSON-RPC batches: MCP added batches in 2025-03-26 and removed them
 * in 2025-06-18 (2024-11-05 never had them; the 2026-07-28 era is one request per exchange).
 */
const BATCH_VERSIONS: ReadonlySet<string> = new Set(['2025-03-26']);

export const batchesAllowed = (version: string | undefined): boolean =>
  version !== undefined && BATCH_VERSIONS.has(version);

const PARSE_ERROR = -32700;
const INVALID_REQUEST = -32600;
const INVALID_PARAMS = -32602;

export function errorResponse(id: string | number | null, code: number, message: string): JSONRPCErrorResponse {
  // The SDK's type has no `id: null`, which JSON-RPC prescribes when the id cannot be read.
  return { jsonrpc: '2.0', id, error: { code, message } } as JSONRPCErrorResponse;
}

type Issue = StandardSchemaV1.Issue;

const pathOf = (issue: Issue) =>
  (issue.path ?? []).map((step) => String(typeof step === 'object' ? step.key : step)).join('.') || '(message)';

/** "params.protocolVersion: Invalid input: expected string, received undefined; ...": the field, then the rule. */
export function describeIssues(issues: readonly Issue[]): string {
  return issues.map((issue) => `${pathOf(issue)}: ${issue.message}`).join('; ');
}

/** The id a client can match an answer to: JSON-RPC says null when it cannot be read. */
function readableId(value: unknown): string | number | null {
  if (typeof value !== 'object' || value === null || !('id' in value)) return null;
  const { id } = value as { id: unknown };
  return typeof id === 'string' || typeof id === 'number' ? id : null;
}

/** One JSON value off the wire, as the SDK's message schema judges it. */
export function checkMessage(
  value: unknown,
): { ok: true; message: JSONRPCMessage } | { ok: false; error: JSONRPCErrorResponse } {
  const verdict = specTypeSchemas.JSONRPCMessage['~standard'].validate(value);
  if (!(verdict instanceof Promise) && verdict.issues === undefined)
    return { ok: true, message: value as JSONRPCMessage };
  return {
    ok: false,
    error: errorResponse(
      readableId(value),
      INVALID_REQUEST,
      'Invalid Request: not a JSON-RPC 2.0 request, notification or response',
    ),
  };
}

/** What one line or body holds, and the answer owed when the SDK must not see it. */
export type Framed =
  | { kind: 'message'; message: JSONRPCMessage }
  | { kind: 'batch'; elements: unknown[] }
  | { kind: 'refused'; error: JSONRPCErrorResponse };

/**
 * Judges one JSON-RPC frame against the JSON-RPC 2.0 rules and the negotiated MCP version: unparsable text is
 * -32700; an empty batch, a batch where the version has none, or a value that is no JSON-RPC message is -32600.
 * `text` undefined means the caller already parsed the frame into `value`.
 */
export function frame(text: string | undefined, value: unknown, version: string | undefined): Framed {
  let parsed = value;
  if (text !== undefined) {
    try {
      parsed = JSON.parse(text);
    } catch {
      return { kind: 'refused', error: errorResponse(null, PARSE_ERROR, 'Parse error: the line is not JSON') };
    }
  }
  if (Array.isArray(parsed)) {
    if (parsed.length === 0) {
      return { kind: 'refused', error: errorResponse(null, INVALID_REQUEST, 'Invalid Request: empty JSON-RPC batch') };
    }
    if (!batchesAllowed(version)) {
      return {
        kind: 'refused',
        error: errorResponse(
          null,
          INVALID_REQUEST,
          `Invalid Request: JSON-RPC batches are not part of MCP ${version ?? 'before initialize'}; only ${[...BATCH_VERSIONS].join(', ')} has them`,
        ),
      };
    }
    return { kind: 'batch', elements: parsed };
  }
  const checked = checkMessage(parsed);
  return checked.ok ? { kind: 'message', message: checked.message } : { kind: 'refused', error: checked.error };
}

/**
 * An `initialize` whose params break the spec's schema, answered as invalid params naming each field; undefined
 * when the value is no initialize or a valid one.
 */
export function invalidInitialize(value: unknown): JSONRPCErrorResponse | undefined {
  if (typeof value !== 'object' || value === null || (value as { method?: unknown }).method !== 'initialize') return;
  const verdict = specTypeSchemas.InitializeRequest['~standard'].validate(value);
  if (verdict instanceof Promise || verdict.issues === undefined) return;
  return errorResponse(readableId(value), INVALID_PARAMS, `Invalid params: ${describeIssues(verdict.issues)}`);
}
