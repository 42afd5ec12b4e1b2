// The guards speak the served system's words: a Sisense preview names the site, not a Visier tenant and its
// production; a refusal names the site; an upstream failure is Sisense's, not Visier's.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SISENSE_DEMO_GROUPS, SISENSE_DEMO_USERS, SISENSE_SITES } from '../../../src/sandbox/sisense/index.js';
import { type SisenseStack, startSisenseStack, textOf } from './tools-stack.js';

let s: SisenseStack;
beforeAll(async () => {
  s = await startSisenseStack();
});
afterAll(() => s.close());

describe("Sisense in Sisense's words", () => {
  it('a preview says where in sites, without production', async () => {
    const result = await s.call('add_users_to_group', {
      userGroupId: SISENSE_DEMO_GROUPS.viewers.name,
      userIds: [SISENSE_DEMO_USERS.dana.email],
    });
    expect(textOf(result)).toContain(`[site ${SISENSE_SITES.primary.site}]`);
    expect(textOf(result)).not.toMatch(/tenant|production/);
  });

  it('a site outside the allowlist is refused as a site', async () => {
    const result = await s.call('get_user', {
      userId: SISENSE_DEMO_USERS.dana.email,
      site: SISENSE_SITES.withoutApi.site,
    });
    expect(textOf(result)).toMatch(/^site 'wff-demo-basic' is not allowed; allowed sites: /m);
  });

  it("an upstream error is Sisense's", async () => {
    const result = await s.call('get_user', { userId: 'nobody@wff-demo.example' });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/Sisense error \(HTTP 404/);
    expect(textOf(result)).not.toContain('Visier');
  });
});
