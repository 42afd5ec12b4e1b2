import type { McpServer } from '@modelcontextprotocol/server';
import { z } from 'zod';
import { sanitizeUntrusted } from '../guards/untrusted.js';

/**
 * A guided read-only investigation of "why can't this person see that". The arguments are often pasted from
 * directory text, so they reach the model sanitised like any directory string.
 */
export function registerDiagnoseAccessPrompt(server: McpServer): void {
  server.registerPrompt(
    'diagnose_access',
    {
      title: 'Diagnose access',
      description: "Works out why a user can't see or do something in Visier, using read-only tools.",
      argsSchema: z.object({
        user: z.string().max(256).describe('Name, username, email or userId of the person'),
        thing: z.string().max(512).describe('What they cannot see or do'),
      }),
    },
    ({ user, thing }) => ({
      messages: [
        {
          role: 'user',
          content: {
            type: 'text',
            text: [
              `Find out why this Visier user cannot access something. User: ${JSON.stringify(sanitizeUntrusted(user))}. Cannot: ${JSON.stringify(sanitizeUntrusted(thing))}.`,
              'Steps, read-only:',
              '1. list_users with search to find the userId (ask if several match).',
              '2. get_user for the permissions, user groups and profiles the user holds now.',
              '3. list_permissions with search for permissions that plausibly grant the thing.',
              '4. For each candidate, list_users_with_permission (includeUserGroups true) to see who holds it and how.',
              "5. get_user_group on the user's groups to see what they grant and how membership is decided.",
              '6. If needed, get_report data-security for the userId.',
              'Conclude with the likely cause and the smallest change that would fix it; do not make the change.',
            ].join('\n'),
          },
        },
      ],
    }),
  );
}
