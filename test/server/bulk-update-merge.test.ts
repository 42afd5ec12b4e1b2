import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { UserUpdate } from '../../src/providers/visier/api.js';
import type { VisierClient } from '../../src/providers/visier/client.js';
import { DEMO_USERS, type SandboxHandle, startSandbox } from '../../src/sandbox/index.js';
import { connectStack, type Stack } from '../support/mcp-stack.js';

// Whether Visier's V2 PUT clears omitted fields is unverified, so bulk_update_users sends each user's current
// profile with the change applied. The sandbox keeps omitted fields either way, so the test watches what
// the tool hands the (real) client.

let sandbox: SandboxHandle;
let stack: Stack;
const sent: UserUpdate[][] = [];

beforeAll(async () => {
  sandbox = await startSandbox({ rateLimit: false, users: 20 });
  stack = await connectStack(sandbox, {
    client: { name: 'bulk-update-merge', version: '1' },
    guard: { confirmSecret: 'bulk-update-merge-secret', audit: { stream: new PassThrough().resume() } },
    wrapVisier: (client) => {
      const watched = Object.create(client) as VisierClient;
      watched.bulkUpdateUsers = (users, options) => {
        sent.push(users);
        return client.bulkUpdateUsers(users, options);
      };
      return { api: watched };
    },
    elicit: async () => ({ action: 'accept', content: { confirm: true } }),
  });
});

afterAll(async () => {
  await stack.close();
  await sandbox.close();
});

it('sends each user whole: the current profile with only the named fields changed', async () => {
  const dana = sandbox.snapshot().users.find((u) => u.userId === DEMO_USERS.dana.userId)!;
  const result = await stack.call('bulk_update_users', {
    users: [
      { userId: dana.userId, displayName: 'Dana W.' },
      { userId: 'no-such-user', employeeId: 'X1' },
    ],
  });
  expect(result.isError).toBeFalsy();
  expect(sent).toEqual([
    [
      {
        userId: dana.userId,
        username: dana.username,
        displayName: 'Dana W.',
        employeeId: dana.employeeId,
        email: dana.email,
        accountEnabled: dana.accountEnabled,
      },
      { userId: 'no-such-user', employeeId: 'X1' },
    ],
  ]);
  const after = sandbox.snapshot().users.find((u) => u.userId === dana.userId)!;
  expect(after).toEqual({ ...dana, displayName: 'Dana W.' });
});
