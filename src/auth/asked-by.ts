import type { ImpactPreview } from '../contract/tool.js';
import { displayText } from '../guards/untrusted.js';
import { type Person, personLabel } from './person.js';

/**
 * The preview a person approves, saying who asked: `Asked by "dana@example.com (idp.example.com)".` after the
 * summary. The label is the issuer's claims (untrusted): quoted as visible text, so a crafted e-mail or name cannot
 * pass for the line's own words, and fenced wherever the preview is (it is part of the summary). Unchanged when
 * no person is known (static bearer, loopback, stdio).
 */
export function withAskedBy(preview: ImpactPreview, person: Person | undefined): ImpactPreview {
  if (person === undefined) return preview;
  return { ...preview, summary: `${preview.summary}. Asked by ${JSON.stringify(displayText(personLabel(person)))}.` };
}
