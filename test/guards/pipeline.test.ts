import { describe, expect, it } from 'vitest';
import type { GuardOptions } from '../../src/guards/guard.js';
import { createGuard } from '../../src/guards/index.js';
import { answering, ctx, harness, NO_ELICITATION, SECRET, variant } from './helpers.js';

const ACCEPT = { action: 'accept', content: { confirm: true } } as const;

describe('createGuard: modes', () => {
  it.each([
    ['read-only', ['get_user']],
    ['user-writes', ['get_user', 'bulk_update_users']],
    ['full', ['get_user', 'bulk_update_users', 'assign_permissions_to_users', 'delete_user', 'bulk_delete_users']],
  ] as const)('%s lists exactly its classes', (mode, listed) => {
    const h = harness({ mode });
    expect(
      Object.values(h.tools)
        .filter((def) => h.guard.lists(def))
        .map((def) => def.name),
    ).toEqual(listed);
  });

  it('lists the union over tenants with per-tenant modes', () => {
    const h = harness({ mode: 'read-only', tenantModes: { T2: 'user-writes' } });
    expect(
      Object.values(h.tools)
        .filter((def) => h.guard.lists(def))
        .map((def) => def.name),
    ).toEqual(['get_user', 'bulk_update_users']);
  });

  it('refuses a tool the mode hides when called directly, before any preview or handler', async () => {
    const h = harness({ mode: 'read-only' });
    const out = await h.guard.call(h.tools.destructive, { userId: 'u1' }, ctx(), answering(ACCEPT).caller);
    expect(out).toEqual({
      kind: 'refused',
      reason: 'mode',
      text:
        "delete_user is a 'destructive' tool and tenant 'T1' runs in 'read-only' mode; it needs mode 'full'. " +
        'The operator can start the server with --mode full (or VISIER_MCP_MODE=full), ' +
        "or set this tenant to 'full' in the per-tenant modes file (--tenant-modes).",
    });
    expect(h.ran).toEqual([]);
    expect(h.previews).toEqual([]);
    expect(h.audit).toHaveLength(1);
    expect(h.audit[0]).toMatchObject({ tool: 'delete_user', decision: 'refused', reason: 'mode', tenants: ['T1'] });
  });

  it('checks each call against its own tenant mode', async () => {
    const h = harness({ mode: 'read-only', tenantModes: { T2: 'user-writes' } });
    const args = { users: [{ userId: 'u1' }] };
    const inT1 = await h.guard.call(h.tools.write, args, ctx(), NO_ELICITATION);
    expect(inT1.kind === 'refused' && inT1.reason).toBe('mode');
    const inT2 = await h.guard.call(h.tools.write, args, ctx({ tenant: 'T2' }), NO_ELICITATION);
    expect(inT2.kind).toBe('result');
    expect(h.ran).toEqual([{ tool: 'bulk_update_users', args }]);
  });
});

describe('createGuard: tenant allowlist', () => {
  it.each([
    ['tenantCode in another case', ctx({ tenant: 't1' }), {}],
    ['tenantCode with a zero-width space', ctx({ tenant: 'T\u200B1' }), {}],
    ['tenantCode in fullwidth', ctx({ tenant: '\uFF34\uFF11' }), {}],
    ['a bulk body mixing allowed and forbidden tenants', ctx(), { targetTenants: ['T2', 'T 2'] }],
  ])('refuses %s before preview or handler', async (_label, context, extra) => {
    const h = harness();
    const args = { permissionId: 'p1', userIds: ['u1'], ...extra };
    const out = await h.guard.call(h.tools.access, args, context, answering(ACCEPT).caller);
    expect(out.kind === 'refused' && out.reason).toBe('tenant-not-allowed');
    expect(h.ran).toEqual([]);
    expect(h.previews).toEqual([]);
    expect(h.audit).toHaveLength(1);
  });

  it('defaults a call without a tenant to the default tenant and checks every tenant reached', async () => {
    const h = harness();
    const out = await h.guard.call(
      h.tools.access,
      { permissionId: 'p1', userIds: ['u1'], targetTenants: ['T2'] },
      ctx(),
      answering(ACCEPT).caller,
    );
    expect(out.kind).toBe('result');
    expect(h.audit[0]?.tenants).toEqual(['T1', 'T2']);
  });

  it('suggests the allowed tenant without using it', async () => {
    const h = harness({ tenants: ['WFF_demo~c01'], defaultTenant: 'WFF_demo~c01' });
    const out = await h.guard.call(h.tools.read, { userId: 'u1' }, ctx({ tenant: 'wff_demo~c01' }), NO_ELICITATION);
    expect(out).toEqual({
      kind: 'refused',
      reason: 'tenant-not-allowed',
      text: "tenant 'wff_demo~c01' is not allowed; did you mean 'WFF_demo~c01'? Nothing was sent.",
    });
    expect(h.ran).toEqual([]);
  });
});

describe('createGuard: caps and budgets', () => {
  const users = (n: number) => ({ users: Array.from({ length: n }, (_, i) => ({ userId: `u${i}` })) });

  it('refuses a call over the per-call cap before preview or handler', async () => {
    const h = harness();
    const out = await h.guard.call(h.tools.write, users(750), ctx(), answering(ACCEPT).caller);
    expect(out).toEqual({
      kind: 'refused',
      reason: 'item-cap',
      text: 'this call touches 750 users; the cap is 500 per call. Split it into smaller calls. Nothing was sent.',
    });
    expect(h.previews).toEqual([]);
    expect(h.ran).toEqual([]);
  });

  it("consumes the caller's budget only with calls that ran, whatever session they come from", async () => {
    const h = harness({ caps: { maxChangesPerSession: 12 } });
    const declining = answering({ action: 'decline' }).caller;
    expect((await h.guard.call(h.tools.write, users(11), ctx(), declining)).kind).toBe('refused');
    const accepting = answering(ACCEPT).caller;
    expect((await h.guard.call(h.tools.write, users(11), ctx(), accepting)).kind).toBe('result');
    const over = await h.guard.call(h.tools.write, users(2), ctx(), accepting);
    expect(over).toEqual({
      kind: 'refused',
      reason: 'caller-budget',
      text: 'this call touches 2 users; this caller has made 11 of its 12 allowed changes (all its sessions together). Nothing was sent.',
    });
    const newSession = await h.guard.call(h.tools.write, users(2), ctx(), { ...accepting, sessionId: 'other' });
    expect(newSession.kind === 'refused' && newSession.reason).toBe('caller-budget');
    const otherCaller = { ...accepting, principal: 'bearer:other' };
    expect((await h.guard.call(h.tools.write, users(2), ctx(), otherCaller)).kind).toBe('result');
    expect(h.ran.map((r) => (r.args.users as unknown[]).length)).toEqual([11, 2]);
  });

  it('counts a call whose handler failed as attempted', async () => {
    const h = harness({ caps: { maxChangesPerHour: 3 } });
    const failing = variant(h.tools.write, { handler: async () => Promise.reject(new Error('boom')) });
    await expect(h.guard.call(failing, users(3), ctx(), NO_ELICITATION)).rejects.toThrow('boom');
    const out = await h.guard.call(h.tools.write, users(1), ctx(), NO_ELICITATION);
    expect(out.kind === 'refused' && out.reason).toBe('hour-budget');
  });

  it('does not count reads', async () => {
    const h = harness({ caps: { maxChangesPerSession: 1, maxItemsPerCall: 1 } });
    for (const id of ['u1', 'u2', 'u3']) {
      expect((await h.guard.call(h.tools.read, { userId: id }, ctx(), NO_ELICITATION)).kind).toBe('result');
    }
  });
});

describe('createGuard: confirmation thresholds', () => {
  it('runs a small write without confirmation and confirms one above the threshold', async () => {
    const h = harness({ writeConfirmThreshold: 2 });
    const { caller, asked } = answering(ACCEPT);
    const small = { users: [{ userId: 'u1' }, { userId: 'u2' }] };
    expect((await h.guard.call(h.tools.write, small, ctx(), caller)).kind).toBe('result');
    expect(asked).toHaveLength(0);
    const large = { users: [{ userId: 'u1' }, { userId: 'u2' }, { userId: 'u3' }] };
    expect((await h.guard.call(h.tools.write, large, ctx(), caller)).kind).toBe('result');
    expect(asked).toHaveLength(1);
    expect(h.audit.map((a) => a.decision)).toEqual(['allowed', 'confirmed']);
  });

  it('refuses a tool that needs confirmation but has no preview', async () => {
    const h = harness();
    const noPreview = variant(h.tools.destructive, { preview: undefined });
    const out = await h.guard.call(noPreview, { userId: 'u1' }, ctx(), answering(ACCEPT).caller);
    expect(out).toEqual({
      kind: 'refused',
      reason: 'no-preview',
      text: 'delete_user needs confirmation but has no impact preview; refused.',
    });
    expect(h.ran).toEqual([]);
  });

  it('refuses when the preview cannot read live data, without leaking secrets', async () => {
    const h = harness();
    const broken = variant(h.tools.destructive, {
      preview: async () => Promise.reject(Object.assign(new Error('503 from Visier, apikey=K-123'), { rci: 'rci-9' })),
    });
    const out = await h.guard.call(broken, { userId: 'u1' }, ctx(), answering(ACCEPT).caller);
    expect(out).toEqual({
      kind: 'refused',
      reason: 'preview-failed',
      text: 'could not read the current data to preview this change (503 from Visier, apikey=[REDACTED], rci rci-9); nothing was sent.',
    });
    expect(h.ran).toEqual([]);
  });
});

describe('createGuard: audit of outcomes', () => {
  it('audits a handler error with its rci and re-throws it unchanged', async () => {
    const h = harness();
    const error = Object.assign(new Error('user not found; Bearer abc.def'), { rci: 'rci-42' });
    const failing = variant(h.tools.read, { handler: async () => Promise.reject(error) });
    await expect(h.guard.call(failing, { userId: 'u9' }, ctx(), NO_ELICITATION)).rejects.toBe(error);
    expect(h.audit).toHaveLength(1);
    expect(h.audit[0]).toMatchObject({
      tool: 'get_user',
      decision: 'allowed',
      reason: 'user not found; Bearer [REDACTED]',
      rci: 'rci-42',
      isError: true,
      client: { name: 'plain-client', version: '2.0' },
      sessionId: 'sess-2',
    });
  });

  it('records counts from the structured output and redacts secret arguments', async () => {
    const h = harness();
    await h.guard.call(h.tools.write, { users: [{ userId: 'u1', password: 'Sup3r-S3cret!' }] }, ctx(), NO_ELICITATION);
    expect(h.audit[0]).toMatchObject({
      decision: 'allowed',
      counts: { succeeded: 1, failed: 0 },
      args: { users: [{ userId: 'u1', password: '[REDACTED]' }] },
      isError: false,
      classification: 'write',
    });
    expect(JSON.stringify(h.audit)).not.toContain('Sup3r-S3cret!');
    expect(h.ran[0]?.args).toEqual({ users: [{ userId: 'u1', password: 'Sup3r-S3cret!' }] });
  });
});

describe('createGuard: configuration', () => {
  const base: GuardOptions = {
    mode: 'full',
    tenants: ['T1'],
    defaultTenant: 'T1',
    confirm: 'auto',
    confirmSecret: SECRET,
    audit: { stream: process.stderr },
  };
  it.each<[Partial<GuardOptions>, string]>([
    [{ tenants: [], defaultTenant: 'T1' }, 'guard: the tenant allowlist is empty'],
    [{ tenants: ['T1'], defaultTenant: 'T2' }, "guard: the default tenant 'T2' is not in the allowlist"],
    [
      { tenants: ['T1'], defaultTenant: 'T1', tenantModes: { T9: 'full' } },
      "guard: tenant modes name 'T9', not in the allowlist",
    ],
    [
      { tenants: ['T1'], defaultTenant: 'T1', confirmSecret: 'short' },
      'guard: the confirmation secret needs at least 16 characters',
    ],
  ])('refuses to start on a bad configuration (%#)', (options, message) => {
    expect(() => createGuard({ ...base, ...options })).toThrow(message);
  });
});
