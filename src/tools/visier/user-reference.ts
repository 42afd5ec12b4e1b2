import { z } from 'zod';
import { counted } from '../../grammar.js';
import type { DirectorySnapshot, DirectoryUser } from '../../providers/visier/directory.js';
import { ToolArgumentError } from '../shared/errors.js';
import { fencedText, userLine, withLastLoginIso } from '../shared/format.js';
import type { ToolContext } from './define.js';
import { name } from './fields.js';
import { userOut } from './schemas.js';
import { listUsers } from './users.js';

// The answer tools take a person as a person names them: a userId, or a username, email, employee id or display
// name. One match is that person; several are listed back so the model asks which one, never picks.

/** An input field naming one user. */
export const userReference = (what: string) =>
  name(`${what}: a userId, or a username, email, employee id or display name that names one user`);

/** Candidates listed back at most; the rest are counted. */
const MAX_CANDIDATES = 20;

export const candidatesOut = {
  candidates: z
    .array(userOut)
    .optional()
    .describe('Set when a user argument names several users: nothing else is answered; call again with one userId'),
  ambiguous: z.string().optional().describe('Which argument named several users'),
};

export type Resolution = { user: DirectoryUser } | { candidates: DirectoryUser[]; total: number };

/** Lower case, accents and surrounding spaces removed: "José " finds "jose" (ASCII, most names, skips the rest). */
function folded(text: string): string {
  const lower = text.toLowerCase().trim();
  return /[^\x00-\x7f]/.test(lower) ? lower.normalize('NFKD').replace(/\p{M}/gu, '') : lower;
}

const namesOf = (user: DirectoryUser) =>
  [user.username, user.email, user.employeeId, user.displayName].filter((v): v is string => v !== undefined);

/**
 * The user `reference` names in the snapshot: its userId exactly; else every user whose username, email,
 * employee id or display name equals it (case and accents aside); else every user with it inside one of those.
 * Throws ToolArgumentError naming `field` when no user matches.
 */
export function resolveUser(snapshot: DirectorySnapshot, reference: string, field: string): Resolution {
  const byId = snapshot.users.get(reference);
  if (byId) return { user: byId };
  const needle = folded(reference);
  const exact: DirectoryUser[] = [];
  const partial: DirectoryUser[] = [];
  for (const user of snapshot.users.values()) {
    const names = namesOf(user).map(folded);
    if (names.includes(needle)) exact.push(user);
    else if (exact.length === 0 && names.some((n) => n.includes(needle))) partial.push(user);
  }
  const found = exact.length > 0 ? exact : partial;
  if (found.length === 1) return { user: found[0] as DirectoryUser };
  if (found.length === 0) {
    throw new ToolArgumentError(
      field,
      `no user has this userId, or a username, email, employee id or display name containing it; ${listUsers.name} lists users`,
    );
  }
  return { candidates: found.slice(0, MAX_CANDIDATES), total: found.length };
}

/** The answer when a reference names several users: who they are, and that the model must ask which one. */
export function candidatesOutput(
  field: string,
  resolution: { candidates: DirectoryUser[]; total: number },
  ctx: Pick<ToolContext, 'fence'>,
  freshness: { asOf: string; phrase: string },
) {
  const { candidates, total } = resolution;
  const rest = total - candidates.length;
  const header = `${field} names ${counted(total, 'user')}${rest > 0 ? ` (the first ${candidates.length} below; be more specific)` : ''}: ask which one is meant, then call again with that userId. Nothing else was answered; ${freshness.phrase}.`;
  return {
    text: fencedText(
      header,
      candidates.map((u) => userLine(u)),
      ctx,
    ),
    structured: {
      asOf: freshness.asOf,
      ambiguous: field,
      candidates: candidates.map((u) => withLastLoginIso({ ...u })),
    },
  };
}
