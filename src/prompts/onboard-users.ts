import type { McpServer } from '@modelcontextprotocol/server';
import { z } from 'zod';
import { bulkCreateUsers } from '../tools/visier/bulk.js';
import { compareUserAccess } from '../tools/visier/compare.js';
import { explainUserAccess } from '../tools/visier/explain.js';
import { createUser } from '../tools/visier/users.js';
import { listArgument, promptMessage, quotedArgument } from './prompt-text.js';

/** New people given the access of someone who already has the right access, one compare plan each. */
export function registerOnboardUsersPrompt(server: McpServer): void {
  server.registerPrompt(
    'onboard_users',
    {
      title: 'Onboard users',
      description: 'Gives a list of people the access of a model user, with approval for each change.',
      argsSchema: z.object({
        users: z.string().max(8192).describe('The people: usernames, emails or names, one per line or comma-separated'),
        modelUser: z.string().max(256).describe('Name, username, email or userId of the person whose access to copy'),
      }),
    },
    ({ users, modelUser }) =>
      promptMessage(
        `Give these Visier users the access of a model user. Users: ${JSON.stringify(listArgument(users))}. Model user: ${quotedArgument(modelUser)}.`,
        [
          `${explainUserAccess.name} with userId set to the model user, to see who it is and what it holds; if several users match, ask which one.`,
          `For each person, ${explainUserAccess.name} with userId set to them. Anyone it does not find is new: after the person confirms their usernames and names, create them with ${createUser.name} (${bulkCreateUsers.name} for several).`,
          `For each person, ${compareUserAccess.name} with userId set to them and modelUserId to the model user. Show the plan; with agreement, call each step's tool with its arguments exactly as given (each change is previewed and confirmed). Tell the person about every difference listed as unplanned.`,
          `${compareUserAccess.name} again for each person: differences should be 0, apart from the unplanned ones.`,
        ],
      ),
  );
}
