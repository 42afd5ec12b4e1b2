// Hostile: `--approvers write=2` on a team deployment. The operator asks for two people to approve every user
// change on the approvals page (README: "distinct people who must approve on the approvals page, per class
// `write`, ..."; "a class needing at least one person is confirmed on the page whatever the client offers").
// A write that stays under the confirmation threshold is nonetheless made at once, approved by nobody: one person
// renames a user with no second pair of eyes, and the audit line names no approver. Real parts: oidc-provider on
// loopback, the server's OAuth verifier over Streamable HTTP, the sandbox where Visier stands. Either outcome
// keeps the promise: the write waits on the page, or start-up refuses a write count it would not honour.
import type { CallToolResult } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config.js';
import { DEMO_USERS } from '../../src/sandbox/index.js';
import { changeRequests } from '../guards/e2e-harness.js';
import { ALICE, type OAuthStack, PAGE_CLIENT, startOAuthStack } from '../support/oauth-stack.js';

let stack: OAuthStack | undefined;
let refused: ConfigError | undefined;

beforeAll(async () => {
  try {
    stack = await startOAuthStack({
      people: [ALICE],
      pageClient: PAGE_CLIENT,
      flags: ['--approvers', 'write=2', '--approval-timeout-seconds', '10'],
    });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    refused = error;
  }
}, 60_000);

afterAll(async () => {
  await stack?.close();
});

describe('hostile: an approvers count for writes', () => {
  it('a one-user write waits for the two people --approvers write=2 asks for, and nobody approving sends nothing', async () => {
    if (stack === undefined) {
      expect(refused?.message).toMatch(/approvers/);
      return;
    }
    const client = await stack.sessionOf(ALICE);
    try {
      const before = changeRequests(stack.served.sandbox).length;
      const result = (await client.callTool(
        { name: 'update_user', arguments: { userId: DEMO_USERS.dana.userId, displayName: 'Dana, renamed alone' } },
        { timeout: 30_000 },
      )) as CallToolResult;
      // Nobody is on the page: the change must time out there, refused, nothing sent.
      expect(result.isError, JSON.stringify(result.content)).toBe(true);
      expect(changeRequests(stack.served.sandbox)).toHaveLength(before);
    } finally {
      await client.close();
    }
  }, 60_000);
});
