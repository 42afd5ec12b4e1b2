import { ToolArgumentError } from './errors.js';

/**
 * List cursors are opaque to the model: base64url of a small JSON object holding the offset to resume at,
 * so clients cannot come to depend on their shape.
 */
export function encodeCursor(start: number): string {
  return Buffer.from(JSON.stringify({ s: start }), 'utf8').toString('base64url');
}

/** Offset to resume at; 0 when no cursor was given. Throws ToolArgumentError for anything else. */
export function decodeCursor(cursor: string | undefined): number {
  if (cursor === undefined) return 0;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (typeof parsed === 'object' && parsed !== null && 's' in parsed) {
      const start = (parsed as { s: unknown }).s;
      if (typeof start === 'number' && Number.isSafeInteger(start) && start >= 0) return start;
    }
  } catch {
    // falls through to the error below: malformed base64 or JSON is as invalid as a wrong shape
  }
  throw new ToolArgumentError('cursor', 'not a cursor this server issued; omit it to start from the first page');
}
