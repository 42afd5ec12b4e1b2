import { ProtocolError, ProtocolErrorCode } from '@modelcontextprotocol/server';

// resources/list walks several collections in turn; its opaque cursor says which one and where.

export type Section = 'users' | 'user-groups';

export interface ListPosition {
  section: Section;
  start: number;
}

export function encodeListCursor(position: ListPosition): string {
  return Buffer.from(JSON.stringify({ k: position.section, s: position.start }), 'utf8').toString('base64url');
}

/** Undefined for the first page; -32602 for anything this server did not issue (as the spec asks). */
export function decodeListCursor(cursor: string | undefined): ListPosition | undefined {
  if (cursor === undefined) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { k?: unknown; s?: unknown };
    if (
      (parsed.k === 'users' || parsed.k === 'user-groups') &&
      Number.isSafeInteger(parsed.s) &&
      (parsed.s as number) >= 0
    ) {
      return { section: parsed.k, start: parsed.s as number };
    }
  } catch {
    // malformed base64 or JSON: reported below like any other foreign cursor
  }
  throw new ProtocolError(ProtocolErrorCode.InvalidParams, 'Invalid cursor: omit it to start from the first page');
}
