import type { ImpactPreview, ImpactTarget } from '../tools/define.js';
import { fenceUntrusted, sanitizeUntrusted } from './untrusted.js';

// A preview of 500 users would drown the answer; the first lines and a count tell the human enough.
const MAX_TARGET_LINES = 50;

function targetLine(target: ImpactTarget): string {
  const name = target.name !== undefined ? ` ${target.name}` : '';
  const missing = target.missing ? ' (does not exist)' : '';
  const before = target.before !== undefined ? ` now: ${target.before.join('; ') || 'nothing'}` : '';
  const after = target.after !== undefined ? ` after: ${target.after.join('; ') || 'nothing'}` : '';
  return `${target.kind} ${target.id}${name}${missing}${before}${after}`;
}

function previewLines(preview: ImpactPreview): string[] {
  const shown = preview.targets.slice(0, MAX_TARGET_LINES).map(targetLine);
  const hidden = preview.targets.length - shown.length;
  return [preview.summary, ...shown, ...(hidden > 0 ? [`... and ${hidden} more target(s)`] : [])];
}

/** The preview as a human reads it in an elicitation dialog: directory text made visible-only, one line each. */
export function previewForHuman(preview: ImpactPreview): string {
  return previewLines(preview).map(sanitizeUntrusted).join('\n');
}

/**
 * The preview handed to the model when the client cannot ask the human: fenced (names are untrusted data)
 * and followed by what the model must do before acting.
 */
export function previewForModel(
  tool: string,
  preview: ImpactPreview,
  tokenArg: string,
  token: string,
  expiresAt: string,
  nonce: string,
): string {
  return [
    'CONFIRMATION REQUIRED. Nothing has been changed yet.',
    fenceUntrusted(previewLines(preview), nonce),
    'Show this preview to the user verbatim and wait for their explicit answer.',
    `Only if they approve, call ${tool} again with exactly the same arguments plus "${tokenArg}": "${token}"` +
      ` (single use, valid until ${expiresAt}). If they do not approve, do not call it again.`,
  ].join('\n');
}
