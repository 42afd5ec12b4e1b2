import type { AnyToolDefinition } from '../../contract/tool.js';
import { BULK_TOOLS } from './bulk.js';
import { MEMBERSHIP_TOOLS } from './membership.js';
import { USER_GROUP_TOOLS } from './user-groups.js';
import { USER_TOOLS } from './users.js';

/** The whole catalogue, in the order tools/list shows it. */
export const TOOLS: AnyToolDefinition[] = [...USER_TOOLS, ...USER_GROUP_TOOLS, ...MEMBERSHIP_TOOLS, ...BULK_TOOLS];
