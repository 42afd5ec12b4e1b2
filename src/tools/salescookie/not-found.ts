import { SalescookieApiError } from '../../providers/salescookie/index.js';
import { ToolArgumentError } from '../shared/errors.js';

// Sales Cookie's client answers 404 for an e-mail or team id nobody has. The tool answers it in the terms of
// the argument the model sent, so the model can correct it; any other failure passes through unchanged.

/** `run`'s result, with the client's 404 turned into a ToolArgumentError naming `field` and `rule`. */
export async function naming<T>(field: string, rule: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof SalescookieApiError && error.notFound && !error.afterUnknownOutcome) {
      throw new ToolArgumentError(field, rule);
    }
    throw error;
  }
}

export const NO_SUCH_TEAM = 'no team has this id; list_teams lists them';
