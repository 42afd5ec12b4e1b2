// The seed's two bulk scripts as functions: one user added to several sites (one client per site, since each
// site has its own key) and a list of e-mails deleted from one site. Every item ends succeeded, failed with
// Sisense's reason, or not attempted with why, in input order (the shared BulkResult shape).
import type { BulkItem, BulkResult, ProgressFn } from '../visier/api.js';
import { runBulk } from '../visier/bulk.js';
import type { SisenseClient, WriteOptions } from './client.js';
import type { NewUser } from './domain.js';

export interface BulkOptions extends WriteOptions {
  onProgress?: ProgressFn;
}

/** A BulkResult whose items also name the site they are about. */
export interface SitesBulkResult extends Omit<BulkResult, 'items'> {
  items: (BulkItem & { site: string })[];
}

/**
 * Creates `user` on each client's site, one POST per site, in order. Sites are independent: a refused key or
 * a failure on one site does not stop the others; cancellation leaves the remaining sites not attempted.
 */
export async function addUserToSites(
  clients: readonly SisenseClient[],
  user: NewUser,
  options: BulkOptions = {},
): Promise<SitesBulkResult> {
  const items: SitesBulkResult['items'] = [];
  let requests = 0;
  for (const [index, client] of clients.entries()) {
    const tally = { requests: 0 };
    const one = await runBulk<SisenseClient, { site: string; dryRun: boolean }, never>(
      {
        items: [client],
        keyOfItem: (c) => c.site,
        keyOfSuccess: (s) => s.site,
        keyOfFailure: () => undefined,
        describe: () => ({ username: user.email }),
        succeeded: (_, s) => (s.dryRun ? { message: 'dry run: validated by test_mode=true, nothing stored' } : {}),
        failed: () => ({ message: '' }),
        send: async ([c]) => {
          const done = await c!.createUser(user, { ...options, tally });
          return { successes: [{ site: c!.site, dryRun: done.dryRun }], failures: [] };
        },
        signal: options.signal,
      },
      () => tally.requests,
    );
    requests += one.requests;
    items.push({ ...one.items[0]!, index, site: client.site });
    options.onProgress?.(index + 1, clients.length);
  }
  return {
    items,
    succeeded: items.filter((i) => i.status === 'succeeded').length,
    failed: items.filter((i) => i.status === 'failed').length,
    notAttempted: items.filter((i) => i.status === 'not_attempted').length,
    requests,
  };
}

/**
 * Deletes each e-mail from the client's site, one DELETE each, in order. A failure of one user (e.g. 404) does
 * not stop the rest; a refused key, a lost connection or cancellation leaves the remaining ones not attempted.
 */
export function deleteUsers(client: SisenseClient, emails: readonly string[], options: BulkOptions = {}) {
  return oneByOne(
    emails,
    (email) => ({ username: email }),
    (email, o) => client.deleteUser(email, o),
    options,
  );
}

/**
 * Runs `act` on each item in order, one request each, accounting for every item as deleteUsers does; `describe`
 * names an item in its result row (a user's e-mail as `username`, a group's name as `displayName`).
 */
export function oneByOne<T>(
  items: readonly T[],
  describe: (item: T) => Pick<BulkItem, 'userId' | 'username' | 'displayName'>,
  act: (item: T, options: WriteOptions) => Promise<{ dryRun: boolean }>,
  options: BulkOptions = {},
): Promise<BulkResult> {
  const tally = { requests: 0 };
  return runBulk<number, { index: number; dryRun: boolean }, never>(
    {
      items: items.map((_, i) => i),
      chunkSize: 1,
      keyOfItem: (i) => String(i),
      keyOfSuccess: (s) => String(s.index),
      keyOfFailure: () => undefined,
      describe: (i) => describe(items[i]!),
      succeeded: (_, s) => (s.dryRun ? { message: 'dry run: validated by test_mode=true, nothing stored' } : {}),
      failed: () => ({ message: '' }),
      send: async ([i]) => {
        const done = await act(items[i!]!, { ...options, tally });
        return { successes: [{ index: i!, dryRun: done.dryRun }], failures: [] };
      },
      signal: options.signal,
      onProgress: options.onProgress,
    },
    () => tally.requests,
  );
}
