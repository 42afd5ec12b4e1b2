import { z } from 'zod';
import type { ImpactPreview, ImpactTarget } from '../../contract/tool.js';
import { counted } from '../../grammar.js';
import type { AssignedProfile, Profile, User } from '../../providers/visier/api.js';
import { ToolArgumentError } from '../shared/errors.js';
import { fencedText, isoInstant, linesWithinBudget, quoted } from '../shared/format.js';
import { defineTool, type ToolContext } from './define.js';
import { epochMs, id, ids, routing, toEpochMs } from './fields.js';
import { usersJournal } from './journal-state.js';
import {
  countPhrase,
  currentUsersMany,
  describeRefs,
  fingerprintOf,
  identityLine,
  isNotFound,
  missingUser,
} from './preview.js';
import { administrativeCapabilitiesOf } from './privileged.js';

// Profiles: what each lets its holders do (capabilities), who holds which, and giving or taking one. Visier's
// profile endpoints take no ProjectID, so these tools act in production only and offer no projectId. Validity
// belongs to each assignment: epoch milliseconds as strings, start inclusive, end exclusive.

const capabilityOut = z.object({
  capability: z.string(),
  accessLevel: z.string().optional(),
  viewLevel: z.string().optional(),
});

const profileOut = z.object({
  profileId: z.string(),
  displayName: z.string().optional(),
  capabilities: z.array(capabilityOut),
  additionalCapabilities: z.array(z.string()),
  administrative: z
    .array(z.string())
    .describe('The administrative capabilities among them (user, profile, permission management and the like)'),
});

const validityOut = {
  validityStartTime: z.string().optional().describe('Epoch milliseconds, inclusive'),
  validityEndTime: z.string().optional().describe('Epoch milliseconds, exclusive; absent: no end'),
};

const withAdministrative = <P extends Profile>(p: P) => ({ ...p, administrative: administrativeCapabilitiesOf(p) });

/** `valid from 2025-01-01T00:00:00.000Z until 2026-01-01T00:00:00.000Z`, `valid from ..., no end`, or `no validity set`. */
function validityPhrase(v: { validityStartTime?: string | undefined; validityEndTime?: string | undefined }): string {
  const at = (ms: string) => isoInstant(ms) ?? ms;
  if (v.validityStartTime === undefined && v.validityEndTime === undefined) return 'no validity set';
  const from = v.validityStartTime === undefined ? '' : ` from ${at(v.validityStartTime)}`;
  const until = v.validityEndTime === undefined ? ', no end' : ` until ${at(v.validityEndTime)}`;
  return `valid${from}${until}`;
}

function profileLine(p: Profile): string {
  const caps = p.capabilities.map((c) => `${c.capability} ${c.accessLevel ?? ''}/${c.viewLevel ?? ''}`);
  const admin = administrativeCapabilitiesOf(p);
  return [
    `${p.profileId} ${quoted(p.displayName ?? '')}`,
    `capabilities: ${caps.join(', ') || 'none'}`,
    `additional: ${p.additionalCapabilities.join(', ') || 'none'}`,
    ...(admin.length ? [`administrative: ${admin.join(', ')}`] : []),
  ].join('; ');
}

export const listProfiles = defineTool({
  name: 'list_profiles',
  title: 'List profiles',
  description: 'Lists the profiles of a tenant with the capabilities each grants.',
  classification: 'read',
  inputSchema: { ...routing },
  outputSchema: { profiles: z.array(profileOut), returned: z.number().int() },
  handler: async (_args, ctx) => {
    const profiles = (await ctx.api.listProfiles(ctx.call)).map(withAdministrative);
    const lines = profiles.map(profileLine);
    const fit = linesWithinBudget(lines, ctx);
    const cut = fit < lines.length ? ` (first ${fit}: the rest exceed the result size cap)` : '';
    return {
      text: fencedText(`${counted(profiles.length, 'profile')}${cut}:`, lines.slice(0, fit), ctx),
      structured: { profiles: profiles.slice(0, fit), returned: fit },
    };
  },
});

export const getProfile = defineTool({
  name: 'get_profile',
  title: 'Get profile',
  description: 'Gets one profile: its capabilities and additional capabilities.',
  classification: 'read',
  inputSchema: { profileId: id('Profile id'), ...routing },
  outputSchema: { profile: profileOut },
  handler: async (args, ctx) => {
    const profile = withAdministrative(await ctx.api.getProfile(args.profileId, ctx.call));
    return { text: fencedText(`Profile ${args.profileId}:`, [profileLine(profile)], ctx), structured: { profile } };
  },
});

export const listUserProfiles = defineTool({
  name: 'list_user_profiles',
  title: 'List user profiles',
  description: "Lists a user's profiles, each with its validity and capabilities.",
  classification: 'read',
  inputSchema: { userId: id('Visier userId'), ...routing },
  outputSchema: { userId: z.string(), profiles: z.array(profileOut.extend(validityOut)) },
  handler: async (args, ctx) => {
    const profiles = (await ctx.api.getUserProfiles(args.userId, ctx.call)).map(withAdministrative);
    return {
      text: fencedText(
        `User ${args.userId} holds ${counted(profiles.length, 'profile')}:`,
        profiles.map((p) => `${profileLine(p)}; ${validityPhrase(p)}`),
        ctx,
      ),
      structured: { userId: args.userId, profiles },
    };
  },
});

/** A user's profiles as a `before`/`after` line, each with its validity (`;` apart: a validity has a comma). */
const heldLine = (held: readonly AssignedProfile[]) =>
  `profiles: ${
    held.length === 0
      ? 'none'
      : held.map((p) => `${describeRefs([{ id: p.profileId, name: p.displayName }])} ${validityPhrase(p)}`).join('; ')
  }`;

interface ProfileChangeArgs {
  profileId: string;
  userIds: string[];
  validityStartTime?: string | undefined;
  validityEndTime?: string | undefined;
}

/** The validity an assignment is sent with, as Visier wants it (epoch-ms strings); refuses an empty window. */
function validityOf(args: ProfileChangeArgs): { validityStartTime?: string; validityEndTime?: string } {
  const start = args.validityStartTime === undefined ? undefined : toEpochMs(args.validityStartTime);
  const end = args.validityEndTime === undefined ? undefined : toEpochMs(args.validityEndTime);
  if (start !== undefined && end !== undefined && Number(end) <= Number(start)) {
    throw new ToolArgumentError('validityEndTime', 'must be after validityStartTime');
  }
  return {
    ...(start === undefined ? {} : { validityStartTime: start }),
    ...(end === undefined ? {} : { validityEndTime: end }),
  };
}

/** The profile as it is now, or undefined when Visier has no such profile. */
async function currentProfile(ctx: ToolContext, profileId: string): Promise<Profile | undefined> {
  try {
    return await ctx.api.getProfile(profileId, ctx.call);
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

/** One user's profiles before and after: gaining, re-dating, losing the profile, or no change. */
function userTarget(
  user: User,
  profile: Profile | undefined,
  args: ProfileChangeArgs,
  assign: boolean,
  administrative: readonly string[],
): ImpactTarget {
  const held = user.profiles ?? [];
  const current = held.find((p) => p.profileId === args.profileId);
  const others = held.filter((p) => p.profileId !== args.profileId);
  const given = {
    profileId: args.profileId,
    ...(profile?.displayName ? { displayName: profile.displayName } : {}),
    ...validityOf(args),
  };
  const after = assign ? [...others, given] : others;
  const name = quoted(profile?.displayName ?? args.profileId);
  let change: string;
  if (!assign) change = current ? `loses profile ${name}` : 'does not hold it: no change';
  else if (!current) change = `gains profile ${name}, ${validityPhrase(given)}`;
  else if (validityPhrase(current) === validityPhrase(given)) change = 'already holds it, same validity: no change';
  else change = `keeps profile ${name}; ${validityPhrase(current)} -> ${validityPhrase(given)}`;
  return {
    kind: 'user',
    id: user.userId,
    name: user.displayName ?? user.username,
    before: [identityLine(user), heldLine(held)],
    after: [heldLine(after)],
    change,
    ...(assign && !current && administrative.length
      ? { elevated: [`gains administrative profile ${name} (${administrative.join(', ')})`] }
      : {}),
  };
}

/**
 * The profile (name, capabilities: an approval binds them) and each user as they are now: who they are and the
 * profiles they hold with validity. One profile read plus the user reads (`currentUsersMany`: one per user up to
 * 20, else a pass over the directory).
 */
async function profileChangePreview(
  ctx: ToolContext,
  args: ProfileChangeArgs,
  assign: boolean,
): Promise<ImpactPreview> {
  const validity = validityOf(args);
  const [profile, users] = await Promise.all([
    currentProfile(ctx, args.profileId),
    currentUsersMany(ctx, args.userIds, { profiles: true }),
  ]);
  const administrative = profile ? administrativeCapabilitiesOf(profile) : [];
  const profileTarget: ImpactTarget = profile
    ? { kind: 'profile', id: args.profileId, name: profile.displayName, before: [profileLine(profile)] }
    : { kind: 'profile', id: args.profileId, missing: true, before: ['no such profile'] };
  const userTargets = users.map(({ userId, user }) =>
    user ? userTarget(user, profile, args, assign, administrative) : missingUser(userId),
  );
  const targets = [profileTarget, ...userTargets];
  const name = profile?.displayName === undefined ? args.profileId : quoted(profile.displayName);
  const who = countPhrase(users.length, 'user', users.filter((u) => !u.user).length);
  const elevated = userTargets.some((t) => t.elevated);
  return {
    summary: assign
      ? `Assign profile ${name} to ${who}, ${validityPhrase(validity)}`
      : `Remove profile ${name} from ${who}`,
    targets,
    fingerprint: fingerprintOf(targets, [args.profileId, validity]),
    ...(elevated ? { privilegedGrants: [profile?.displayName ?? args.profileId] } : {}),
  };
}

const userOutcomeOut = z.object({
  userId: z.string(),
  status: z.enum(['succeeded', 'failed', 'unreported']),
  reportedAs: z
    .enum(['successfulAssignments', 'badUserIds', 'failedAssignments', 'succeeded', 'failed'])
    .optional()
    .describe("The list of Visier's answer that names this user; absent when Visier named it in none"),
  message: z.string().optional(),
  errorCode: z.string().optional(),
  rci: z.string().optional(),
});
type UserOutcome = z.infer<typeof userOutcomeOut>;

const profileChangeOut = {
  profileId: z.string(),
  succeeded: z.number().int(),
  failed: z.number().int().describe('Users Visier reported failed or bad, plus any it did not report'),
  users: z.array(userOutcomeOut).describe('Every user asked for, once, in input order'),
};

const UNREPORTED = 'Visier named this user in none of its answer lists: the outcome is unknown; read the user to check';

/** Every user asked for accounted for once: by the list Visier named it in, else as unreported (an error). */
function profileChangeOutput(
  verb: string,
  args: ProfileChangeArgs,
  reported: Map<string, Omit<UserOutcome, 'userId'>>,
  fence: ToolContext['fence'],
) {
  const users: UserOutcome[] = [...new Set(args.userIds)].map(
    (userId) => ({ userId, ...(reported.get(userId) ?? { status: 'unreported', message: UNREPORTED }) }) as UserOutcome,
  );
  const succeeded = users.filter((u) => u.status === 'succeeded').length;
  const failed = users.length - succeeded;
  const lines = users.map(
    (u) => `${u.userId}: ${u.status}${u.message ? ` - ${u.message}` : ''}${u.rci ? ` (rci ${u.rci})` : ''}`,
  );
  return {
    text: fencedText(`${verb} ${args.profileId}: ${succeeded} succeeded, ${failed} failed.`, lines, { fence }),
    structured: { profileId: args.profileId, succeeded, failed, users },
    isError: failed > 0,
  };
}

const profileChangeInput = {
  profileId: id('Profile id'),
  userIds: ids('userId'),
  ...routing,
};

const userCount = (args: { userIds: string[] }) => new Set(args.userIds).size;

export const assignProfile = defineTool({
  name: 'assign_profile',
  title: 'Assign profile',
  description: 'Gives users a profile, optionally for a validity window; profiles are outside projects.',
  classification: 'access',
  inputSchema: {
    ...profileChangeInput,
    validityStartTime: epochMs('When the assignment starts (inclusive); default: Visier decides (immediately)'),
    validityEndTime: epochMs('When the assignment ends (exclusive); default: no end'),
  },
  outputSchema: profileChangeOut,
  itemCount: userCount,
  journal: usersJournal((args: { userIds: string[] }) => args.userIds),
  preview: (args, ctx) => profileChangePreview(ctx, args, true),
  handler: async (args, ctx) => {
    const result = await ctx.api.assignProfile(
      args.profileId,
      { userIds: [...new Set(args.userIds)], ...validityOf(args) },
      ctx.call,
    );
    const reported = new Map<string, Omit<UserOutcome, 'userId'>>();
    for (const userId of result.successfulAssignments) {
      reported.set(userId, { status: 'succeeded', reportedAs: 'successfulAssignments' });
    }
    for (const [list, errors] of [
      ['badUserIds', result.badUserIds],
      ['failedAssignments', result.failedAssignments],
    ] as const) {
      for (const { userId, ...error } of errors) reported.set(userId, { status: 'failed', reportedAs: list, ...error });
    }
    return profileChangeOutput('Assign profile', args, reported, ctx.fence);
  },
});

export const removeProfile = defineTool({
  name: 'remove_profile',
  title: 'Remove profile',
  description: 'Takes a profile from users; profiles are outside projects.',
  classification: 'access',
  inputSchema: profileChangeInput,
  outputSchema: profileChangeOut,
  itemCount: userCount,
  journal: usersJournal((args: { userIds: string[] }) => args.userIds),
  preview: (args, ctx) => profileChangePreview(ctx, args, false),
  handler: async (args, ctx) => {
    const result = await ctx.api.removeProfile(args.profileId, [...new Set(args.userIds)], ctx.call);
    const reported = new Map<string, Omit<UserOutcome, 'userId'>>();
    for (const userId of result.succeeded) reported.set(userId, { status: 'succeeded', reportedAs: 'succeeded' });
    for (const { userId, message } of result.failed) {
      reported.set(userId, { status: 'failed', reportedAs: 'failed', ...(message === undefined ? {} : { message }) });
    }
    return profileChangeOutput('Remove profile', args, reported, ctx.fence);
  },
});

export const PROFILE_TOOLS = [listProfiles, getProfile, listUserProfiles, assignProfile, removeProfile];
