// The Sisense bulk tools (the seed's scripts: users onto several sites, a list of e-mails deleted) through an SDK
// client over the real runtime on the embedded sandbox: every item accounted for, CSV rows checked before anything
// is sent, every site in the arguments checked against the allowlist.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SISENSE_DEMO_USERS } from '../../../src/sandbox/sisense/index.js';
import { changes, type SisenseStack, sent, startSisenseStack, textOf } from './tools-stack.js';

const { admin, dana } = SISENSE_DEMO_USERS;

let s: SisenseStack;
beforeAll(async () => {
  s = await startSisenseStack();
});
afterAll(() => s.close());
beforeEach(() => s.sandbox.clearRequests());

const emails = (site?: string) => s.sandbox.snapshot(site).users.map((u) => u.email);
type Out = { succeeded: number; failed: number; notAttempted: number; items: Record<string, unknown>[] };

describe('bulk_create_users', () => {
  it('creates each user on each named site: one POST per user and site, every item accounted for', async () => {
    const { primary, secondary } = s.sandbox.sites;
    const result = await s.call('bulk_create_users', {
      users: [
        { userId: 'onboard.one@wff-demo.example', firstName: 'On', lastName: 'One', invitedBy: admin.email },
        { userId: dana.email, firstName: 'Dana', lastName: 'Whitfield', invitedBy: admin.email },
      ],
      sites: [primary.site, secondary.site],
    });
    expect(sent(s.sandbox).filter((r) => r.endsWith('test_mode=false'))).toHaveLength(4);
    const out = result.structuredContent as Out;
    expect(out.items.map((i) => [i.site, i.username, i.status])).toEqual([
      [primary.site, 'onboard.one@wff-demo.example', 'succeeded'],
      [secondary.site, 'onboard.one@wff-demo.example', 'succeeded'],
      [primary.site, dana.email, 'failed'],
      [secondary.site, dana.email, 'failed'],
    ]);
    expect(out.items[2]?.message).toMatch(/already exists/);
    expect(result.isError).toBe(true);
    expect(emails(primary.site)).toContain('onboard.one@wff-demo.example');
    expect(emails(secondary.site)).toContain('onboard.one@wff-demo.example');
  });

  it('a site outside the allowlist in `sites` refuses the whole call with nothing sent', async () => {
    const result = await s.call('bulk_create_users', {
      users: [{ userId: 'x@wff-demo.example', firstName: 'X', lastName: 'Y', invitedBy: admin.email }],
      sites: [s.sandbox.sites.primary.site, s.sandbox.siteWithoutApi.site],
    });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toContain(s.sandbox.siteWithoutApi.site);
    expect(sent(s.sandbox)).toEqual([]);
  });

  it('CSV rows with groups are an access change: confirmed, each lands with its groups', async () => {
    const csv = [
      'userId,firstName,lastName,groups,invitedBy',
      `csv.one@wff-demo.example,Csv,One,SQL Analysts|Dashboard Viewers,${admin.email}`,
      `csv.two@wff-demo.example,Csv,Two,,${admin.email}`,
    ].join('\n');
    const { preview, second } = await s.confirmed('bulk_create_users', { csv });
    expect(preview.summary).toMatch(/^Create 2 users on 1 site/);
    expect(changes(s.sandbox).filter((c) => c.endsWith('test_mode=true'))).toHaveLength(4);
    expect((second.structuredContent as Out).succeeded).toBe(2);
    const one = s.sandbox.snapshot().users.find((u) => u.email === 'csv.one@wff-demo.example');
    expect(one?.groups).toEqual(expect.arrayContaining(['SQL Analysts', 'Dashboard Viewers']));
  });

  it('a CSV with a bad row names the row and column and sends nothing', async () => {
    const csv = [
      'userId,firstName,lastName,invitedBy',
      `good@wff-demo.example,Good,Row,${admin.email}`,
      `not-an-email,Bad,Row,${admin.email}`,
    ].join('\n');
    const result = await s.call('bulk_create_users', { csv });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/csv: row 2, column userId: must be an e-mail address/);
    expect(sent(s.sandbox)).toEqual([]);
  });

  it('both users and csv, or neither, is refused naming both fields', async () => {
    const result = await s.call('bulk_create_users', {});
    expect(textOf(result)).toMatch(/users: give either users or csv/);
    expect(sent(s.sandbox)).toEqual([]);
  });
});

describe('bulk_delete_users', () => {
  it('deletes a CSV list of e-mails: one GET and one dry run per user in each preview, one DELETE each on confirmation', async () => {
    const csv = ['userId', 'onboard.one@wff-demo.example', 'gone@wff-demo.example', 'csv.two@wff-demo.example'].join(
      '\n',
    );
    const { preview, second } = await s.confirmed('bulk_delete_users', { csv });
    expect(preview.targets.map((t) => t.missing ?? false)).toEqual([false, true, false]);
    expect(changes(s.sandbox)).toEqual([
      ...Array(4).fill('DELETE /api/v1/users?test_mode=true'),
      ...Array(3).fill('DELETE /api/v1/users?test_mode=false'),
    ]);
    const out = second.structuredContent as Out;
    expect(out.items.map((i) => i.status)).toEqual(['succeeded', 'failed', 'succeeded']);
    expect(emails()).not.toContain('onboard.one@wff-demo.example');
    expect(emails()).not.toContain('csv.two@wff-demo.example');
  });

  it('a CSV with an unknown column is refused naming it, with nothing sent', async () => {
    const result = await s.call('bulk_delete_users', { csv: 'email\na@wff-demo.example' });
    expect(textOf(result)).toMatch(/csv: unknown column "email"; columns are userId/);
    expect(sent(s.sandbox)).toEqual([]);
  });
});
