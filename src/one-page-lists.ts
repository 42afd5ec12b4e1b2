import { ProtocolError, ProtocolErrorCode } from '@modelcontextprotocol/server';

/**
 * Lists this server answers in one page (tools/list, resources/list) issue no cursor, so a cursor sent back was
 * never this server's: -32602 Invalid params, as MCP's pagination section asks of an invalid cursor.
 */
export function refuseForeignCursor(params: { cursor?: unknown } | undefined): void {
  if (params?.cursor !== undefined) {
    throw new ProtocolError(ProtocolErrorCode.InvalidParams, 'Invalid cursor: this list has one page; omit it');
  }
}
