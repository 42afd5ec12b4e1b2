import { createHmac, randomUUID } from 'node:crypto';
import { withAskedBy } from '../auth/asked-by.js';
import { scopeRefusal } from '../auth/scopes.js';
import type {
  AnyToolDefinition,
  Classification,
  ImpactPreview,
  PreviewRead,
  ToolContext,
  ToolOutput,
} from '../contract/tool.js';
import { counted } from '../grammar.js';
import type { JournalState } from '../journal/journal.js';
import { asRateCaller } from '../providers/http/rate-caller.js';
import { StoreUnavailableError } from '../shared-state/store.js';
import { AppViewConfirmer, IssuedViews, previewForViewModel, type ViewFallback, viewApprovalOf } from './app-view.js';
import { ApprovedPreviews } from './approved-previews.js';
import {
  APPROVAL_CLASSES,
  type ApprovalClass,
  approvalClassOf,
  approversRequired,
  channelClassOf,
} from './approvers.js';
import { type AuditDecision, type AuditLineRef, AuditLog, type AuditRecord } from './audit.js';
import { ChangeBudget, DEFAULT_CAPS } from './caps.js';
import {
  type Confirmer,
  chooseConfirmer,
  ElicitationConfirmer,
  InputRequestConfirmer,
  RefusingConfirmer,
  TokenConfirmer,
} from './confirmation.js';
import {
  type CallerInfo,
  CONFIRMATION_TOKEN_ARG,
  type ConfirmPolicy,
  type Guard,
  type GuardedOutcome,
  type GuardOptions,
  policyFor,
} from './guard.js';
import { listedInSomeTenant, modeAllows, modeOf, modeRefusal, strongerClass } from './modes.js';
import { MovedCalls } from './moved-calls.js';
import { targetChangedText } from './preview-diff.js';
import { ELICITATION_PREVIEW_MAX_CHARS, fitPreview, MODEL_FRAME_CHARS, previewForModel } from './preview-text.js';
import { redactArgs, redactText, tokenDigest } from './redact.js';
import { tenantRefusal } from './tenants.js';
import { ConfirmationTokens, keyIdOf } from './token.js';
import { type ShownCount, UNCONFIRMED_WINDOW_MS, UnconfirmedChanges } from './unconfirmed.js';
import { cutVisibly, newFenceNonce, sanitizeUntrusted } from './untrusted.js';
import { WebConfirmer } from './web-confirmation.js';

const DEFAULTS = {
  confirmTtlSeconds: 300,
  writeConfirmThreshold: 10,
  elicitationTimeoutMs: 120_000,
  approvalTimeoutMs: 300_000,
};
// Calls whose transport names no caller share one principal: never a fresh allowance per session.
const ANONYMOUS = 'anonymous';
// MCP caps tool names at 128 characters; a rejected call's name is the client's text, kept that long in the
// audit line so one call cannot write megabytes into every copy of the log.
const MAX_REJECTED_NAME_CHARS = 128;

/** Configuration mistakes stop start-up: a guard that silently allows less or more is worse than none. */
function validate(options: GuardOptions): void {
  if (options.tenants.length === 0) throw new Error('guard: the tenant allowlist is empty');
  if (!options.tenants.includes(options.defaultTenant)) {
    throw new Error(`guard: the default tenant '${options.defaultTenant}' is not in the allowlist`);
  }
  for (const tenant of Object.keys(options.tenantModes ?? {})) {
    if (!options.tenants.includes(tenant))
      throw new Error(`guard: tenant modes name '${tenant}', not in the allowlist`);
  }
  if (options.confirmSecret.length < 16) throw new Error('guard: the confirmation secret needs at least 16 characters');
  const web = [
    ...new Set(APPROVAL_CLASSES.filter((c) => channelOf(options, c, options.tenants) === 'web').map(channelClassOf)),
  ];
  if (web.length > 0 && options.approvals === undefined) {
    throw new Error(`guard: confirmation by web page for ${web.join(', ')} needs the approvals page running`);
  }
}

/** Whether the approvers policy asks at least one person to approve a change of this class reaching these tenants. */
function approversAsked(options: GuardOptions, cls: ApprovalClass, tenants: readonly string[]): boolean {
  return (approversRequired(options.approvers, tenants, cls) ?? 0) >= 1;
}

/**
 * The channel a change of this class reaching these tenants is confirmed on: the approvals page wherever the
 * approvers policy asks for at least one person (only the page tells people apart), else the `--confirm` policy.
 */
function channelOf(options: GuardOptions, cls: ApprovalClass, tenants: readonly string[]): ConfirmPolicy {
  if (approversAsked(options, cls, tenants)) return 'web';
  return policyFor(options.confirm, channelClassOf(cls));
}

/** Every tenant a call would reach: its routing and any tenant named inside its arguments. */
function reachedTenants(
  def: AnyToolDefinition,
  args: Record<string, unknown>,
  ctx: ToolContext,
  defaultTenant: string,
): string[] {
  const reached = [ctx.scope.tenant ?? defaultTenant];
  reached.push(...(def.tenantsInArgs?.(args) ?? []));
  return [...new Set(reached)];
}

function counts(output: ToolOutput): AuditRecord['counts'] {
  const { succeeded, failed } = output.structured;
  if (typeof succeeded !== 'number' && typeof failed !== 'number') return undefined;
  return {
    ...(typeof succeeded === 'number' ? { succeeded } : {}),
    ...(typeof failed === 'number' ? { failed } : {}),
  };
}

function rciOf(error: unknown): string | undefined {
  const rci = (error as { rci?: unknown } | null)?.rci;
  return typeof rci === 'string' ? rci : undefined;
}

/** The human approves a change in a place: every tenant it reaches, and whether it lands in a project. */
function withWhere(
  preview: ImpactPreview,
  tenants: string[],
  projectId: string | undefined,
  scope: { term: string; projects: boolean },
): ImpactPreview {
  const place = `${tenants.length === 1 ? scope.term : `${scope.term}s`} ${tenants.join(', ')}`;
  const where = scope.projects ? `${place}, ${projectId ? `project ${projectId}` : 'production'}` : place;
  return { ...preview, summary: `${preview.summary} [${where}]` };
}

/**
 * A confirmed call takes the count its preview stated off the caller's unconfirmed count, so the person must
 * see that count: the summary says how many people this caller changed without confirmation in the window.
 */
function withRunningCount(preview: ImpactPreview, unconfirmedSoFar: number, items: number, threshold: number) {
  if (unconfirmedSoFar === 0) return preview;
  const window = counted(UNCONFIRMED_WINDOW_MS / 60_000, 'minute');
  const running =
    `; with ${counted(unconfirmedSoFar, 'person', 'people')} changed without confirmation by this caller in the last ${window}, ` +
    `${unconfirmedSoFar + items} in all (threshold ${threshold})`;
  return { ...preview, summary: `${preview.summary}${running}` };
}

/** Why a preview is elevated, each reason once, as visible text: for a refusal that names why. */
function elevatedReasons(preview: ImpactPreview | undefined): string[] {
  const reasons = new Set((preview?.targets ?? []).flatMap((t) => t.elevated ?? []).map(sanitizeUntrusted));
  for (const grant of preview?.privilegedGrants ?? []) reasons.add(`grants ${sanitizeUntrusted(grant)}`);
  if (preview?.classificationReason !== undefined) reasons.add(sanitizeUntrusted(preview.classificationReason));
  return [...reasons];
}

/** The client cancelled the call (or went away): nothing is issued and nothing is sent. */
const CANCELLED_TEXT = 'the call was cancelled; nothing was sent.';

/** A call's audit record as it starts: refused until the call says otherwise. */
function recordOf(
  at: number,
  tool: string,
  classification: string,
  args: Record<string, unknown>,
  caller: CallerInfo,
): AuditRecord {
  return {
    time: new Date(at).toISOString(),
    tool,
    classification,
    tenants: [],
    args: redactArgs(args),
    decision: 'refused',
    client: { name: caller.clientName, version: caller.clientVersion },
    sessionId: caller.sessionId,
    ...(caller.person === undefined ? {} : { caller: caller.person }),
    durationMs: 0,
    isError: false,
  };
}

/**
 * A step that reads or writes the shared store: the store unreachable refuses the change, saying so, as a spent
 * token's record does (fail closed: no change the deployment's budgets could not count, nor one its approvals
 * page could not show). `what` names the shared state in the refusal.
 */
async function shared<T>(step: Promise<T>, what: string): Promise<T> {
  try {
    return await step;
  } catch (error) {
    if (!(error instanceof StoreUnavailableError)) throw error;
    throw new Refusal(
      'store-unavailable',
      `the shared state that ${what} is unreachable (${error.message}); nothing was sent. Try again when it is back.`,
    );
  }
}

const counting = <T>(step: Promise<T>) => shared(step, 'counts changes against the budgets');

class Refusal {
  constructor(
    readonly reason: string,
    readonly text: string,
    readonly decision: AuditDecision = 'refused',
  ) {}
}

/**
 * The guard pipeline: mode -> tenant allowlist -> caps by the arguments -> preview when the effect could
 * differ or a person will be asked -> mode and caps by the effect (the stronger class, people reached) ->
 * confirmation -> handler, with one audit line per call whatever the outcome. Handler errors are audited and
 * re-thrown unchanged: the server owns turning them into `isError` results (see guard.ts).
 */
export function createGuard(options: GuardOptions): Guard {
  validate(options);
  const scope = options.scope ?? { term: 'tenant', projects: true };
  const now = options.now ?? Date.now;
  const threshold = options.writeConfirmThreshold ?? DEFAULTS.writeConfirmThreshold;
  const budget = new ChangeBudget({ ...DEFAULT_CAPS, ...options.caps }, now, options.sharedState);
  const spentIn = (kind: string) =>
    options.sharedState === undefined ? undefined : { store: options.sharedState, kind };
  const tokens = new ConfirmationTokens(
    options.confirmSecret,
    options.confirmTtlSeconds ?? DEFAULTS.confirmTtlSeconds,
    now,
    undefined,
    spentIn('token'),
  );
  // Input-request states and view approvals are sealed like tokens but each under a key of its own, so none
  // passes as another.
  const sealedFor = (purpose: string, noun: string, kind: string) =>
    new ConfirmationTokens(
      createHmac('sha256', options.confirmSecret).update(`visier-admin-mcp ${purpose}`).digest('base64url'),
      options.confirmTtlSeconds ?? DEFAULTS.confirmTtlSeconds,
      now,
      noun,
      spentIn(kind),
      keyIdOf(options.confirmSecret),
    );
  const states = sealedFor('input-request state', 'approval state', 'state');
  const approvals = sealedFor('app view approval', 'approval from the view', 'approval');
  const unconfirmed = new UnconfirmedChanges(now, options.sharedState);
  const moved = new MovedCalls((options.confirmTtlSeconds ?? DEFAULTS.confirmTtlSeconds) * 1000, now);
  const strategies = {
    appView: new AppViewConfirmer(approvals, new ApprovedPreviews(now), new IssuedViews(now)),
    elicitation: new ElicitationConfirmer(options.elicitationTimeoutMs ?? DEFAULTS.elicitationTimeoutMs),
    inputRequest: new InputRequestConfirmer(states, new ApprovedPreviews(now)),
    token: new TokenConfirmer(tokens, new ApprovedPreviews(now)),
    refusing: new RefusingConfirmer(),
    web: new WebConfirmer(
      options.approvals,
      options.approvalTimeoutMs ?? DEFAULTS.approvalTimeoutMs,
      options.approvers,
    ),
  };
  const audit = new AuditLog(options.audit);
  // Journal entries are signed with the audit key, so undo_change acts only on entries this server wrote.
  options.journal?.sealWith(audit.journalSeal());
  const logger = options.audit.logger;

  /**
   * Every call's outcome passes here exactly once, allowed or refused, guarded or rejected ahead of any tool: its
   * audit line, and for a refusal, a pending confirmation or an error also an info line on stderr, so an operator
   * can follow what the agent tried. The line names the request id, tool, decision and reason, and the argument
   * names only: their values (which may be secrets or directory text) stay in the redacted audit log.
   */
  const settle = (record: AuditRecord, caller: CallerInfo): AuditLineRef => {
    const succeeded = !record.isError && (record.decision === 'allowed' || record.decision === 'confirmed');
    if (!succeeded) {
      logger?.info(
        {
          requestId: caller.requestId,
          tool: record.tool,
          decision: record.decision,
          reason: record.reason,
          args: Object.keys(record.args),
          ...(record.rci === undefined ? {} : { rci: record.rci }),
          ...(caller.sessionId === undefined ? {} : { sessionId: caller.sessionId }),
        },
        record.decision === 'allowed' || record.decision === 'confirmed'
          ? 'tool call failed'
          : `tool call ${record.decision}`,
      );
    }
    return audit.write(record);
  };

  async function preview(def: AnyToolDefinition, args: Record<string, unknown>, ctx: ToolContext, read: PreviewRead) {
    if (def.preview === undefined) {
      throw new Refusal('no-preview', `${def.name} needs confirmation but has no impact preview; refused.`);
    }
    let taken: ImpactPreview;
    try {
      taken = (await def.preview(args, ctx, read)) as ImpactPreview;
    } catch (error) {
      if (ctx.signal.aborted) throw new Refusal('cancelled', CANCELLED_TEXT);
      const rci = rciOf(error);
      throw new Refusal(
        'preview-failed',
        `could not read the current data to preview this change (${redactText((error as Error).message)}${rci ? `, rci ${rci}` : ''}); nothing was sent.`,
      );
    }
    if (taken.refusal !== undefined) throw new Refusal(taken.refusal.reason, taken.refusal.text);
    return taken;
  }

  /** The tool's journal capture of the live state; undefined when no journal is kept or the tool has none. */
  async function capture(
    def: AnyToolDefinition,
    args: Record<string, unknown>,
    ctx: ToolContext,
    output?: ToolOutput,
  ): Promise<JournalState | undefined> {
    if (options.journal === undefined || def.journal === undefined) return undefined;
    return (await def.journal.capture(args, ctx, output)) as JournalState;
  }

  /**
   * Records a carried-out change with its prior state and the state read right after (or why that could not
   * be read), linked to its audit line. Returns the change id, or the note the result must carry when the entry
   * could not be written.
   */
  async function journalChange(
    def: AnyToolDefinition,
    args: Record<string, unknown>,
    ctx: ToolContext,
    record: AuditRecord,
    line: AuditLineRef | undefined,
    before: JournalState,
    output: ToolOutput,
  ): Promise<string> {
    const journal = options.journal as NonNullable<typeof options.journal>;
    const id = `chg_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
    let after: { after: JournalState } | { afterError: string };
    try {
      after = { after: (await capture(def, args, ctx, output)) as JournalState };
    } catch (error) {
      after = { afterError: redactText((error as Error)?.message ?? String(error)) };
    }
    try {
      journal.append({
        id,
        time: record.time,
        tool: def.name,
        changeClass: def.journal?.changeClass ?? def.name,
        classification: record.classification,
        scope: { ...ctx.scope },
        args: record.args,
        decision: record.decision,
        ...(record.confirmation
          ? { confirmation: { method: record.confirmation.method, outcome: record.confirmation.outcome } }
          : {}),
        ...(line ? { audit: line } : {}),
        partial: output.isError === true || (record.counts?.failed ?? 0) > 0,
        before,
        ...after,
      });
    } catch (error) {
      return `JOURNAL ENTRY MISSING: this change was made but could not be recorded in the change journal (${redactText((error as Error).message)}), so undo_change cannot reverse it; tell the operator.`;
    }
    const unread = 'afterError' in after ? ` (its state after could not be read: ${after.afterError})` : '';
    return `Change ${id} recorded${unread}; undo_change takes this id.`;
  }

  /** What the person can do when the view is not shown: the channel the same call asked again would get. */
  const fallbackOf = (next: Confirmer): ViewFallback =>
    next === strategies.web
      ? 'page'
      : next === strategies.elicitation || next === strategies.inputRequest
        ? 'form'
        : 'token';

  /** The caller budgets and the threshold belong to; callers a transport could not name share one. */
  const principalOf = (caller: CallerInfo) => caller.principal ?? ANONYMOUS;

  /**
   * Whose turn a call's requests to the served system wait in for the rate budget: the person an OAuth token
   * named; else the session, since a bearer shared by everyone names nobody and only sessions tell assistants apart.
   */
  const rateTurnOf = (caller: CallerInfo) =>
    caller.person !== undefined || caller.sessionId === undefined
      ? principalOf(caller)
      : `${principalOf(caller)} session ${caller.sessionId}`;

  /**
   * Whether a change of this class and size reaching these tenants needs a person, given what the caller changed
   * unconfirmed. A class the approvers policy names is put before its approvers every time: the threshold only
   * spares the client's own confirmation, never the people an operator asked for.
   */
  const wantsConfirmation = (
    classification: Classification,
    items: number,
    unconfirmedSoFar: number,
    tenants: readonly string[],
  ) =>
    classification === 'access' ||
    classification === 'destructive' ||
    (classification === 'write' && (unconfirmedSoFar + items > threshold || approversAsked(options, 'write', tenants)));

  async function call(
    def: AnyToolDefinition,
    args: Record<string, unknown>,
    ctx: ToolContext,
    caller: CallerInfo,
  ): Promise<GuardedOutcome> {
    const started = now();
    const { [CONFIRMATION_TOKEN_ARG]: rawToken, ...callArgs } = args;
    const token = rawToken === undefined ? undefined : typeof rawToken === 'string' ? rawToken : '';
    const principal = principalOf(caller);
    const record = recordOf(started, def.name, def.classification, args, caller);
    let audited = false;
    const finish = (update: Partial<AuditRecord>): AuditLineRef => {
      audited = true;
      // The record is this call's own and is written once: filled in place rather than copied.
      Object.assign(record, update, { durationMs: now() - started });
      return settle(record, caller);
    };
    const checkModes = (classification: Classification, effect?: { toolClass: Classification; why: string[] }) => {
      for (const tenant of record.tenants) {
        const mode = modeOf(tenant, options.mode, options.tenantModes);
        if (!modeAllows(mode, classification)) {
          throw new Refusal('mode', modeRefusal(def.name, classification, tenant, mode, effect, scope.term));
        }
      }
      // The caller's OAuth scopes narrow every tenant's mode: a read-scoped person gets the read surface anywhere.
      if (caller.scopeMode !== undefined && !modeAllows(caller.scopeMode, classification)) {
        throw new Refusal('insufficient-scope', scopeRefusal(def.name, classification, caller.scopeMode));
      }
    };
    const checkCaps = async (items: number) => {
      const overCap = await counting(budget.check(items, principal));
      if (overCap !== undefined) throw new Refusal(overCap.reason, `${overCap.text} Nothing was sent.`);
    };

    try {
      record.tenants = reachedTenants(def, callArgs, ctx, options.defaultTenant);
      checkModes(def.classification);
      const notAllowed = tenantRefusal(record.tenants, options.tenants, scope.term);
      if (notAllowed !== undefined) throw new Refusal('tenant-not-allowed', notAllowed);

      const changes = def.classification !== 'read';
      const callKey = { principal, tool: def.name, args: callArgs, tenants: record.tenants };
      // A call bringing back an approval (a token, an input request's state, the approval view's answer)
      // re-checks it: its preview is compared with the one approved, so it is read live, as is the next preview
      // of a call whose re-check found the data moved (its snapshot is stale). So is a preview whose data decides
      // the call's class or size: whether anyone is asked at all must not rest on a snapshot.
      const firstRead: PreviewRead = {
        live:
          token !== undefined ||
          caller.inputRequest?.state !== undefined ||
          caller.viewAnswer !== undefined ||
          def.effectDependsOnData?.(callArgs) === true ||
          moved.moved(callKey),
      };
      const declared = changes ? (def.itemCount?.(callArgs) ?? 1) : 0;
      // People reached are never fewer than items named, so a call over the cap by its arguments alone is
      // refused before anything is read.
      if (changes) await checkCaps(declared);

      // The effect decides, so it is read first whenever it could differ from the tool's class or size, and
      // whenever a person will be asked anyway.
      let live: ImpactPreview | undefined;
      if (
        changes &&
        (def.effectDependsOnData?.(callArgs) === true ||
          wantsConfirmation(def.classification, declared, await counting(unconfirmed.count(principal)), record.tenants))
      ) {
        live = await preview(def, callArgs, ctx, firstRead);
      }
      const effective = strongerClass(def.classification, live?.classification);
      record.classification = effective;
      if (effective !== def.classification) {
        checkModes(effective, { toolClass: def.classification, why: elevatedReasons(live) });
      }
      const items = Math.max(declared, live?.peopleReached ?? 0);
      if (changes) await checkCaps(items);

      // The count may live in Redis, so a caller's racing calls can both read it before either records: the
      // record below checks the threshold again in the same step, so they cannot both count under it.
      const shownCount = changes ? await counting(unconfirmed.shown(principal)) : { items: 0, at: started };
      const unconfirmedSoFar = shownCount.items;
      // A reach the preview could not count (a dynamic filter) is over any threshold: a person decides. A
      // person's answer from the approval view is always judged: a deny must refuse even if the count has since
      // fallen under the threshold.
      const needsConfirmation =
        changes &&
        (caller.viewAnswer !== undefined ||
          live?.reachUnknown === true ||
          wantsConfirmation(effective, items, unconfirmedSoFar, record.tenants));
      // A client that has gone gets no token, no question and no change.
      const stopIfCancelled = () => {
        if (ctx.signal.aborted) throw new Refusal('cancelled', CANCELLED_TEXT);
      };
      let confirmed: ShownCount | undefined;
      if (needsConfirmation) {
        const taken = live ?? (await preview(def, callArgs, ctx, firstRead));
        stopIfCancelled();
        const shown = withAskedBy(
          withWhere(
            withRunningCount(taken, unconfirmedSoFar, items, threshold),
            record.tenants,
            ctx.scope.project,
            scope,
          ),
          caller.person,
        );
        const policy = channelOf(options, approvalClassOf(effective, taken), record.tenants);
        const pageRunning = options.approvals !== undefined;
        const asked = { tool: def.name, args: callArgs, tenants: record.tenants, caller, principal };
        const viewUnanswered = caller.rendersViews === true && strategies.appView.issued.unanswered(asked);
        const confirmer = chooseConfirmer(policy, caller, token !== undefined, strategies, pageRunning, viewUnanswered);
        // One pending change, one live approval: a view approval outrun by another channel's question decides
        // nothing. A token brought back is only judged, so it withdraws nothing.
        if (viewUnanswered && token === undefined && confirmer !== strategies.appView) {
          strategies.appView.issued.withdraw(asked);
        }
        // A person reads it in a form (elicitation or input request) or on the approvals page, which scrolls and
        // so shows it whole; or the model reads it in the result.
        const fitted = fitPreview(
          shown,
          confirmer === strategies.web
            ? Number.POSITIVE_INFINITY
            : confirmer === strategies.elicitation || confirmer === strategies.inputRequest
              ? ELICITATION_PREVIEW_MAX_CHARS
              : ctx.maxResultChars - MODEL_FRAME_CHARS,
        );
        if (!fitted.ok) throw new Refusal(fitted.reason, fitted.text);
        const answer = await shared(
          confirmer.confirm({
            tool: def.name,
            classification: effective,
            args: callArgs,
            tenants: record.tenants,
            preview: shown,
            shown: fitted.shown,
            caller,
            principal,
            shownCount,
            signal: ctx.signal,
            ...(token !== undefined ? { token } : {}),
          }),
          'holds changes waiting for approval',
        );
        if (answer.method !== undefined) {
          record.confirmation = {
            method: answer.method,
            // A question withdrawn because the call was cancelled failed for that reason, not for its channel.
            outcome: ctx.signal.aborted && answer.kind === 'refused' ? 'cancelled' : answer.outcome,
            ...(answer.kind === 'token-issued' ? { token: tokenDigest(answer.token) } : {}),
            ...(answer.kind === 'input-required' ? { token: tokenDigest(answer.state) } : {}),
            ...(answer.kind === 'view-issued' ? { token: tokenDigest(answer.approval) } : {}),
            ...((answer.kind === 'confirmed' || answer.kind === 'refused') && answer.approvals !== undefined
              ? { approvals: answer.approvals }
              : {}),
          };
        }
        if (answer.kind === 'refused') stopIfCancelled();
        if (answer.kind === 'input-required') {
          finish({ decision: 'confirmation-required', reason: 'awaiting the answer to an input request' });
          return {
            kind: 'input-required',
            message: answer.message,
            requestedSchema: answer.requestedSchema,
            state: answer.state,
            expiresAt: answer.expiresAt,
            preview: shown,
          };
        }
        if (answer.kind === 'view-issued') {
          finish({ decision: 'confirmation-required', reason: 'awaiting a person in the approval view' });
          return {
            kind: 'view-approval-required',
            text: previewForViewModel(
              def.name,
              fitted.shown,
              answer.expiresAt,
              newFenceNonce(),
              fallbackOf(chooseConfirmer(policy, caller, false, strategies, pageRunning, true)),
            ),
            preview: shown,
            approval: viewApprovalOf(def.name, answer, fitted.shown),
          };
        }
        if (answer.kind === 'token-issued') {
          finish({ decision: 'confirmation-required', reason: 'awaiting confirmation token' });
          return {
            kind: 'confirmation-required',
            text: previewForModel(
              def.name,
              fitted.shown,
              CONFIRMATION_TOKEN_ARG,
              answer.token,
              answer.expiresAt,
              newFenceNonce(),
            ),
            preview: shown,
            confirmationToken: answer.token,
            expiresAt: answer.expiresAt,
          };
        }
        if (answer.kind === 'refused') {
          if (answer.reason === 'target-changed') moved.remember(callKey);
          throw new Refusal(answer.reason, answer.text, answer.declined ? 'declined' : 'refused');
        }
        confirmed = answer.shownCount;
        // The human may have taken minutes: the data must still be what they approved.
        if (answer.method === 'elicitation' || answer.method === 'web') {
          const again = await preview(def, callArgs, ctx, { live: true });
          if (again.fingerprint !== answer.fingerprint) {
            moved.remember(callKey);
            throw new Refusal('target-changed', targetChangedText(shown, again));
          }
        }
      }

      if (changes) stopIfCancelled();
      // Fail closed: a change is never sent while its audit line could not follow it (a lock held by a
      // live process, an unwritable file). A line that still cannot be written after the change is said below.
      if (changes) {
        try {
          audit.ensureWritable();
        } catch (error) {
          throw new Refusal(
            'audit-unavailable',
            `the audit log cannot be written (${redactText((error as Error).message)}); a change is never made without its audit line, so nothing was sent.`,
          );
        }
      }
      const overBudget = changes ? await counting(budget.take(items, principal)) : undefined;
      if (overBudget !== undefined) throw new Refusal(overBudget.reason, `${overBudget.text} Nothing was sent.`);
      if (confirmed !== undefined) await counting(unconfirmed.confirmed(principal, confirmed));
      else if (changes) {
        // The count was read a few awaits ago (it may live in Redis): a racing call of the same caller may have
        // raised it since, so it is checked again as it is recorded. The budget this call took stays spent.
        const raced = await counting(unconfirmed.record(principal, items, threshold));
        if (raced !== undefined) {
          throw new Refusal(
            'threshold-raced',
            `while this call was checked, other calls by this caller changed people without confirmation: with ${counted(raced, 'person', 'people')} changed in the last ${counted(UNCONFIRMED_WINDOW_MS / 60_000, 'minute')}, this call's ${items} would pass the threshold (${threshold}). Call again: a person will be asked. Nothing was sent.`,
          );
        }
      }

      const decision: AuditDecision = confirmed !== undefined ? 'confirmed' : 'allowed';
      // The prior state is read last, right before acting, so it is what the change replaced.
      let before: JournalState | undefined;
      try {
        before = changes ? await capture(def, callArgs, ctx) : undefined;
      } catch (error) {
        if (ctx.signal.aborted) throw new Refusal('cancelled', CANCELLED_TEXT);
        throw new Refusal(
          'journal-unavailable',
          `could not read the state this change replaces for the change journal (${redactText((error as Error).message)}); a change is never made without its undo record, so nothing was sent.`,
        );
      }
      stopIfCancelled();
      let output: ToolOutput;
      try {
        output = await def.handler(callArgs, ctx);
      } catch (error) {
        const rci = rciOf(error);
        finish({
          decision,
          reason: redactText((error as Error)?.message ?? String(error)),
          isError: true,
          ...(rci ? { rci } : {}),
        });
        throw error;
      }
      let line: AuditLineRef | undefined;
      let auditMissing: string | undefined;
      try {
        line = finish({ decision, counts: counts(output), isError: output.isError === true });
      } catch (error) {
        // The change was made: saying it failed would be false. Say what happened and what is missing.
        auditMissing = `AUDIT LINE MISSING: this call's result is below, but its audit line could not be written (${redactText((error as Error).message)}); tell the operator.`;
      }
      const journaled =
        before === undefined ? undefined : await journalChange(def, callArgs, ctx, record, line, before, output);
      const text = [auditMissing, output.text, journaled].filter((part) => part !== undefined).join('\n');
      return {
        kind: 'result',
        output: { ...output, text, ...(auditMissing === undefined ? {} : { isError: true }) },
      };
    } catch (error) {
      if (error instanceof Refusal) {
        // A refusal stands even when the audit log cannot take its line (nothing was sent either way).
        try {
          finish({ decision: error.decision, reason: error.reason });
        } catch {}
        return { kind: 'refused', reason: error.reason, text: error.text };
      }
      // Thrown before the handler ran (e.g. by a tool's tenantsInArgs or a failing elicitation transport).
      if (!audited)
        finish({ decision: 'refused', reason: redactText(String((error as Error)?.message ?? error)), isError: true });
      throw error;
    }
  }

  return {
    ...(options.journal === undefined ? {} : { journal: options.journal }),
    lists: (def) => listedInSomeTenant(def.classification, options.tenants, options.mode, options.tenantModes),
    call: (def, args, ctx, caller) => asRateCaller(rateTurnOf(caller), () => call(def, args, ctx, caller)),
    viewCall: (approval) => strategies.appView.issued.call(approval),
    reject: (tool, args, caller, reason) =>
      settle(
        {
          ...recordOf(now(), cutVisibly(tool, MAX_REJECTED_NAME_CHARS), 'unknown', args, caller),
          reason,
          isError: true,
        },
        caller,
      ),
  };
}
