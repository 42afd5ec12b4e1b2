import { z } from 'zod';

// Output shapes of Sisense's tools, declared once.

export const userOut = z.object({
  userId: z.string().describe('The e-mail, as user tools take it'),
  email: z.string(),
  firstName: z.string().optional(),
  lastName: z.string().optional(),
  groups: z.array(z.string()),
  id: z.string().optional(),
  invitedByEmail: z.string().optional(),
  createdAt: z.string().optional(),
});

export const groupOut = z.object({
  userGroupId: z.string().describe('The group name, as group tools take it'),
  name: z.string(),
  accessLevel: z.string().optional().describe('View, Discovery, SQL or Admin'),
  access: z.string().optional().describe("Sisense's own access string"),
  privileged: z.boolean().describe('Membership makes a user an Admin'),
  id: z.string().optional(),
  createdByEmail: z.string().optional(),
  createdAt: z.string().optional(),
});

export const bulkItemOut = z.object({
  index: z.number().int(),
  status: z.enum(['succeeded', 'failed', 'not_attempted']),
  site: z.string().optional(),
  userId: z.string().optional(),
  username: z.string().optional(),
  displayName: z.string().optional(),
  message: z.string().optional(),
  rci: z.string().optional(),
});

export const bulkOut = {
  succeeded: z.number().int(),
  failed: z.number().int(),
  notAttempted: z.number().int(),
  items: z.array(bulkItemOut),
};
