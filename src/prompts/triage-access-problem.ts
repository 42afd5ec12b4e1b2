import type { McpServer } from '@modelcontextprotocol/server';
import { z } from 'zod';
import { explainUserAccess } from '../tools/visier/explain.js';
import { listPermissions } from '../tools/visier/permissions.js';
import { getReport } from '../tools/visier/reports.js';
import { promptMessage, quotedArgument } from './prompt-text.js';

/** "Why can't this person see that?", answered with one explain call per candidate permission, then fixed. */
export function registerTriageAccessProblemPrompt(server: McpServer): void {
  server.registerPrompt(
    'triage_access_problem',
    {
      title: 'Triage an access problem',
      description: "Works out why a user can't see or do something in Visier, and fixes it with approval.",
      argsSchema: z.object({
        user: z.string().max(256).describe('Name, username, email or userId of the person'),
        thing: z.string().max(512).describe('What they cannot see or do'),
      }),
    },
    ({ user, thing }) =>
      promptMessage(
        `Find out why this Visier user cannot access something, then fix it if the person agrees. User: ${quotedArgument(user)}. Cannot: ${quotedArgument(thing)}.`,
        [
          `${listPermissions.name} with search for the permissions that plausibly grant the thing; ask if it is unclear which.`,
          `${explainUserAccess.name} with userId set to the user as given (a userId, username, email or name) and permission set to the candidate's id. If it lists several users, ask which one is meant; never pick one.`,
          `If it answers yes, the permission is not the cause: call ${explainUserAccess.name} without permission to check that the account is enabled and its profiles are valid, and ${getReport.name} data-security for the userId.`,
          "If it answers no, show the person the plan's steps and why each is there. Only with their agreement, call each step's tool with its arguments exactly as given; every change is previewed and confirmed.",
          `Call ${explainUserAccess.name} again with the same permission: the answer should now be yes.`,
        ],
      ),
  );
}
