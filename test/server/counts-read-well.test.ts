import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { counted, withArticle } from '../../src/grammar.js';
import { ChangeBudget } from '../../src/guards/caps.js';
import { modeRefusal } from '../../src/guards/modes.js';
import { DEMO_PERMISSIONS } from '../../src/sandbox/index.js';
import { type Harness, startHarness, textOf } from './harness.js';

// Counts and articles read as English wherever they are printed: the helper itself, every kind of place that
// prints a count (page headers, guard refusals) rendered with 0, 1 and 2, and a scan of the source for a count
// printed next to a plural noun without the helper, so a new message cannot bring "1 users" back.

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'sandbox' ? [] : sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

describe('counts and articles', () => {
  it('counted says 0 users, 1 user, 2 users, and takes an irregular plural', () => {
    expect([0, 1, 2].map((n) => counted(n, 'user'))).toEqual(['0 users', '1 user', '2 users']);
    expect([0, 1, 2].map((n) => counted(n, 'person', 'people'))).toEqual(['0 people', '1 person', '2 people']);
  });

  it('withArticle picks a or an by the sound, past an opening quote', () => {
    expect(
      ["'access'", "'write'", "'read'", "'destructive'", "'user-writes'", 'unconfirmed', 'item'].map(withArticle),
    ).toEqual([
      "an 'access'",
      "a 'write'",
      "a 'read'",
      "a 'destructive'",
      "a 'user-writes'",
      'an unconfirmed',
      'an item',
    ]);
  });

  it('no source prints a number next to a plural noun, or a fixed article before a variable word', () => {
    const nouns =
      'users|groups|user groups|members|permissions|items|item lines|changes|targets|tenants|rows|lines|characters|bytes|people|minutes';
    // An interpolation without string literals in it is a number or a name; a noun after it is a count's.
    const bare = new RegExp(String.raw`\$\{[^{}'"\x60]*\}\s(?:(?:${nouns})\b|\w+\(s\))|\ban? '\$\{`, 'g');
    const found = sourceFiles(SRC).flatMap((file) =>
      [...readFileSync(file, 'utf8').matchAll(bare)].map((m) => `${relative(SRC, file)}: ${m[0]}`),
    );
    expect(found).toEqual([]);
  });

  it('guard refusals count and name the class in English', async () => {
    const budget = (limit: number) =>
      new ChangeBudget({ maxItemsPerCall: limit, maxChangesPerSession: 10, maxChangesPerHour: 10 }, () => 0);
    expect(await Promise.all([1, 2].map(async (n) => (await budget(0).check(n, 'c'))?.text.split(';')[0]))).toEqual([
      'this call touches 1 user',
      'this call touches 2 users',
    ]);
    const session = new ChangeBudget({ maxItemsPerCall: 5, maxChangesPerSession: 1, maxChangesPerHour: 10 }, () => 0);
    expect((await session.check(2, 'c'))?.text).toContain('made 0 of its 1 allowed change (');
    expect(modeRefusal('add_users_to_group', 'access', 'T', 'read-only')).toMatch(
      /^add_users_to_group is an 'access' tool/,
    );
    expect(modeRefusal('create_user', 'write', 'T', 'read-only')).toMatch(/^create_user is a 'write' tool/);
  });
});

describe('page headers with 0, 1 and 2 items', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ users: 20 });
  });
  afterAll(() => h.close());

  const header = async (tool: string, args: Record<string, unknown>) =>
    (textOf(await h.call(tool, args)).split('\n')[1] ?? '').replace(/ More:.*/, '');

  it('list_users, list_user_groups, list_permissions and list_users_with_permission', async () => {
    expect(await header('list_users', { search: 'no-one-has-this' })).toMatch(
      /^0 users\. From the directory as of \S+ \(\d+ s old\)\.$/,
    );
    expect(await header('list_users', { limit: 1 })).toBe('1 user.');
    expect(await header('list_users', { limit: 2 })).toBe('2 users.');
    expect(await header('list_user_groups', { limit: 1 })).toBe('1 user group.');
    expect(await header('list_user_groups', { limit: 2 })).toBe('2 user groups.');
    expect(await header('list_permissions', { search: 'no-permission-has-this' })).toBe('0 permissions.');
    expect(await header('list_permissions', { limit: 1 })).toBe('1 permission.');
    const pid = DEMO_PERMISSIONS.admin.permissionId;
    expect(await header('list_users_with_permission', { permissionId: pid, limit: 1 })).toBe(`1 user with ${pid}.`);
  });
});
