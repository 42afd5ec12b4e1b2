import { z } from 'zod';
import { counted } from '../../grammar.js';
import { type FieldMatch, SEARCH_FIELDS, searchUsers } from '../../providers/visier/directory-search.js';
import { decodeCursor, encodeCursor } from '../shared/cursor.js';
import { fencedText, linesWithinBudget, pageHeader, quoted, userLine, withLastLoginIso } from '../shared/format.js';
import { defineTool } from './define.js';
import { cursor, limit, projectRouting, text } from './fields.js';
import { freshness } from './freshness.js';
import { userOut } from './schemas.js';

const FIND_MAX = 100;
const FIND_DEFAULT = 20;

const matchOut = z.object({
  field: z.enum(SEARCH_FIELDS),
  term: z.string().describe('The word found, lower case and without accents'),
  query: z.string().describe('The query word it answers'),
  kind: z.enum(['exact', 'prefix', 'part', 'typo']),
});

const HOW: Record<FieldMatch['kind'], string> = { exact: '', prefix: ' (start)', part: ' (part)', typo: ' (typo)' };

/** `displayName "dana"<-"dnaa" (typo)`: what matched, where, for which query word. */
function why(matched: readonly FieldMatch[]): string {
  return matched
    .map((m) => `${m.field} ${quoted(m.term)}${m.query === m.term ? '' : `<-${quoted(m.query)}`}${HOW[m.kind]}`)
    .join(', ');
}

export const findUsers = defineTool({
  name: 'find_users',
  title: 'Find users',
  description:
    'Finds users by any part of name, username, e-mail or employee id, best match first; forgives typos and accents.',
  classification: 'read',
  inputSchema: {
    query: text('Words to find, e.g. "dana whitfield", "E000123", "jose@"; or a userId').min(1),
    limit: limit(FIND_MAX, FIND_DEFAULT),
    cursor,
    ...projectRouting,
  },
  outputSchema: {
    users: z.array(userOut.extend({ matched: z.array(matchOut).describe('Why it matched') })),
    total: z.number().int().describe('Users matching, on every page together'),
    returned: z.number().int(),
    nextCursor: z.string().optional(),
    asOf: z.string().describe('When the directory snapshot searched was read (ISO-8601 UTC)'),
  },
  handler: async (args, ctx) => {
    const snapshot = await ctx.api.directory(ctx.call);
    const fresh = freshness(snapshot);
    const hits = searchUsers(snapshot, args.query);
    const start = decodeCursor(args.cursor);
    const page = hits.slice(start, start + (args.limit ?? FIND_DEFAULT));
    const found = page.flatMap((hit) => {
      const user = snapshot.users.get(hit.userId);
      return user ? [{ user, matched: hit.matched }] : [];
    });
    const lines = found.map(({ user, matched }) => `${userLine(user)} | matched ${why(matched)}`);
    const fit = linesWithinBudget(lines, ctx);
    const shown = found.slice(0, fit);
    const end = start + shown.length;
    const nextCursor = end < hits.length ? encodeCursor(end) : undefined;
    const header = pageHeader(
      `${counted(hits.length, 'user')} matching ${quoted(args.query)} (${fresh.phrase}); ${shown.length} shown, best first`,
      nextCursor,
      fit < found.length,
    );
    return {
      text: fencedText(header, lines.slice(0, fit), ctx),
      structured: {
        users: shown.map(({ user, matched }) => ({ ...withLastLoginIso(user), matched })),
        total: hits.length,
        returned: shown.length,
        ...(nextCursor ? { nextCursor } : {}),
        asOf: fresh.asOf,
      },
    };
  },
});

export const DIRECTORY_SEARCH_TOOLS = [findUsers];
