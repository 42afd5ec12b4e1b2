// Users V2 bulk: at most 100 users per call (more is a 400 for the whole call: our reading, Visier's is
// undocumented), and every item reported as a success or a failure with a message and rci.
import type { RequestContext, Route } from '../context.js';
import { arrayField, objectBody, stringArray } from '../params.js';
import { badRequest, newRci, StatusError } from '../status-error.js';
import type { UserRecord } from '../tenant-state.js';
import { userWriteDto } from '../user-dtos.js';
import { userCreateInput, userPatchInput } from '../user-input.js';

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

/**
 * Runs `work` for each item; a StatusError becomes that item's failure (note Visier's `userName` here),
 * and an item matching the fault pattern fails before it touches state.
 */
function eachItem<T>(
  ctx: RequestContext,
  items: T[],
  describe: (item: T) => { userId?: string; userName?: string; displayName?: string; faultKey: string },
  work: (item: T) => UserRecord,
): ItemOutcome {
  const outcome: ItemOutcome = { successes: [], failures: [] };
  for (const item of items) {
    const { faultKey, ...identity } = describe(item);
    try {
      if (ctx.services.faults.bulkItemFails(faultKey)) throw new StatusError(500, 'Internal', INJECTED_FAILURE);
      outcome.successes.push(userWriteDto(work(item)));
    } catch (error) {
      if (!(error instanceof StatusError)) throw error;
      outcome.failures.push({ ...identity, error: { message: error.message, rci: newRci() } });
    }
  }
  return outcome;
}

const asRecord = (value: unknown): Record<string, unknown> =>
  typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
const str = (value: unknown) => (typeof value === 'string' ? value : undefined);

export const usersV2Routes: Route[] = [
  {
    method: 'POST',
    path: '/v2/admin/users',
    handle(ctx) {
      const items = limited(arrayField(objectBody(ctx.body), 'users'));
      const outcome = eachItem(
        ctx,
        items,
        (item) => {
          const record = asRecord(item);
          const userName = str(record.username) ?? '';
          return {
            userName,
            ...(str(record.displayName) ? { displayName: str(record.displayName) } : {}),
            faultKey: userName,
          };
        },
        (item) => {
          const user = ctx.tenant.addUser(userCreateInput(item));
          ctx.tenant.record(ctx.actor, 'UserCreated', user.username);
          return user;
        },
      );
      return { status: 200, json: outcome };
    },
  },
  {
    // Patch semantics, like PUT /v1/admin/users/{userId}: only the fields given change.
    method: 'PUT',
    path: '/v2/admin/users',
    handle(ctx) {
      const items = limited(arrayField(objectBody(ctx.body), 'users'));
      const outcome = eachItem(
        ctx,
        items,
        (item) => {
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
        (item) => {
          const userId = str(asRecord(item).userId);
          if (!userId) throw badRequest('userId is required');
          const user = ctx.tenant.updateUser(userId, userPatchInput(item));
          ctx.tenant.record(ctx.actor, 'UserUpdated', user.username);
          return user;
        },
      );
      return { status: 200, json: outcome };
    },
  },
  {
    method: 'DELETE',
    path: '/v2/admin/users',
    handle(ctx) {
      const userIds = limited(stringArray(objectBody(ctx.body).userIds, 'userIds'));
      const outcome = eachItem(
        ctx,
        userIds,
        (userId) => {
          const known = ctx.tenant.getUser(userId);
          return {
            userId,
            ...(known ? { userName: known.username, displayName: known.displayName } : {}),
            faultKey: userId,
          };
        },
        (userId) => {
          const user = ctx.tenant.deleteUser(userId);
          ctx.tenant.record(ctx.actor, 'UserDeleted', user.username);
          return user;
        },
      );
      return { status: 200, json: outcome };
    },
  },
];
