import type { ImpactPreview, ImpactTarget } from '../contract/tool.js';
import { counted } from '../grammar.js';
import { displayText, fenceUntrusted, sanitizeUntrusted } from './untrusted.js';

/**
 * Characters the preview may take in an elicitation message (the surrounding question adds about 200 more).
 * Form dialogs scroll, but a human reads a few screens at most; past this the change is grouped, then refused.
 */
export const ELICITATION_PREVIEW_MAX_CHARS = 8_000;

/**
 * Characters of a confirmation-required result that are not the preview: the instructions, the token and the
 * fence tags (under 600 in practice). The preview gets `--max-result-chars` minus this.
 */
export const MODEL_FRAME_CHARS = 700;

/** What the human is shown: an alert line that comes first when present, then the summary and the changes. */
export interface ShownPreview {
  /** "PRIVILEGED: grants ..." when the change grants a privileged permission. */
  alert?: string;
  /** The summary, then one line per target or per group of identical changes; visible text only. */
  body: string[];
}

export type FittedPreview =
  | { ok: true; shown: ShownPreview }
  | { ok: false; reason: 'preview-too-large'; text: string };

const HIDDEN_ID = '<id>';
const HIDDEN_NAME = '<name>';
// Names this short occur inside ordinary words; replacing them would merge changes that differ.
const MIN_REPLACEABLE = 3;

function changeText(target: ImpactTarget, keep: (line: string) => string): string {
  const missing = target.missing ? ' (does not exist)' : '';
  const before = target.before !== undefined ? ` now: ${target.before.map(keep).join('; ') || 'nothing'}` : '';
  const after = target.after !== undefined ? ` after: ${target.after.map(keep).join('; ') || 'nothing'}` : '';
  return `${missing}${before}${after}`;
}

/** A target's name as `quoted` in tools/format.ts renders directory text: it cannot pass for the line's own words. */
const quotedName = (name: string) => JSON.stringify(displayText(name));

/**
 * A target's id as the line shows it: bare when it is a plain token (a uuid, an e-mail), quoted like a name
 * otherwise. Some systems key by directory text (Sisense groups by name), and an unquoted id with spaces could
 * write the line's own words ("now:", "after:") for it.
 */
const PLAIN_ID = /^[\w.@~+:-]{1,256}$/;
const shownId = (id: string) => (PLAIN_ID.test(id) ? id : quotedName(id));

function targetLine(target: ImpactTarget): string {
  const name = target.name !== undefined && target.name !== target.id ? ` ${quotedName(target.name)}` : '';
  const elevated = target.elevated?.length ? ` ELEVATED: ${target.elevated.join('; ')}` : '';
  return `${target.kind} ${shownId(target.id)}${name}${changeText(target, (line) => line)}${elevated}`;
}

/**
 * The change a target undergoes, without who it is: the tool's own words for it when given, else its before and
 * after lines with its id and name taken out, so the same edit of many users compares equal.
 */
function changeKey(target: ImpactTarget): string {
  if (target.change !== undefined)
    return `${target.kind}${target.missing ? ' (does not exist)' : ''}: ${target.change}`;
  const hide = (line: string) => {
    let out = line.split(target.id).join(HIDDEN_ID);
    if (target.name !== undefined && target.name.length >= MIN_REPLACEABLE)
      out = out.split(target.name).join(HIDDEN_NAME);
    return out;
  };
  return `${target.kind}${changeText(target, hide)}`;
}

function alertOf(preview: ImpactPreview): string | undefined {
  const grants = preview.privilegedGrants ?? [];
  return grants.length > 0 ? `PRIVILEGED: grants ${grants.join(', ')}` : undefined;
}

function grouped(targets: ImpactTarget[], withIds: boolean): string[] {
  const groups = new Map<string, ImpactTarget[]>();
  for (const target of targets) {
    const key = changeKey(target);
    const group = groups.get(key);
    if (group === undefined) groups.set(key, [target]);
    else group.push(target);
  }
  return [...groups].map(([key, members]) => {
    const [only] = members as [ImpactTarget];
    if (members.length === 1) return targetLine(only);
    const ids = withIds
      ? ` (${members.map((t) => (t.name === undefined || t.name === t.id ? shownId(t.id) : `${shownId(t.id)} ${quotedName(t.name)}`)).join(', ')})`
      : '';
    return `${members.length} x ${key}${ids}`;
  });
}

function visible(lines: string[]): string[] {
  return lines.map(sanitizeUntrusted);
}

function size(shown: ShownPreview): number {
  const lines = shown.alert === undefined ? shown.body : [shown.alert, ...shown.body];
  return lines.reduce((sum, line) => sum + line.length + 1, 0);
}

/**
 * Fits a preview into `budget` characters without hiding a distinct change: the whole preview if it fits;
 * else identical changes grouped with counts (first with their ids, then without), every elevated target still
 * in full; else `preview-too-large`. Never "and N more".
 */
export function fitPreview(preview: ImpactPreview, budget: number): FittedPreview {
  const alert = alertOf(preview);
  const head = { ...(alert === undefined ? {} : { alert: sanitizeUntrusted(alert) }) };
  const elevated = preview.targets.filter((t) => t.elevated?.length);
  const plain = preview.targets.filter((t) => !t.elevated?.length);
  const candidates = [
    () => preview.targets.map(targetLine),
    () => [...elevated.map(targetLine), ...grouped(plain, true)],
    () => [...elevated.map(targetLine), ...grouped(plain, false)],
  ];
  for (const lines of candidates) {
    const shown: ShownPreview = { ...head, body: visible([preview.summary, ...lines()]) };
    if (size(shown) <= budget) return { ok: true, shown };
  }
  return {
    ok: false,
    reason: 'preview-too-large',
    text:
      `this change is too large to show a person whole (${counted(preview.targets.length, 'target')}, ${elevated.length} of them ` +
      `elevated, do not fit in ${counted(budget, 'character')} even with identical changes grouped); nothing was sent. ` +
      'Split it into smaller calls, each with fewer distinct or elevated changes.',
  };
}

/** The preview as a human reads it in an elicitation dialog: the alert first, then the question and the change. */
export function previewForHuman(tool: string, shown: ShownPreview, question: string): string {
  return [
    ...(shown.alert === undefined ? [] : [shown.alert]),
    `${tool} asks for your approval.`,
    ...shown.body,
    question,
  ].join('\n');
}

/**
 * The preview handed to the model when the client cannot ask the human: fenced (names are untrusted data)
 * and followed by what the model must do before acting.
 */
export function previewForModel(
  tool: string,
  shown: ShownPreview,
  tokenArg: string,
  token: string,
  expiresAt: string,
  nonce: string,
): string {
  return [
    shown.alert === undefined
      ? 'CONFIRMATION REQUIRED. Nothing has been changed yet.'
      : 'CONFIRMATION REQUIRED FOR A PRIVILEGED GRANT. Nothing has been changed yet.',
    fenceUntrusted(shown.alert === undefined ? shown.body : [shown.alert, ...shown.body], nonce),
    'Show this preview to the user verbatim and wait for their explicit answer.',
    `Only if they approve, call ${tool} again with exactly the same arguments plus "${tokenArg}": "${token}"` +
      ` (single use, valid until ${expiresAt}). If they do not approve, do not call it again.`,
  ].join('\n');
}
