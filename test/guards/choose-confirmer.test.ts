import { describe, expect, it } from 'vitest';
import { type Confirmer, chooseConfirmer } from '../../src/guards/confirmation.js';
import type { CallerInfo, ConfirmPolicy } from '../../src/guards/guard.js';

// Each strategy a distinct object, so the choice can be read back by name.
const names = ['appView', 'elicitation', 'inputRequest', 'token', 'refusing', 'web'] as const;
const strategies = Object.fromEntries(
  names.map((name) => [name, { confirm: async () => ({}) } as unknown as Confirmer]),
);
const chosen = (
  policy: ConfirmPolicy,
  caller: CallerInfo,
  hasToken = false,
  pageRunning = false,
  viewUnanswered = false,
) =>
  names.find(
    (name) =>
      chooseConfirmer(
        policy,
        caller,
        hasToken,
        strategies as Record<(typeof names)[number], Confirmer>,
        pageRunning,
        viewUnanswered,
      ) === strategies[name],
  );

const elicit = async () => ({ action: 'decline' as const });
const answer = { approval: 'sealed', decision: 'approve' as const };

describe('the channel a person gets', () => {
  it.each<[string, ConfirmPolicy, CallerInfo, boolean, string]>([
    ['auto: the view before a form', 'auto', { rendersViews: true, elicit }, false, 'appView'],
    ['auto: the view before an input request', 'auto', { rendersViews: true, inputRequest: {} }, false, 'appView'],
    ['auto: a form without views', 'auto', { elicit }, false, 'elicitation'],
    ['auto: a token without either', 'auto', {}, false, 'token'],
    ['auto: a token brought back is judged as one', 'auto', { rendersViews: true }, true, 'token'],
    ['elicitation: the form, never the view', 'elicitation', { rendersViews: true, elicit }, false, 'elicitation'],
    ['elicitation: a views-only client is refused', 'elicitation', { rendersViews: true }, false, 'refusing'],
    ['the view’s own answer, whatever else', 'elicitation', { viewAnswer: answer, elicit }, true, 'appView'],
  ])('%s', (_label, policy, caller, hasToken, expected) => {
    expect(chosen(policy, caller, hasToken)).toBe(expected);
  });

  it.each<[string, ConfirmPolicy, CallerInfo, boolean, string]>([
    ['auto: the page before a token', 'auto', {}, false, 'web'],
    ['auto: a form before the page', 'auto', { elicit }, false, 'elicitation'],
    ['auto: the view before the page', 'auto', { rendersViews: true }, false, 'appView'],
    ['web: only the page, not a token', 'web', {}, true, 'web'],
    ['web: only the page, not a form', 'web', { elicit }, false, 'web'],
    ['web: only the page, not the view’s answer', 'web', { viewAnswer: answer, rendersViews: true }, false, 'web'],
  ])('with the approvals page running, %s', (_label, policy, caller, hasToken, expected) => {
    expect(chosen(policy, caller, hasToken, true)).toBe(expected);
  });

  // Declaring MCP Apps is not rendering them: the same call asked again while its view approval is unanswered.
  it.each<[string, CallerInfo, boolean, string]>([
    ['the page when it runs', { rendersViews: true }, true, 'web'],
    ['a token without the page', { rendersViews: true }, false, 'token'],
    ['the client’s form before the page', { rendersViews: true, elicit }, true, 'elicitation'],
    ['still the view’s own answer', { rendersViews: true, viewAnswer: answer }, true, 'appView'],
  ])('auto, the view unanswered: %s', (_label, caller, pageRunning, expected) => {
    expect(chosen('auto', caller, false, pageRunning, true)).toBe(expected);
  });
});
