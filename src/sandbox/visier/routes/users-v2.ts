// Users V2 bulk: at most 100 users per call (more is a 400 for the whole call: our reading, Visier's is
// undocumented), and every item reported as a success or a failure with a message and rci.

import { badRequest, newRci, StatusError } from '../../status-error.js';
import type { RequestContext, Route } from '../context.js';
import { arrayField, objectBody, stringArray } from '../params.js';
import type { UserRecord } from '../tenant-state.js';
import { userWriteDto } from '../user-dtos.js';
import { userCreateInput, userReplaceInput } from '../user-input.js';

const MAX_USERS_PER_CALL = 100;

/** Visier's wording for an internal per-item failure, which is what `bulkItemFailurePattern` injects. */
const INJECTED_FAILURE = 'An internal error occurred while processing this user. Try again later.';

function limited<T>(items: T[]): T[] {
  if (items.length === 0) throw badRequest('At least one user is required');
  if (items.length > MAX_USERS_PER_CALL) {
    throw badRequest(`A request can include at most ${MAX_USERS_PER_CALL} users; this one has ${items.length}`);
  }
  return items;
}

interface ItemOutcome {
  successes: Record<string, string>[];
  failures: Record<string, unknown>[];
}

interface BulkOperation<T> {
  method: string;
  items(body: Record<string, unknown>): T[];
  /** Who a failed item names (note Visier's `userName` here) and the key the fault pattern matches. */
  describe(
    ctx: RequestContext,
    item: T,
  ): { userId?: string; userName?: string; displayName?: string; faultKey: string };
  change(ctx: RequestContext, item: T): UserRecord;
  /** Recorded in the tenant's event log for each item that succeeds. */
  event: string;
}

/**
 * Each item succeeds or fails on its own: a StatusError becomes that item's failure, and an item matching
 * the fault pattern fails before it touches state.
 */
function bulkRoute<T>(operation: BulkOperation<T>): Route {
  return {
    method: operation.method,
    path: '/v2/admin/users',
    handle(ctx) {
      const outcome: ItemOutcome = { successes: [], failures: [] };
      for (const item of limited(operation.items(objectBody(ctx.body)))) {
        const { faultKey, ...identity } = operation.describe(ctx, item);
        try {
          if (ctx.services.faults.bulkItemFails(faultKey)) throw new StatusError(500, 'Internal', INJECTED_FAILURE);
          const user = operation.change(ctx, item);
          ctx.tenant.record(ctx.actor, operation.event, user.username);
          outcome.successes.push(userWriteDto(user));
        } catch (error) {
          if (!(error instanceof StatusError)) throw error;
          outcome.failures.push({ ...identity, error: { message: error.message, rci: newRci() } });
        }
      }
      return { status: 200, json: outcome };
    },
  };
}

const asRecord = (value: unknown): Record<string, unknown> =>
  typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
const str = (value: unknown) => (typeof value === 'string' ? value : undefined);

export const usersV2Routes: Route[] = [
  bulkRoute({
    method: 'POST',
    items: (body) => arrayField(body, 'users'),
    describe: (_ctx, item) => {
      const record = asRecord(item);
      const userName = str(record.username) ?? '';
      return {
        userName,
        ...(str(record.displayName) ? { displayName: str(record.displayName) } : {}),
        faultKey: userName,
      };
    },
    change: (ctx, item) => ctx.tenant.addUser(userCreateInput(item)),
    event: 'UserCreated',
  }),
  // Replace semantics, like PUT /v1/admin/users/{userId}: each record replaces the user, omitted fields removed.
  bulkRoute({
    method: 'PUT',
    items: (body) => arrayField(body, 'users'),
    describe: (ctx, item) => {
      const record = asRecord(item);
      const userId = str(record.userId) ?? '';
      const known = ctx.tenant.getUser(userId);
      return {
        userId,
        userName: str(record.username) ?? known?.username ?? '',
        displayName: str(record.displayName) ?? known?.displayName ?? '',
        faultKey: userId,
      };
    },
    change: (ctx, item) => {
      const userId = str(asRecord(item).userId);
      if (!userId) throw badRequest('userId is required');
      return ctx.tenant.updateUser(userId, userReplaceInput(item));
    },
    event: 'UserUpdated',
  }),
  bulkRoute({
    method: 'DELETE',
    items: (body) => stringArray(body.userIds, 'userIds'),
    describe: (ctx, userId) => {
      const known = ctx.tenant.getUser(userId);
      return {
        userId,
        ...(known ? { userName: known.username, displayName: known.displayName } : {}),
        faultKey: userId,
      };
    },
    change: (ctx, userId) => ctx.tenant.deleteUser(userId),
    event: 'UserDeleted',
  }),
];
