import type { AnyToolDefinition } from '../../contract/tool.js';
import { BULK_TOOLS } from './bulk.js';
import { TEAM_TOOLS } from './teams.js';
import { USER_TOOLS } from './users.js';

/** The whole catalogue, in the order tools/list shows it. */
export const TOOLS: AnyToolDefinition[] = [...USER_TOOLS, ...TEAM_TOOLS, ...BULK_TOOLS];
