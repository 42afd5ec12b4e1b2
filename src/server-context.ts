import {
  CLIENT_CAPABILITIES_META_KEY,
  type ClientCapabilities,
  type ElicitRequestFormParams,
  type McpServer,
  type ServerContext,
} from '@modelcontextprotocol/server';
import { rendersViews } from './apps/capability.js';
import type { Person } from './auth/person.js';
import type { Provider } from './contract/provider.js';
import type { ClientChannel, PrivilegedPolicy, ProgressFn, Scope, ToolContext } from './contract/tool.js';
import type { CallerInfo } from './guards/guard.js';
import { fenceUntrusted, newFenceNonce, sanitizeMessage, sanitizeUntrustedDeep } from './guards/untrusted.js';
import { inputRequestOf } from './input-request.js';
import type { JournalReader } from './journal/journal.js';
import { privilegedPolicy } from './tools/visier/privileged.js';

// What tools and resources receive per call, built in one place from the MCP request's `extra`.

export type Extra = ServerContext;

/** The parts of a request's context that tools and resources use; resources/list builds one of its own. */
export type CallExtra = { mcpReq: Pick<Extra['mcpReq'], '_meta' | 'notify' | 'signal' | 'log'> };

/** Calls `beat` every `everyMs` milliseconds until the stop it returns is called. */
export type Ticker = (everyMs: number, beat: () => void) => () => void;

const intervalTicker: Ticker = (everyMs, beat) => {
  const timer = setInterval(beat, everyMs);
  return () => clearInterval(timer);
};

/**
 * How often a call waiting on a person sends progress: under the 15 s after which clients that reset their
 * timeout on progress may give up.
 */
export const WAITING_BEAT_MS = 10_000;

/** The first protocol revision that asks the client through input_required results (MCP 2026-07-28). */
const MODERN_REVISION = '2026-07-28';

export interface ContextDeps {
  /** The provider's client the call uses (read tools may get a cached one, change tools always a live one). */
  api: unknown;
  /** The system served: how the call's scope is read from its arguments and handed to the client. */
  provider: Pick<Provider, 'scopeArgs' | 'callOptions'>;
  maxResultChars: number;
  reportDir?: string;
  defaultTenant?: string;
  elicitationTimeoutMs?: number;
  /** Paces progress while a person decides; setInterval when absent (tests inject one). */
  ticker?: Ticker;
  /** Which permissions previews mark as privileged; the name-based default when absent. */
  privileged?: PrivilegedPolicy;
  /** The change journal the guard keeps, when it keeps one. */
  journal?: JournalReader;
}

/** A call's progress: what its work reports, and the beat that says it is still waiting on a person. */
interface CallProgress {
  report: ProgressFn;
  /** Sends the next progress number with `message`; a no-op without a progress token. */
  beat: (message: string) => void;
}

// One per request, shared by the tool's work and the wait for a person: progress must only ever go up.
const callProgress = new WeakMap<object, CallProgress>();

/** Forwards progress only when the client asked for it (progress token), and only ever forwards. */
function progressFor(extra: CallExtra): CallProgress {
  const known = callProgress.get(extra);
  if (known !== undefined) return known;
  const token = extra.mcpReq._meta?.progressToken;
  let last = -1;
  let lastTotal: number | undefined;
  const send = (done: number, total: number | undefined, message: string | undefined) => {
    if (token === undefined || done <= last) return;
    last = done;
    lastTotal = total;
    extra.mcpReq
      .notify({
        method: 'notifications/progress',
        params: {
          progressToken: token,
          progress: done,
          ...(total === undefined ? {} : { total }),
          ...(message === undefined ? {} : { message }),
        },
      })
      .catch(() => {});
  };
  // A beat past the total would claim more work than there is: it goes on without one.
  const progress: CallProgress = {
    report: (done, total, message) => send(done, total, message),
    beat: (message) =>
      send(last + 1, lastTotal !== undefined && last + 1 <= lastTotal ? lastTotal : undefined, message),
  };
  callProgress.set(extra, progress);
  return progress;
}

const DEFAULT_PRIVILEGED = privilegedPolicy();

export function callContext(
  deps: ContextDeps,
  args: Record<string, unknown>,
  extra: CallExtra,
  client?: ClientChannel,
): ToolContext {
  const nonce = newFenceNonce();
  const { scopeArgs } = deps.provider;
  const named = (arg: string | undefined) =>
    arg !== undefined && typeof args[arg] === 'string' ? (args[arg] as string) : undefined;
  const tenant = named(scopeArgs.tenant) ?? deps.defaultTenant;
  const project = named(scopeArgs.project);
  const scope: Scope = {
    ...(tenant === undefined ? {} : { tenant }),
    ...(project === undefined ? {} : { project }),
  };
  return {
    api: deps.api,
    call: deps.provider.callOptions(scope, extra.mcpReq.signal),
    scope,
    signal: extra.mcpReq.signal,
    progress: progressFor(extra).report,
    log: (level, message) => {
      extra.mcpReq.log(level, message).catch(() => {});
    },
    fence: (lines) => fenceUntrusted(lines, nonce),
    maxResultChars: deps.maxResultChars,
    privileged: deps.privileged ?? DEFAULT_PRIVILEGED,
    ...(client === undefined ? {} : { client }),
    ...(deps.reportDir === undefined ? {} : { reportDir: deps.reportDir }),
    ...(deps.journal === undefined ? {} : { journal: deps.journal }),
  };
}

/**
 * What the client declared, in the request's era: at initialize (2025 era), or in the request's own `_meta`
 * (2026-07-28, where every request carries its capabilities).
 */
export function clientCapabilitiesOf(
  server: McpServer,
  extra: Pick<Extra, 'mcpReq'> | undefined,
): ClientCapabilities | undefined {
  const envelope = extra?.mcpReq.envelope as Record<string, unknown> | undefined;
  if (envelope === undefined) return server.server.getClientCapabilities();
  return envelope[CLIENT_CAPABILITIES_META_KEY] as ClientCapabilities | undefined;
}

/** What a tool call may know of and ask its client, in the request's era. */
export function clientChannel(server: McpServer, extra: Extra): ClientChannel {
  const capabilities = clientCapabilitiesOf(server, extra);
  if (extra.mcpReq.envelope === undefined) {
    return {
      capabilities,
      ask: {
        sample: (params) => extra.mcpReq.requestSampling(params),
        elicit: (params) => extra.mcpReq.elicitInput(params),
      },
    };
  }
  const state = extra.mcpReq.requestState<unknown>();
  return {
    capabilities,
    ...(extra.mcpReq.inputResponses === undefined ? {} : { inputResponses: extra.mcpReq.inputResponses }),
    ...(typeof state === 'string' ? { requestState: state } : {}),
  };
}

/** The authInfo.extra key under which a transport that authenticated a request names its caller. */
export const PRINCIPAL_KEY = 'principal';

/** The authInfo.extra key under which a transport that validated an OAuth token names the person it vouched for. */
export const PERSON_KEY = 'person';

/** The person the request's transport named, when it named one with at least an issuer and a subject. */
function personOf(extra?: Pick<Extra, 'http'>): Person | undefined {
  const named = extra?.http?.authInfo?.extra?.[PERSON_KEY] as Partial<Person> | undefined;
  if (typeof named?.issuer !== 'string' || typeof named.subject !== 'string') return undefined;
  return {
    issuer: named.issuer,
    subject: named.subject,
    ...(typeof named.email === 'string' ? { email: named.email } : {}),
    ...(typeof named.name === 'string' ? { name: named.name } : {}),
  };
}

// A transport that authenticates nothing (stdio, in-memory) serves the process that started it.
const LOCAL_PROCESS = `local-process:${process.pid}`;

/** Who is behind a request: the principal its transport authenticated, else the local process. */
function principalOf(extra?: Pick<Extra, 'http'>): string {
  const named = extra?.http?.authInfo?.extra?.[PRINCIPAL_KEY];
  return typeof named === 'string' ? named : LOCAL_PROCESS;
}

/**
 * Whether the client takes form elicitation: it declares `form`, or declares elicitation with no mode at all
 * (what 2025-06-18 clients send, which means form). A client that offers only `url` cannot show our form.
 */
function offersForms(server: McpServer): boolean {
  const elicitation = server.server.getClientCapabilities()?.elicitation;
  if (elicitation === undefined) return false;
  return elicitation.form !== undefined || elicitation.url === undefined;
}

export function callerInfo(
  server: McpServer,
  deps: Pick<ContextDeps, 'elicitationTimeoutMs' | 'ticker'>,
  extra?: Extra,
): CallerInfo {
  const client = server.server.getClientVersion();
  const person = personOf(extra);
  const caller: CallerInfo = {
    ...(client ? { clientName: client.name, clientVersion: client.version } : {}),
    ...(extra?.sessionId === undefined ? {} : { sessionId: extra.sessionId }),
    ...(extra === undefined ? {} : { requestId: extra.mcpReq.id }),
    principal: principalOf(extra),
    ...(person === undefined ? {} : { person }),
    ...(rendersViews(clientCapabilitiesOf(server, extra)) ? { rendersViews: true } : {}),
  };
  if (extra !== undefined) {
    caller.keepWaiting = (message) => {
      const progress = progressFor(extra);
      return (deps.ticker ?? intervalTicker)(WAITING_BEAT_MS, () => progress.beat(message));
    };
  }
  // The request's own envelope says 2026-07-28, but the connection's era decides how a result is served: a stdio
  // connection opened by an unstamped message is served as 2025-era, where an input_required result cannot reach
  // a client that declared nothing at initialize. Such a call gets the token path instead.
  const servedModern = (server.server.getNegotiatedProtocolVersion() ?? '') >= MODERN_REVISION;
  const inputRequest = extra === undefined || !servedModern ? undefined : inputRequestOf(extra);
  if (inputRequest !== undefined) {
    caller.inputRequest = inputRequest;
  } else if (extra && extra.mcpReq.envelope === undefined && offersForms(server)) {
    // Only a 2025-era request can push a question to the client while the call waits.
    // Sent as part of this call, so over HTTP it rides the call's own stream (no GET stream needed). The
    // message and field titles quote directory text: the human's form gets it as inert as the model does.
    // While the person decides, progress beats keep clients that reset their timeout on progress waiting; the
    // call's own signal withdraws the question (notifications/cancelled) when the client cancels the call.
    caller.elicit = async (message, requestedSchema) => {
      const progress = progressFor(extra);
      const stop = (deps.ticker ?? intervalTicker)(WAITING_BEAT_MS, () =>
        progress.beat('waiting for the person to answer the approval form'),
      );
      try {
        return await extra.mcpReq.send(
          // The guard builds the flat form schema MCP allows; the SDK validates the answer against it.
          {
            method: 'elicitation/create',
            params: {
              mode: 'form',
              message: sanitizeMessage(message),
              requestedSchema: sanitizeUntrustedDeep(requestedSchema) as ElicitRequestFormParams['requestedSchema'],
            } satisfies ElicitRequestFormParams,
          },
          { timeout: deps.elicitationTimeoutMs ?? 120_000, signal: extra.mcpReq.signal },
        );
      } finally {
        stop();
      }
    };
  }
  return caller;
}
