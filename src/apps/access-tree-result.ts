import type { CallToolResult } from '@modelcontextprotocol/server';
import type { AccessTree } from '../contract/tool.js';
import { sanitizeUntrustedDeep } from '../guards/untrusted.js';

/** The result `_meta` key that carries a user's access tree to the view. */
export const ACCESS_TREE_META_KEY = 'visier-admin-mcp/access-tree';

/** A read tool's result with the tree the view draws beside it; its names pass the sanitiser like all directory text. */
export function withAccessTree(result: CallToolResult, tree: AccessTree): CallToolResult {
  return { ...result, _meta: { ...result._meta, [ACCESS_TREE_META_KEY]: sanitizeUntrustedDeep(tree) } };
}
