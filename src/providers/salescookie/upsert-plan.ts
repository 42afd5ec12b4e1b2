// What SetUser will do, decided from a read beforehand: create or update, the tags and aliases it will ADD (it
// never removes any), the role change, and the body to send. Sales Cookie matches the e-mail without regard to
// case (UNVERIFIED; the vendor says only "matching email address").
import { z } from 'zod';
import { joinPipes } from './mapping.js';
import { SALESCOOKIE_ROLES } from './roles.js';
import type { SalescookieUser, UpsertPlan, UserUpsert } from './types.js';
import { SET_USER_EMAIL_KEY } from './unverified-wire.js';
import { SetUserFields } from './wire.js';

const Email = z.email();

/** Checks an upsert before anything is sent; a RangeError names the field and the rule. */
export function checkUpsert(input: UserUpsert): void {
  if (!Email.safeParse(input.email).success) throw new RangeError('email must be an e-mail address');
  if (!SALESCOOKIE_ROLES.includes(input.role)) {
    throw new RangeError(`role must be one of ${SALESCOOKIE_ROLES.join(', ')}`);
  }
  joinPipes(input.tags, 'tags');
  joinPipes(input.aliases, 'aliases');
}

function added(existing: string[], wanted: string[] | undefined): string[] {
  const out: string[] = [];
  for (const value of (wanted ?? []).map((v) => v.trim())) {
    if (!existing.includes(value) && !out.includes(value)) out.push(value);
  }
  return out;
}

export function planUpsert(input: UserUpsert, before: SalescookieUser | undefined): UpsertPlan {
  checkUpsert(input);
  const addedTags = added(before?.tags ?? [], input.tags);
  const addedAliases = added(before?.aliases ?? [], input.aliases);
  const after = {
    ...(before ? { systemUserId: before.systemUserId } : {}),
    email: before?.email ?? input.email,
    firstName: input.firstName ?? before?.firstName ?? null,
    lastName: input.lastName ?? before?.lastName ?? null,
    role: input.role,
    tags: [...(before?.tags ?? []), ...addedTags],
    aliases: [...(before?.aliases ?? []), ...addedAliases],
  };
  const roleChanges = before?.role !== input.role;
  const noChange =
    before !== undefined &&
    !roleChanges &&
    after.firstName === before.firstName &&
    after.lastName === before.lastName &&
    addedTags.length === 0 &&
    addedAliases.length === 0;
  return {
    action: before ? 'update' : 'create',
    email: after.email,
    ...(before ? { before } : {}),
    after,
    addedTags,
    addedAliases,
    ...(roleChanges ? { roleChange: { from: before?.role ?? null, to: input.role } } : {}),
    noChange,
  };
}

/** Whether `user` shows every effect of `plan` (used when SetUser's answer was lost). */
export function planApplied(plan: UpsertPlan, user: SalescookieUser): boolean {
  const { after } = plan;
  return (
    user.role === after.role &&
    user.firstName === after.firstName &&
    user.lastName === after.lastName &&
    after.tags.every((tag) => user.tags.includes(tag)) &&
    after.aliases.every((alias) => user.aliases.includes(alias))
  );
}

/** The SetUser body for `input`; only the fields given are sent, so an update leaves the others alone. */
export function setUserBody(input: UserUpsert): Record<string, unknown> {
  const fields = SetUserFields.parse({
    role: input.role,
    firstName: input.firstName,
    lastName: input.lastName,
    tags: joinPipes(input.tags, 'tags'),
    aliases: joinPipes(input.aliases, 'aliases'),
  });
  const defined = Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined));
  return { [SET_USER_EMAIL_KEY]: input.email, ...defined };
}
