import { fenceUntrusted, newFenceNonce, SYSTEM_WORDS_LABEL, sanitizeUntrusted } from '../../guards/untrusted.js';
import { VisierApiError } from '../../providers/http/errors.js';
import { CallerQueueFull } from '../../providers/http/rate-limiter.js';

// What a failed call tells the model: Visier's own words, code and rci, and what to do next. Never a stack
// trace, and nothing from the request but the ids the model itself sent. Visier's words may quote directory
// text (a 400 naming a username or display name), so they travel sanitised inside the untrusted-data fence.

/** A rule on arguments that zod cannot express; the message starts with the field's name. */
export class ToolArgumentError extends Error {
  constructor(field: string, rule: string) {
    super(`${field}: ${rule}`);
    this.name = 'ToolArgumentError';
  }
}

export interface ToolErrorReport {
  text: string;
  details: { status?: number; code?: string; rci?: string; kind?: string; retryable?: boolean };
  /** False for faults of ours the model cannot fix; the server logs those. */
  expected: boolean;
}

/**
 * Every id of the call a 404 may be about, with the tool that lists valid ones: Visier's 404 does not say which
 * id it could not find, so naming one (say the userId when the project was unknown) would send the model after
 * the wrong object.
 */
const NOT_FOUND_CANDIDATES: Array<{ fields: string[]; hint: string }> = [
  {
    fields: ['projectId', 'targetProjectForTenants'],
    hint: 'no project has this projectId (list_projects lists them)',
  },
  { fields: ['userGroupId', 'userGroups'], hint: 'no user group has this id (list_user_groups lists them)' },
  { fields: ['profileId'], hint: 'no profile has this profileId (list_profiles lists them)' },
  { fields: ['permissionId', 'permissionIds'], hint: 'no permission has this id (list_permissions lists them)' },
  { fields: ['userId', 'userIds', 'users'], hint: 'no user has this userId (list_users finds ids by name)' },
];

function notFoundHint(args: Record<string, unknown>): string {
  const candidates = NOT_FOUND_CANDIDATES.filter(({ fields }) => fields.some((field) => args[field] !== undefined));
  if (candidates.length === 0) return 'Visier has no such object; check the id';
  return candidates.map(({ hint }) => hint).join('; or ');
}

function hintFor(error: VisierApiError, args: Record<string, unknown>): string {
  switch (error.kind) {
    case 'rate-limited':
      return 'Visier rate limit reached; wait a minute, then retry';
    case 'timeout':
      return 'Visier did not answer in time; retry later, or ask for a smaller page';
    case 'network':
      return 'Visier could not be reached; check the host setting and the network, then retry';
    case 'aborted':
      return 'the call was cancelled';
    case 'invalid-request':
      return 'a value in the arguments cannot be sent in an HTTP request (see the message for which); correct it, then retry';
    case 'malformed':
      return 'Visier sent an answer this server could not read; retry, and report it if it persists';
    default:
      break;
  }
  const status = error.status ?? 0;
  if (status === 400) return 'Visier rejected the arguments; check the ids and values, then retry';
  if (status === 401)
    return 'the Visier credentials were refused; the operator must check the API key and user or client settings';
  if (status === 403) return 'the Visier API user lacks the capability for this (User Management Read or Write, API)';
  if (status === 404) return notFoundHint(args);
  if (status === 409) return 'a concurrent change conflicted; read the current state again, then retry';
  if (status === 429) return 'Visier rate limit reached; wait a minute, then retry';
  if (status >= 500) return 'Visier failed on its side; retry later, and quote the rci if it persists';
  return 'check the arguments, then retry';
}

/**
 * The answer to a failed call: `text` for the model (facts, what to do next, then Visier's message inside a
 * fresh untrusted-data fence), `details` for _meta (code and rci sanitised too), `expected` false for our own
 * faults. Facts come from the VisierApiError as the client parsed Visier's error body.
 */
export function describeToolError(error: unknown, args: Record<string, unknown>): ToolErrorReport {
  if (error instanceof VisierApiError) {
    const code = error.code === undefined ? undefined : sanitizeUntrusted(error.code);
    const rci = error.rci === undefined ? undefined : sanitizeUntrusted(error.rci);
    const facts = [
      error.status !== undefined ? `HTTP ${error.status}` : error.kind,
      code !== undefined ? `code ${code}` : undefined,
      rci !== undefined ? `rci ${rci}` : undefined,
    ].filter((f) => f !== undefined);
    const said = fenceUntrusted([error.localizedMessage ?? error.message], newFenceNonce(), SYSTEM_WORDS_LABEL);
    return {
      text: `${error.system} error (${facts.join(', ')}). Next: ${hintFor(error, args)}. ${error.system}'s message:\n${said}`,
      details: {
        ...(error.status === undefined ? {} : { status: error.status }),
        ...(code === undefined ? {} : { code }),
        ...(rci === undefined ? {} : { rci }),
        kind: error.kind,
        retryable: error.retryable,
      },
      expected: true,
    };
  }
  if (error instanceof ToolArgumentError) return { text: error.message, details: {}, expected: true };
  if (error instanceof CallerQueueFull) {
    return { text: error.message, details: { kind: 'caller-queue-full', retryable: true }, expected: true };
  }
  return { text: 'Internal error in visier-admin-mcp; the server log has the details.', details: {}, expected: false };
}
