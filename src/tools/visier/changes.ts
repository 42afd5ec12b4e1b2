import { z } from 'zod';
import { counted } from '../../grammar.js';
import type { JournalEntry } from '../../journal/journal.js';
import { decodeCursor, encodeCursor } from '../shared/cursor.js';
import { fencedText, linesWithinBudget, pageHeader } from '../shared/format.js';
import { defineTool } from './define.js';
import { cursor, limit, routing } from './fields.js';
import { changedFields, objectsOf, stateOfObject, visierState } from './journal-state.js';

const DEFAULT_LIMIT = 20;

/** What the change did to each object, from its states: `user u1 permissionIds`, `group g2 created`. */
export function changeSummary(entry: JournalEntry): string {
  const before = visierState(entry.before);
  const after = visierState(entry.after);
  if (entry.after === undefined) return 'state after not recorded';
  // Objects changed the same way are one part with a count, so a bulk change of many users stays one short line.
  const alike = new Map<string, string[]>();
  for (const object of objectsOf(before, after)) {
    const was = stateOfObject(before, object) ?? null;
    const is = stateOfObject(after, object) ?? null;
    const fields = changedFields(was, is);
    if (fields.length === 0) continue;
    const what = fields.includes('exists') ? (is ? 'created' : 'deleted') : fields.join(', ');
    const key = `${object.kind}\u0000${what}`;
    alike.set(key, [...(alike.get(key) ?? []), object.id]);
  }
  const parts = [...alike].map(([key, ids]) => {
    const [kind, what] = key.split('\u0000') as [string, string];
    if (ids.length === 1) return `${kind} ${ids[0]} ${what}`;
    const named = ids.slice(0, SUMMARY_IDS).join(', ');
    const more = ids.length > SUMMARY_IDS ? ` and ${ids.length - SUMMARY_IDS} more` : '';
    return `${ids.length} ${kind}s ${what} (${named}${more})`;
  });
  return parts.join('; ') || 'no change';
}

/** Ids a summary names of objects changed alike; the rest are counted (the entry itself holds every id). */
const SUMMARY_IDS = 3;

const how = (entry: JournalEntry) =>
  entry.confirmation ? `confirmed by ${entry.confirmation.method}` : 'made without confirmation';

function entryLine(entry: JournalEntry, unsealed: string | undefined): string {
  const forged = unsealed === undefined ? '' : ` [UNVERIFIED: ${unsealed}; undo_change refuses it]`;
  const place = `${entry.scope.tenant ?? '(default)'}${entry.scope.project ? `/${entry.scope.project}` : ''}`;
  const audit = entry.audit ? ` audit #${entry.audit.seq}` : '';
  return `${entry.id} ${entry.time} ${entry.tool} on ${place}, ${how(entry)}${entry.partial ? ', partly failed' : ''}${audit}${forged}: ${changeSummary(entry)}`;
}

const state = z.record(z.string(), z.unknown());

export const listRecentChanges = defineTool({
  name: 'list_recent_changes',
  title: 'List recent changes',
  description: 'Changes made through this server on a tenant, newest first, with the ids undo_change takes.',
  classification: 'read',
  inputSchema: { limit: limit(100, DEFAULT_LIMIT), cursor, ...routing },
  outputSchema: {
    changes: z.array(
      z.object({
        id: z.string(),
        time: z.string().describe('ISO-8601 UTC'),
        tool: z.string(),
        changeClass: z.string(),
        classification: z.string(),
        scope: z.object({ tenant: z.string().optional(), project: z.string().optional() }),
        args: state.describe('The call arguments, redacted as in the audit log'),
        decision: z.string(),
        confirmation: z.object({ method: z.string(), outcome: z.string() }).optional(),
        audit: z.object({ seq: z.number().int(), hash: z.string() }).optional().describe('The audit line'),
        partial: z.boolean(),
        before: state,
        after: state.optional(),
        afterError: z.string().optional(),
        verified: z
          .boolean()
          .describe(
            "The entry's signature verifies with this server's audit key; undo_change acts only on such entries",
          ),
      }),
    ),
    returned: z.number().int(),
    nextCursor: z.string().optional(),
  },
  handler: async (args, ctx) => {
    if (ctx.journal === undefined) {
      return { text: 'This server keeps no change journal (--journal).', structured: { changes: [], returned: 0 } };
    }
    // Oldest first, so a position stays the same entry however many are appended while the agent pages back.
    const all = ctx.journal.entries().filter((e) => (e.scope.tenant ?? null) === (ctx.scope.tenant ?? null));
    const end = args.cursor === undefined ? all.length : Math.min(decodeCursor(args.cursor), all.length);
    const window = all.slice(Math.max(0, end - (args.limit ?? DEFAULT_LIMIT)), end).reverse();
    const journal = ctx.journal;
    const checked = window.map((signed) => {
      const { sig: _sig, ...entry } = signed;
      return { entry, unsealed: journal.unsealed(signed) };
    });
    const lines = checked.map(({ entry, unsealed }) => entryLine(entry, unsealed));
    const changes = checked.map(({ entry, unsealed }) => ({ ...entry, verified: unsealed === undefined }));
    const fit = linesWithinBudget(lines, ctx);
    const rest = end - fit;
    const nextCursor = rest > 0 ? encodeCursor(rest) : undefined;
    return {
      text: fencedText(pageHeader(counted(fit, 'change'), nextCursor, fit < window.length), lines.slice(0, fit), ctx),
      structured: { changes: changes.slice(0, fit), returned: fit, ...(nextCursor ? { nextCursor } : {}) },
    };
  },
});

export const JOURNAL_TOOLS = [listRecentChanges];
