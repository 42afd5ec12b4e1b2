import type { McpServer } from '@modelcontextprotocol/server';
import { z } from 'zod';
import { listPermissions } from '../tools/visier/permissions.js';
import { reviewAccess } from '../tools/visier/review.js';
import { listUserGroups } from '../tools/visier/user-groups.js';
import { promptMessage, quotedArgument } from './prompt-text.js';

/** An auditor's review of a tenant, a group or a permission: findings first, changes only with approval. */
export function registerAccessReviewPrompt(server: McpServer): void {
  server.registerPrompt(
    'access_review',
    {
      title: 'Access review',
      description: 'Reviews who holds what in the tenant, a user group or a permission, and reports the findings.',
      argsSchema: z.object({
        scope: z
          .string()
          .max(256)
          .optional()
          .describe('A user group or permission (name or id); the whole tenant when omitted'),
      }),
    },
    ({ scope }) =>
      promptMessage(
        `Review who holds what in Visier and report the findings. Scope: ${scope === undefined || scope.trim() === '' ? 'the whole tenant' : quotedArgument(scope)}.`,
        [
          `If the scope names a user group or a permission, find its id with ${listUserGroups.name} or ${listPermissions.name}; ask if several match.`,
          `${reviewAccess.name} with that userGroupId or permissionId (neither for the tenant). The first page counts the findings for the whole scope; follow nextCursor for the rest.`,
          'Report the counts, then each finding with the people or groups it names and what would address it: disabled or inactive accounts holding permissions, privileged permissions granted directly rather than through a group, groups with no members, users in no group.',
          'Propose changes; make none unless the person asks, and then each is previewed and confirmed.',
        ],
      ),
  );
}
