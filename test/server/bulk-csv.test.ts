import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, mutations, startHarness, textOf } from './harness.js';

// Onboarding and offboarding lists arrive as spreadsheets: bulk_create_users and bulk_delete_users take their
// CSV text. A bad row is named by row and column and nothing is sent; a good sheet lands row for row.

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ elicit: true });
});
afterAll(() => h.close());

const byUsername = (username: string) => h.sandbox.snapshot().users.find((u) => u.username === username);

describe('bulk tools from CSV text', () => {
  it('creates every row of a sheet (quoted commas, a BOM, blank optional cells), then deletes them from a sheet', async () => {
    const sheet = [
      '\uFEFFusername,displayName,email,accountEnabled',
      'csv.one@wff-demo.example,"One, Csv",,true',
      'csv.two@wff-demo.example,Two Csv,two@elsewhere.example,no',
    ].join('\r\n');
    const created = await h.call('bulk_create_users', { csv: sheet });
    expect(created.isError, textOf(created)).toBeFalsy();
    expect(created.structuredContent).toMatchObject({ succeeded: 2, failed: 0, notAttempted: 0 });
    expect(byUsername('csv.one@wff-demo.example')).toMatchObject({ displayName: 'One, Csv', accountEnabled: true });
    expect(byUsername('csv.two@wff-demo.example')).toMatchObject({
      email: 'two@elsewhere.example',
      accountEnabled: false,
    });

    const ids = ['csv.one@wff-demo.example', 'csv.two@wff-demo.example'].map((u) => byUsername(u)?.userId);
    const deleted = await h.call('bulk_delete_users', { csv: `userId\n${ids.join('\n')}\n` });
    expect(deleted.isError, textOf(deleted)).toBeFalsy();
    expect(deleted.structuredContent).toMatchObject({ succeeded: 2, failed: 0 });
    expect(byUsername('csv.one@wff-demo.example')).toBeUndefined();
  });

  it.each([
    [
      'a cell breaking its column rule',
      { csv: 'username,accountEnabled\nok.row@wff-demo.example,true\nbad.row@wff-demo.example,maybe' },
      'csv: row 2, column accountEnabled: must be true or false',
    ],
    [
      'a row without its required column',
      { csv: 'username,displayName\nfirst@wff-demo.example,First\n,No Username' },
      'csv: row 2, column username:',
    ],
    ['an unknown column', { csv: 'username,role\na@wff-demo.example,admin' }, 'csv: unknown column "role"'],
    ['a header alone', { csv: 'username\n' }, 'csv: needs a header row and at least one row'],
    ['unbalanced quotes', { csv: 'username\n"open@wff-demo.example' }, 'csv: not valid CSV'],
    [
      'both the list and the sheet',
      { users: [{ username: 'x@wff-demo.example' }], csv: 'username\ny@wff-demo.example' },
      'users: give either users or csv, not both or neither',
    ],
    ['neither', {}, 'users: give either users or csv, not both or neither'],
  ])('refuses %s, naming it, and sends nothing', async (_label, args, message) => {
    const before = mutations(h.sandbox).length;
    const audited = h.audit.length;
    const result = await h.call('bulk_create_users', args);
    expect(result.isError).toBe(true);
    expect(textOf(result)).toContain(message);
    expect(mutations(h.sandbox).length).toBe(before);
    // The attempt is on the record, with the reason.
    expect(h.audit.slice(audited).join('\n')).toContain('bulk_create_users');
  });
});
