import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_USERS } from '../../src/sandbox/index.js';
import { type Harness, startHarness, textOf } from './harness.js';

// What a newcomer misread: an address beside the username looked like a second username, and Visier's own
// error message was labelled as text people entered in the directory.

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

describe('result text labels what it shows', () => {
  it('an email that differs from the username is labelled email:', async () => {
    const result = await h.call('list_users', { search: 'quinn', fields: ['username', 'email'] });
    const line = textOf(result)
      .split('\n')
      .find((l) => l.startsWith(DEMO_USERS.mallory.userId));
    expect(line).toMatch(/^\S+ m\.quinn@wff-demo\.example email:\S+@/);
  });

  it("Visier's error message is fenced as the system's own words", async () => {
    const result = await h.call('get_user', { userId: 'no-such-user' });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/<directory-data id="[0-9a-f]+"> the system's own message/);
    expect(textOf(result)).not.toContain('text entered by people');
  });
});
