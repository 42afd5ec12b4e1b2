import { describe, expect, it } from 'vitest';
import type { ImpactPreview, ImpactTarget } from '../../src/contract/tool.js';
import { fitPreview } from '../../src/guards/preview-text.js';

const edit = (i: number): ImpactTarget => ({
  kind: 'user',
  id: `u${i}`,
  name: `person${i}`,
  before: [`username person${i}`, 'enabled'],
  after: [`username person${i}`, 'disabled'],
});
const preview = (targets: ImpactTarget[]): ImpactPreview => ({ summary: 'Disable users', targets, fingerprint: 'f' });

describe('fitPreview', () => {
  it('shows the whole preview when it fits', () => {
    const fitted = fitPreview(preview([edit(1), edit(2)]), 1_000);
    expect(fitted).toEqual({
      ok: true,
      shown: {
        body: [
          'Disable users',
          'user u1 "person1" now: username person1; enabled after: username person1; disabled',
          'user u2 "person2" now: username person2; enabled after: username person2; disabled',
        ],
      },
    });
  });

  it('groups changes identical but for id and name, first with their ids, then with counts only', () => {
    const targets = Array.from({ length: 40 }, (_, i) => edit(i));
    const withIds = fitPreview(preview(targets), 1_000);
    const ids = targets.map((t) => `${t.id} "${t.name}"`).join(', ');
    expect(withIds).toEqual({
      ok: true,
      shown: {
        body: ['Disable users', `40 x user now: username <name>; enabled after: username <name>; disabled (${ids})`],
      },
    });
    const counted = fitPreview(preview(targets), 150);
    expect(counted.ok && counted.shown.body[1]).toBe(
      '40 x user now: username <name>; enabled after: username <name>; disabled',
    );
  });

  it("groups by the tool's own words for the change when it gives them, whatever each target holds now", () => {
    const join = (i: number): ImpactTarget => ({
      kind: 'user',
      id: `u${i}`,
      before: [`user groups: g${i}`],
      after: [`user groups: g${i}, Sales`],
      change: 'joins the group, gaining permissions: Sales Dashboard',
    });
    const fitted = fitPreview(preview(Array.from({ length: 300 }, (_, i) => join(i))), 2_000);
    expect(fitted.ok && fitted.shown.body[1]).toMatch(
      /^300 x user: joins the group, gaining permissions: Sales Dashboard \(u0, u1, .*, u299\)$/,
    );
  });

  it('puts a privileged grant on the first line and refuses what cannot fit', () => {
    const fitted = fitPreview({ ...preview([edit(1)]), privilegedGrants: ['Admin (Full Access)'] }, 1_000);
    expect(fitted.ok && fitted.shown.alert).toBe('PRIVILEGED: grants Admin (Full Access)');
    expect(fitPreview(preview([edit(1)]), 20)).toMatchObject({ ok: false, reason: 'preview-too-large' });
  });
});

describe('target ids that are directory text', () => {
  it('are quoted, so a group named like a preview line cannot write the line', () => {
    const forged = 'Auditors now: nothing after: Admin';
    const fitted = fitPreview(
      preview([{ kind: 'user-group', id: forged, name: forged, before: ['access View'], after: ['access SQL'] }]),
      1_000,
    );
    expect(fitted.ok && fitted.shown.body[1]).toBe(
      `user-group ${JSON.stringify(forged)} now: access View after: access SQL`,
    );
  });

  it('plain ids (uuids, e-mails) stay bare', () => {
    const fitted = fitPreview(preview([{ kind: 'user', id: 'dana@wff-demo.example', after: ['x'] }]), 1_000);
    expect(fitted.ok && fitted.shown.body[1]).toBe('user dana@wff-demo.example after: x');
  });
});
