// Hostile cases for issue 9, "the human sees the exact change": no distinct change hides behind a count, every
// elevated change is shown in full, and a change too large to show is refused rather than cut.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type AnyToolDefinition, defineTool, type ImpactPreview, type ImpactTarget } from '../../src/contract/tool.js';
import { fitPreview, type ShownPreview } from '../../src/guards/preview-text.js';
import { type SandboxHandle, startSandbox } from '../../src/sandbox/index.js';
import { CONFIRMATION_META_KEY } from '../../src/server.js';
import { textOf } from '../guards/e2e-harness.js';
import { answering, ctx, harness, NO_ELICITATION } from '../guards/helpers.js';
import { connectStack, type ElicitHandler } from '../support/mcp-stack.js';

const REASONS = [
  'grants Admin (Full Access)',
  'includeAllUsers',
  'dynamic filter',
  'joins a group that grants Admin (Full Access)',
  'identity change of a privilege holder',
  'account re-enabled',
];
const CUT_SHORT = /\band \d+ more\b/i;

const targetArb = fc.record({
  kind: fc.constantFrom<ImpactTarget['kind']>('user', 'user-group', 'permission'),
  name: fc.option(fc.constantFrom('jdoe', 'asmith', 'Executives', 'x'), { nil: undefined }),
  before: fc.option(fc.constantFrom(['Viewer'], ['Viewer', 'Editor'], [], ['description: old']), { nil: undefined }),
  after: fc.option(fc.constantFrom(['Viewer'], [], ['description: new'], ['includeAllUsers']), { nil: undefined }),
  missing: fc.boolean(),
  // Mostly harmless changes, a few elevated ones hidden among them.
  elevated: fc.oneof(
    { arbitrary: fc.constant(undefined), weight: 20 },
    { arbitrary: fc.uniqueArray(fc.constantFrom(...REASONS), { minLength: 1, maxLength: 3 }), weight: 1 },
  ),
});

/** N targets with distinct ids, some elevated, many identical but for id and name. */
const previewArb = fc
  .record({
    // Any N up to 3,000: fast-check's default size would keep arrays to a few dozen.
    targets: fc.integer({ min: 0, max: 3000 }).chain((n) => fc.array(targetArb, { minLength: n, maxLength: n })),
    privileged: fc.boolean(),
  })
  .map(
    ({ targets, privileged }): ImpactPreview => ({
      summary: `Change ${targets.length} things`,
      targets: targets.map((t, i) => ({ ...t, id: `t${i}` }) as ImpactTarget),
      fingerprint: 'fp',
      ...(privileged ? { privilegedGrants: ['Admin (Full Access)'] } : {}),
    }),
  );

/** Every elevated target has its own line, naming it and each of its reasons. */
function expectEveryElevatedShown(preview: ImpactPreview, seen: string): void {
  const lines = seen.split('\n');
  for (const target of preview.targets.filter((t) => t.elevated !== undefined)) {
    const line = lines.find((l) => l.startsWith(`${target.kind} ${target.id} `));
    expect(line, `elevated ${target.kind} ${target.id} is shown`).toBeDefined();
    for (const reason of target.elevated ?? []) expect(line).toContain(reason);
  }
  expect(seen).not.toMatch(CUT_SHORT);
}

/** Each target counted once: its own line, or inside a "k x" group line. */
function accounted(shown: ShownPreview): number {
  return shown.body.slice(1).reduce((sum, line) => sum + Number(/^(\d+) x /.exec(line)?.[1] ?? 1), 0);
}

describe('hostile: every elevated change reaches the human, whatever the mix and budget (property)', () => {
  it('fitPreview shows every elevated target in full and accounts for every target, or refuses', () => {
    fc.assert(
      fc.property(previewArb, fc.integer({ min: 50, max: 80_000 }), (preview, budget) => {
        const fitted = fitPreview(preview, budget);
        if (!fitted.ok) {
          expect(fitted.reason).toBe('preview-too-large');
          return;
        }
        const { shown } = fitted;
        const seen = [...(shown.alert === undefined ? [] : [shown.alert]), ...shown.body].join('\n');
        expect(seen.length).toBeLessThanOrEqual(budget);
        expectEveryElevatedShown(preview, seen);
        expect(accounted(shown)).toBe(preview.targets.length);
        expect(shown.alert !== undefined).toBe(preview.privilegedGrants !== undefined);
      }),
      { numRuns: 100 },
    );
  });

  it('through the guard, on both channels: the elicitation message or the model’s preview shows it, or the call is refused', async () => {
    await fc.assert(
      fc.asyncProperty(
        previewArb,
        fc.integer({ min: 1_000, max: 60_000 }),
        fc.boolean(),
        async (preview, maxResultChars, canElicit) => {
          const h = harness();
          const tool = defineTool({ ...h.tools.access, preview: async () => preview });
          const asking = answering({ action: 'decline' });
          const out = await h.guard.call(
            tool,
            { permissionId: 'p', userIds: ['u1'] },
            { ...ctx(), maxResultChars },
            canElicit ? asking.caller : NO_ELICITATION,
          );
          expect(h.ran).toEqual([]);
          if (out.kind === 'refused' && out.reason === 'preview-too-large') return;
          const seen = canElicit
            ? (asking.asked[0]?.message ?? '')
            : out.kind === 'confirmation-required'
              ? out.text
              : '';
          expect(seen).not.toBe('');
          expectEveryElevatedShown(preview, seen);
          if (preview.privilegedGrants !== undefined && canElicit) {
            expect(seen.split('\n')[0]).toBe('PRIVILEGED: grants Admin (Full Access)');
          }
          if (!canElicit) expect(seen.length).toBeLessThanOrEqual(maxResultChars);
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe('hostile: 50 harmless edits and one Admin grant, over a real server and SDK client', () => {
  let sandbox: SandboxHandle;
  beforeAll(async () => {
    sandbox = await startSandbox({ rateLimit: false, users: 5, seed: 3 });
  });
  afterAll(() => sandbox.close());

  const harmless = Array.from({ length: 50 }, (_, i) => ({
    kind: 'user-group' as const,
    id: `g-${String(i).padStart(2, '0')}`,
    name: `Team ${i}`,
    before: ['description: (none)'],
    after: ['description: Quarterly review'],
  }));
  const executives: ImpactTarget = {
    kind: 'user-group',
    id: 'g-exec',
    name: 'Executives',
    before: ['members: 3 named users', 'grants Admin (Full Access)'],
    after: ['members: all users (includeAllUsers)'],
    elevated: ['includeAllUsers', 'grants Admin (Full Access)'],
  };

  /** update_user_groups as the attack uses it: a test definition whose preview carries what Part A's tools set. */
  function groupEdit(targets: ImpactTarget[], ran: unknown[]): AnyToolDefinition {
    return defineTool({
      name: 'update_user_groups',
      title: 'Update user groups',
      description: 'Update user groups.',
      classification: 'access',
      inputSchema: { userGroupIds: z.array(z.string()) },
      outputSchema: { succeeded: z.number(), failed: z.number() },
      itemCount: (args) => args.userGroupIds.length,
      preview: async () => ({
        summary: `Update ${targets.length} user groups`,
        targets,
        fingerprint: targets.map((t) => t.id).join(','),
        privilegedGrants: ['Admin (Full Access)'],
        peopleReached: 5,
      }),
      handler: async (args) => {
        ran.push(args);
        return { text: 'ok', structured: { succeeded: targets.length, failed: 0 } };
      },
    });
  }

  async function attempt(targets: ImpactTarget[], maxResultChars: number, elicit?: ElicitHandler) {
    const ran: unknown[] = [];
    const asked: string[] = [];
    const stack = await connectStack(sandbox, {
      client: { name: 'hostile-preview', version: '1.0.0' },
      guard: { confirmSecret: 'hostile-preview-secret-0123456789', audit: { stream: { write: () => true } as never } },
      server: { tools: [groupEdit(targets, ran)], maxResultChars },
      ...(elicit === undefined
        ? {}
        : {
            elicit: async (params, signal) => {
              asked.push(params.message);
              return elicit(params, signal);
            },
          }),
    });
    try {
      const result = await stack.call('update_user_groups', { userGroupIds: targets.map((t) => t.id) });
      return { result, ran, asked };
    } finally {
      await stack.close();
    }
  }

  it('the person asked sees the Admin grant first and the elevated group in full', async () => {
    const { asked, ran } = await attempt([...harmless, executives], 20_000, async () => ({ action: 'decline' }));
    expect(ran).toEqual([]);
    const message = asked[0] ?? '';
    expect(message.split('\n')[0]).toBe('PRIVILEGED: grants Admin (Full Access)');
    expect(message).toContain(
      'user-group g-exec "Executives" now: members: 3 named users; grants Admin (Full Access) after: members: all users (includeAllUsers) ELEVATED: includeAllUsers; grants Admin (Full Access)',
    );
    expect(message).not.toMatch(CUT_SHORT);
  });

  it('the model’s preview under a small --max-result-chars groups the 50 edits and still shows the grant', async () => {
    const { result, ran } = await attempt([...harmless, executives], 2_000);
    expect(ran).toEqual([]);
    expect(result._meta?.[CONFIRMATION_META_KEY]).toBeDefined();
    const text = textOf(result);
    expect(text).toContain('50 x user-group now: description: (none) after: description: Quarterly review');
    expect(text).toContain('user-group g-exec "Executives" now: members: 3 named users');
    expect(text).toContain('ELEVATED: includeAllUsers; grants Admin (Full Access)');
    expect(text).toContain('PRIVILEGED: grants Admin (Full Access)');
    expect(text).not.toMatch(CUT_SHORT);
  });

  it('refuses, and asks for smaller calls, when even the elevated changes alone do not fit', async () => {
    const many = Array.from({ length: 60 }, (_, i) => ({ ...executives, id: `g-exec-${i}`, name: `Executives ${i}` }));
    const { result, ran, asked } = await attempt(many, 2_000, async () => ({
      action: 'accept',
      content: { confirm: true },
    }));
    expect(ran).toEqual([]);
    expect(asked).toEqual([]);
    expect(result.isError).toBe(true);
    expect(textOf(result)).toContain(
      'this change is too large to show a person whole (60 targets, 60 of them elevated',
    );
    expect(textOf(result)).toContain('Split it into smaller calls');
  });
});
