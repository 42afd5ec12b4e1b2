import type { AnyToolDefinition } from '../../contract/tool.js';
import { ACCESS_TOOLS } from './access.js';
import { BULK_TOOLS } from './bulk.js';
import { JOURNAL_TOOLS } from './changes.js';
import { compareUserAccess } from './compare.js';
import { explainUserAccess } from './explain.js';
import { DIRECTORY_SEARCH_TOOLS } from './find-users.js';
import { PERMISSION_TOOLS } from './permissions.js';
import { PROFILE_TOOLS } from './profiles.js';
import { PROJECT_TOOLS } from './projects.js';
import { REPORT_TOOLS } from './reports.js';
import { reviewAccess } from './review.js';
import { undoChange } from './undo.js';
import { USER_GROUP_TOOLS } from './user-groups.js';
import { USER_TOOLS } from './users.js';

/** The whole catalogue, in the order tools/list shows it. */
export const TOOLS: AnyToolDefinition[] = [
  ...USER_TOOLS,
  ...DIRECTORY_SEARCH_TOOLS,
  ...PERMISSION_TOOLS,
  ...USER_GROUP_TOOLS,
  ...REPORT_TOOLS,
  ...BULK_TOOLS,
  ...ACCESS_TOOLS,
  explainUserAccess,
  compareUserAccess,
  reviewAccess,
  ...PROFILE_TOOLS,
  ...PROJECT_TOOLS,
  ...JOURNAL_TOOLS,
  undoChange,
];
