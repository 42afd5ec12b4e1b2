import type { McpServer } from '@modelcontextprotocol/server';
import { z } from 'zod';
import { removePermissionsFromUsers, removeUsersFromGroup } from '../tools/visier/access.js';
import { explainUserAccess } from '../tools/visier/explain.js';
import { deleteUser, updateUser } from '../tools/visier/users.js';
import { promptMessage, quotedArgument } from './prompt-text.js';

/** Someone leaving: their account closed and every grant by hand removed, each change approved. */
export function registerOffboardUserPrompt(server: McpServer): void {
  server.registerPrompt(
    'offboard_user',
    {
      title: 'Offboard a user',
      description: "Closes a leaver's Visier account and removes their access, with approval for each change.",
      argsSchema: z.object({
        user: z.string().max(256).describe('Name, username, email or userId of the person leaving'),
      }),
    },
    ({ user }) =>
      promptMessage(`Remove this Visier user's access: they are leaving. User: ${quotedArgument(user)}.`, [
        `${explainUserAccess.name} with userId set to the user as given; if several users match, ask which one. Note every permission and how it is held.`,
        `Ask the person whether to disable the account (${updateUser.name} with accountEnabled false, which keeps the user and its history) or delete it (${deleteUser.name}); prefer disabling unless told otherwise.`,
        `Remove what is held by hand: ${removeUsersFromGroup.name} for each group the user was added to by hand, and one ${removePermissionsFromUsers.name} call with every direct permission. Groups the user is in by an all-users rule or a dynamic filter cannot be left by a call: tell the person.`,
        `Unless the account was deleted, ${explainUserAccess.name} again: the account should be disabled and hold nothing by hand.`,
      ]),
  );
}
