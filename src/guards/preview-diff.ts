import type { ImpactPreview, ImpactTarget } from '../contract/tool.js';
import { fenceUntrusted, newFenceNonce } from './untrusted.js';

const keyOf = (target: ImpactTarget) => `${target.kind} ${target.id}`;

function lineChanges(label: string, approved: string[] | undefined, now: string[] | undefined): string[] {
  const was = new Set(approved ?? []);
  const is = new Set(now ?? []);
  const gone = [...was].filter((line) => !is.has(line));
  const added = [...is].filter((line) => !was.has(line));
  return [...gone.map((line) => `${label} no longer: ${line}`), ...added.map((line) => `${label} now: ${line}`)];
}

function targetChanges(approved: ImpactTarget, now: ImpactTarget): string[] {
  const changes: string[] = [];
  if ((approved.name ?? '') !== (now.name ?? '')) {
    changes.push(`name was ${approved.name ?? '(none)'}, is ${now.name ?? '(none)'}`);
  }
  if (!approved.missing !== !now.missing) changes.push(now.missing ? 'no longer exists' : 'exists now');
  changes.push(...lineChanges('holds', approved.before, now.before));
  changes.push(...lineChanges('would hold', approved.after, now.after));
  changes.push(...lineChanges('elevated', approved.elevated, now.elevated));
  return changes;
}

/**
 * What differs between the preview a person approved and one taken just now, one line per changed target:
 * targets that appeared or went, renamed, and every before-line (and after-line) that differs. Lines carry
 * directory text: the caller fences or sanitises them. Empty when only the fingerprint moved (data the
 * preview does not show).
 */
export function describePreviewChange(approved: ImpactPreview, now: ImpactPreview): string[] {
  const nowByKey = new Map(now.targets.map((t) => [keyOf(t), t]));
  const approvedKeys = new Set(approved.targets.map(keyOf));
  const lines: string[] = [];
  for (const target of approved.targets) {
    const current = nowByKey.get(keyOf(target));
    if (current === undefined) {
      lines.push(`${keyOf(target)}: no longer part of this change`);
      continue;
    }
    const changes = targetChanges(target, current);
    if (changes.length > 0) lines.push(`${keyOf(target)}: ${changes.join('; ')}`);
  }
  for (const target of now.targets) {
    if (!approvedKeys.has(keyOf(target))) lines.push(`${keyOf(target)}: newly part of this change`);
  }
  if ((approved.peopleReached ?? 0) !== (now.peopleReached ?? 0)) {
    lines.push(
      `people reached: was ${approved.peopleReached ?? 'not counted'}, is ${now.peopleReached ?? 'not counted'}`,
    );
  }
  const grants = (p: ImpactPreview) => (p.privilegedGrants ?? []).join(', ') || 'none';
  if (grants(approved) !== grants(now)) lines.push(`privileged grants: were ${grants(approved)}, are ${grants(now)}`);
  return lines;
}

/**
 * The refusal when the re-check before acting finds the data moved: what changed (fenced, it is directory
 * text), or, when the approved preview is not held here (another replica, or forgotten), that it changed.
 */
export function targetChangedText(approved: ImpactPreview | undefined, now: ImpactPreview): string {
  const lead =
    'the data changed since the user approved this change, so it is no longer what they approved; nothing was sent.';
  const ask = 'Ask for a new preview and show it to the user.';
  if (approved === undefined)
    return `${lead} (The approved preview is not held by this server to say what changed.) ${ask}`;
  const lines = describePreviewChange(approved, now);
  if (lines.length === 0) return `${lead} (The change is in data the preview does not show.) ${ask}`;
  return [`${lead} What changed:`, fenceUntrusted(lines, newFenceNonce()), ask].join('\n');
}
