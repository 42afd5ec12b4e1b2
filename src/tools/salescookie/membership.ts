import type { ImpactTarget } from '../../contract/tool.js';
import { counted } from '../../grammar.js';
import type { SalescookieTeam, SalescookieUser } from '../../providers/salescookie/index.js';
import { quoted } from '../shared/format.js';
import { fingerprintOf } from '../visier/preview.js';
import type { ToolContext } from './define.js';
import { NO_SUCH_TEAM, naming } from './not-found.js';
import { missingUser, stateLines, teamsOf } from './preview.js';
import type { BulkItemOut } from './results.js';

// Adding users to a team and taking them off one: both read the team and the users (by e-mail) first, and both
// account for every e-mail asked for, an unknown one as failed and not sent.

/** Each distinct e-mail (any case) once, in input order. */
export function distinctEmails(emails: readonly string[]): string[] {
  const seen = new Set<string>();
  return emails.filter((email) => {
    const key = email.toLowerCase();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** The users with these e-mails, by lower-cased e-mail. */
export async function usersByEmail(ctx: ToolContext, emails: readonly string[]): Promise<Map<string, SalescookieUser>> {
  const found = await ctx.api.findUsersByEmail(distinctEmails(emails), ctx.call);
  return new Map(found.map((user) => [user.email.toLowerCase(), user]));
}

export async function membershipPreview(ctx: ToolContext, teamId: string, emails: readonly string[], join: boolean) {
  const team = await naming('teamId', NO_SUCH_TEAM, () => ctx.api.getTeam(teamId, ctx.call));
  const users = await usersByEmail(ctx, emails);
  const teams = await teamsOf(ctx, [...users.values()]);
  const label = `${quoted(team.name)} (${team.teamId})`;
  const targets: ImpactTarget[] = distinctEmails(emails).map((email) => {
    const user = users.get(email.toLowerCase());
    if (!user) return missingUser(email);
    const held = teams.get(user.systemUserId) ?? [];
    const member = held.some((t) => t.endsWith(`(${team.teamId})`));
    const already = member === join;
    return {
      kind: 'user',
      id: user.email,
      name: [user.firstName, user.lastName].filter((p) => p).join(' ') || user.email,
      before: stateLines(user, held),
      after: [already ? 'no change: nothing will be sent' : `${join ? 'joins' : 'leaves'} team ${label}`],
      change: already
        ? `already ${join ? 'a member' : 'not a member'}; nothing sent`
        : `${join ? 'joins' : 'leaves'} the team`,
    };
  });
  const missing = targets.filter((t) => t.missing).length;
  return {
    summary: `${join ? 'Add' : 'Remove'} ${counted(targets.length, 'user')}${missing ? ` (${missing} not found)` : ''} ${join ? 'to' : 'from'} team ${label}`,
    targets,
    fingerprint: fingerprintOf(targets, teamIdentity(team)),
  };
}

/** What a person recognises a team by: renaming it voids an approval that named it. */
const teamIdentity = (team: SalescookieTeam) => [team.teamId, team.name, team.description];

/**
 * Adds (`join`) or removes these e-mails' users; every e-mail is accounted for in input order, an unknown one
 * as failed and not sent, a repeated one as failed (a duplicate).
 */
export async function changeMembership(
  ctx: ToolContext,
  teamId: string,
  emails: readonly string[],
  join: boolean,
): Promise<BulkItemOut[]> {
  const users = await usersByEmail(ctx, emails);
  const ids = [...new Set([...users.values()].map((user) => user.systemUserId))];
  const options = { ...ctx.call, onProgress: ctx.progress };
  const result = await naming('teamId', NO_SUCH_TEAM, () =>
    join ? ctx.api.addTeamMembers(teamId, ids, options) : ctx.api.removeTeamMembers(teamId, ids, options),
  );
  const byId = new Map(result.items.map((item) => [item.userId, item]));
  const firstSeen = new Map<string, number>();
  return emails.map((email, index): BulkItemOut => {
    const key = email.toLowerCase();
    const earlier = firstSeen.get(key);
    if (earlier !== undefined)
      return { index, userId: email, status: 'failed', message: `duplicate of item ${earlier}; not sent` };
    firstSeen.set(key, index);
    const user = users.get(key);
    if (!user) return { index, userId: email, status: 'failed', message: 'no user has this e-mail; not sent' };
    const outcome = byId.get(user.systemUserId);
    return {
      index,
      userId: email,
      systemUserId: user.systemUserId,
      status: outcome?.status ?? 'not_attempted',
      ...(outcome?.message ? { message: outcome.message } : {}),
    };
  });
}
