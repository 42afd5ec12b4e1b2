// What the sandbox accepts as request bodies, refused with a 400 that names the field and the rule. These are
// the sandbox's own schemas, written from the vendor examples; it shares none with the client.
import { z } from 'zod';
import { invalid } from './errors.js';

const text = z.string().trim().min(1, 'must not be empty');
const email = z.email('must be an e-mail address');

export const userCreateBody = z.strictObject({
  first_name: text,
  last_name: text,
  email,
  groups: z.array(text).default([]),
  invited_by_email: email,
});

export const userUpdateBody = z.strictObject({
  first_name: text.optional(),
  last_name: text.optional(),
  groups: z.array(text).optional(),
});

export const groupCreateBody = z.strictObject({
  name: text,
  access: text,
  created_by_email: email.optional(),
});

export const groupUpdateBody = z.strictObject({
  name: text.optional(),
  access: text.optional(),
  updated_by_email: email.optional(),
});

export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  const result = schema.safeParse(body ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const field = issue.path.length > 0 ? issue.path.join('.') : 'body';
  throw invalid(`${field}: ${issue.message}`);
}
