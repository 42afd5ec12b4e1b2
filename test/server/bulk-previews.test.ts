import { afterAll, beforeAll, expect, it } from 'vitest';
import { type SandboxHandle, startSandbox } from '../../src/sandbox/index.js';
import { connectStack } from '../support/mcp-stack.js';

// Onboarding lists are large and every new account is a distinct username: the person still approves them in
// one call, because a creation grants nothing of its own and so is one change they can count.

let sandbox: SandboxHandle;
beforeAll(async () => {
  sandbox = await startSandbox({ rateLimit: false, users: 5, seed: 11 });
});
afterAll(() => sandbox.close());

it('bulk_create_users of 300 accounts asks once, counting them, and creates every one', async () => {
  const asked: string[] = [];
  const stack = await connectStack(sandbox, {
    client: { name: 'bulk-previews-test', version: '1' },
    guard: { confirmSecret: 'bulk-previews-secret-0123456789', audit: { stream: { write: () => true } as never } },
    elicit: async ({ message }) => {
      asked.push(message);
      return { action: 'accept', content: { confirm: true } };
    },
  });
  try {
    const users = Array.from({ length: 300 }, (_, i) => ({
      username: `hire${String(i).padStart(3, '0')}@wff-demo.example`,
      displayName: `New Hire ${i}`,
    }));
    const result = await stack.call('bulk_create_users', { users });
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toMatchObject({ succeeded: 300, failed: 0, notAttempted: 0 });
    expect(asked).toHaveLength(1);
    expect(asked[0]).toContain('300 x user: created as a new enabled account');
    const names = new Set(sandbox.snapshot().users.map((u) => u.username));
    expect(users.every((u) => names.has(u.username))).toBe(true);
  } finally {
    await stack.close();
  }
});
