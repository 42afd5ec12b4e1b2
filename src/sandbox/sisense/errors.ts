// The sandbox's error answer. Sisense's own error body was not readable in the archived docs (UNVERIFIED):
// this one takes the `{"error": {"message"}}` form Sisense's other product uses, adds a code, and carries a
// request id in the body and the `X-Request-Id` header so a client can show which request failed.
import { randomUUID } from 'node:crypto';

export interface SisenseErrorBody {
  error: { message: string; code: string };
  request_id: string;
}

export class SisenseStatusError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export function errorBody(code: string, message: string, requestId: string): SisenseErrorBody {
  return { error: { message, code }, request_id: requestId };
}

export function newRequestId(): string {
  return randomUUID();
}

export const invalid = (message: string) => new SisenseStatusError(400, 'invalid_request', message);
export const notFound = (message: string) => new SisenseStatusError(404, 'not_found', message);
export const conflict = (message: string) => new SisenseStatusError(409, 'conflict', message);
